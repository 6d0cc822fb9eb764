with

source as (

    select * from {{ source('salesforce', 'opportunity_history') }}

),

renamed as (

    select
        -- ids
        id as opportunity_history_id,
        opportunity_id,

        -- strings
        nullif(stage_name, '') as stage_name,

        -- numbers: in the opportunity's currency
        cast(nullif(amount, '') as decimal(18, 2)) as amount,
        cast(nullif(probability, '') as decimal(5, 2)) as probability,

        -- booleans
        cast(nullif(is_deleted, '') as boolean) as is_deleted,

        -- dates
        cast(nullif(close_date, '') as date) as close_date,

        -- timestamps
        {{ parse_timestamp_utc("nullif(created_date, '')") }} as created_at,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- OpportunityHistory has no SystemModstamp: the latest version is the last in arrival order.
deduplicated as (

    {{ deduplicate(
        'renamed',
        partition_by='opportunity_history_id',
        order_by=arrival_order('desc')
    ) }}

),

final as (

    select
        opportunity_history_id,
        opportunity_id,
        stage_name,
        amount,
        probability,
        close_date,
        created_at,
        _source_file,
        _loaded_at

    from deduplicated
    -- a record whose latest version is deleted is gone from everything downstream
    where not coalesce(is_deleted, false)

)

select * from final
