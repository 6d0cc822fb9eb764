with

source as (

    select * from {{ source('salesforce', 'lead') }}

),

renamed as (

    select
        -- ids
        id as lead_id,
        nullif(converted_contact_id, '') as converted_contact_id,
        nullif(converted_account_id, '') as converted_account_id,
        nullif(converted_opportunity_id, '') as converted_opportunity_id,
        nullif(owner_id, '') as owner_id,

        -- strings: emails as delivered (normalizing them is identity's business)
        nullif(email, '') as email,
        nullif(first_name, '') as first_name,
        nullif(last_name, '') as last_name,
        nullif(company, '') as company_name,
        nullif(title, '') as title,
        nullif(lead_source, '') as lead_source,
        nullif(status, '') as lead_status,

        -- booleans
        cast(nullif(is_converted, '') as boolean) as is_converted,
        cast(nullif(is_deleted, '') as boolean) as is_deleted,

        -- dates
        cast(nullif(converted_date, '') as date) as converted_date,

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
        partition_by='lead_id',
        order_by='system_modstamp_at desc nulls last, ' ~ arrival_order('desc')
    ) }}

),

final as (

    select
        lead_id,
        converted_contact_id,
        converted_account_id,
        converted_opportunity_id,
        owner_id,
        email,
        first_name,
        last_name,
        company_name,
        title,
        lead_source,
        lead_status,
        is_converted,
        converted_date,
        created_at,
        system_modstamp_at,
        _source_file,
        _loaded_at

    from deduplicated
    -- a record whose latest version is deleted is gone from everything downstream
    where not coalesce(is_deleted, false)

)

select * from final
