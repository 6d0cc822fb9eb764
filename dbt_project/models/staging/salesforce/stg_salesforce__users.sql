with

source as (

    select * from {{ source('salesforce', 'user') }}

),

renamed as (

    select
        -- ids
        id as user_id,
        nullif(user_role_id, '') as user_role_id,
        nullif(manager_id, '') as manager_id,

        -- strings
        nullif(name, '') as user_name,
        nullif(email, '') as email,

        -- booleans
        cast(nullif(is_active, '') as boolean) as is_active,

        -- timestamps
        {{ parse_timestamp_utc("nullif(created_date, '')") }} as created_at,
        {{ parse_timestamp_utc("nullif(system_modstamp, '')") }} as system_modstamp_at,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- Exports are incremental: the version with the latest SystemModstamp wins. Users are
-- deactivated (is_active), never deleted.
deduplicated as (

    {{ deduplicate(
        'renamed',
        partition_by='user_id',
        order_by='system_modstamp_at desc nulls last, ' ~ arrival_order('desc')
    ) }}

),

final as (

    select
        user_id,
        user_role_id,
        manager_id,
        user_name,
        email,
        is_active,
        created_at,
        system_modstamp_at,
        _source_file,
        _loaded_at

    from deduplicated

)

select * from final
