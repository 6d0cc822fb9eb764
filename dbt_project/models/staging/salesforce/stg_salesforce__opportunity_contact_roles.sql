with

source as (

    select * from {{ source('salesforce', 'opportunity_contact_role') }}

),

renamed as (

    select
        -- ids
        id as opportunity_contact_role_id,
        opportunity_id,
        contact_id,

        -- strings
        nullif(role, '') as contact_role,

        -- booleans
        cast(nullif(is_primary, '') as boolean) as is_primary,
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
        partition_by='opportunity_contact_role_id',
        order_by='system_modstamp_at desc nulls last, ' ~ arrival_order('desc')
    ) }}

),

final as (

    select
        opportunity_contact_role_id,
        opportunity_id,
        contact_id,
        contact_role,
        is_primary,
        created_at,
        system_modstamp_at,
        _source_file,
        _loaded_at

    from deduplicated
    -- a record whose latest version is deleted is gone from everything downstream
    where not coalesce(is_deleted, false)

)

select * from final
