with

source as (

    select * from {{ source('salesforce', 'lead_history') }}

),

renamed as (

    select
        -- ids
        id as lead_history_id,
        lead_id,

        -- strings
        nullif(field, '') as field_name,
        nullif(old_value, '') as old_value,
        nullif(new_value, '') as new_value,

        -- booleans
        cast(nullif(is_deleted, '') as boolean) as is_deleted,

        -- timestamps
        {{ parse_timestamp_utc("nullif(created_date, '')") }} as created_at,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- LeadHistory has no SystemModstamp: the latest version is the last in arrival order.
deduplicated as (

    {{ deduplicate('renamed', partition_by='lead_history_id', order_by=arrival_order('desc')) }}

),

final as (

    select
        lead_history_id,
        lead_id,
        field_name,
        old_value,
        new_value,
        created_at,
        _source_file,
        _loaded_at

    from deduplicated
    -- a record whose latest version is deleted is gone from everything downstream
    where not coalesce(is_deleted, false)

)

select * from final
