with

source as (

    select * from {{ source('salesforce', 'contact') }}

),

renamed as (

    select
        -- ids
        id as contact_id,
        nullif(account_id, '') as account_id,
        nullif(owner_id, '') as owner_id,

        -- strings: emails as delivered (normalizing them is identity's business)
        nullif(email, '') as email,
        nullif(first_name, '') as first_name,
        nullif(last_name, '') as last_name,
        nullif(title, '') as title,
        nullif(lead_source, '') as lead_source,

        -- booleans
        cast(nullif(is_deleted, '') as boolean) as is_deleted,

        -- timestamps
        {{ parse_timestamp_utc("nullif(created_date, '')") }} as created_at,
        {{ parse_timestamp_utc("nullif(system_modstamp, '')") }} as system_modstamp_at,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- Exports are incremental: the version with the latest SystemModstamp wins.
deduplicated as (

    {{ deduplicate(
        'renamed',
        partition_by='contact_id',
        order_by='system_modstamp_at desc nulls last, ' ~ arrival_order('desc')
    ) }}

),

final as (

    select
        contact_id,
        account_id,
        owner_id,
        email,
        first_name,
        last_name,
        title,
        lead_source,
        created_at,
        system_modstamp_at,
        _source_file,
        _loaded_at

    from deduplicated
    -- a record whose latest version is deleted is gone from everything downstream
    where not coalesce(is_deleted, false)

)

select * from final
