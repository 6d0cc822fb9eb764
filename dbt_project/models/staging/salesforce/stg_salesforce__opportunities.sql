with

source as (

    select * from {{ source('salesforce', 'opportunity') }}

),

renamed as (

    select
        -- ids
        id as opportunity_id,
        nullif(account_id, '') as account_id,
        nullif(campaign_id, '') as campaign_id,
        nullif(owner_id, '') as owner_id,

        -- strings
        nullif(name, '') as opportunity_name,
        nullif(stage_name, '') as stage_name,
        nullif(type, '') as opportunity_type,
        nullif(lead_source, '') as lead_source,
        nullif(forecast_category, '') as forecast_category,
        -- single-currency orgs export no CurrencyIsoCode: amounts are in the corporate currency
        coalesce(
            nullif(currency_iso_code, ''),
            '{{ var("corporate_currency") }}'
        ) as currency_code,

        -- numbers: the amount stays in its own currency (currency_code)
        cast(nullif(amount, '') as decimal(18, 2)) as amount,
        cast(nullif(probability, '') as decimal(5, 2)) as probability,

        -- booleans
        cast(nullif(is_closed, '') as boolean) as is_closed,
        cast(nullif(is_won, '') as boolean) as is_won,
        cast(nullif(is_deleted, '') as boolean) as is_deleted,

        -- dates
        cast(nullif(close_date, '') as date) as close_date,

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
        partition_by='opportunity_id',
        order_by='system_modstamp_at desc nulls last, ' ~ arrival_order('desc')
    ) }}

),

final as (

    select
        opportunity_id,
        account_id,
        campaign_id,
        owner_id,
        opportunity_name,
        stage_name,
        opportunity_type,
        lead_source,
        forecast_category,
        currency_code,
        amount,
        probability,
        is_closed,
        is_won,
        close_date,
        created_at,
        system_modstamp_at,
        _source_file,
        _loaded_at

    from deduplicated
    -- a record whose latest version is deleted is gone from everything downstream
    where not coalesce(is_deleted, false)

)

select * from final
