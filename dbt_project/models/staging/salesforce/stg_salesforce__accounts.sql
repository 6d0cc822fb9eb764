with

source as (

    select * from {{ source('salesforce', 'account') }}

),

renamed as (

    select
        -- ids
        id as account_id,
        nullif(owner_id, '') as owner_id,

        -- strings
        nullif(name, '') as account_name,
        nullif(industry, '') as industry,
        nullif(billing_country, '') as billing_country,
        nullif(type, '') as account_type,

        -- numbers
        cast(nullif(number_of_employees, '') as integer) as number_of_employees,

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
        partition_by='account_id',
        order_by='system_modstamp_at desc nulls last, ' ~ arrival_order('desc')
    ) }}

),

final as (

    select
        account_id,
        owner_id,
        account_name,
        industry,
        billing_country,
        account_type,
        number_of_employees,
        created_at,
        system_modstamp_at,
        _source_file,
        _loaded_at

    from deduplicated
    -- a record whose latest version is deleted is gone from everything downstream
    where not coalesce(is_deleted, false)

)

select * from final
