with

source as (

    select * from {{ source('fx', 'ecb_rates') }}

),

-- ECB writes N/A where it has no rate; ingestion skips those cells, this guards the cast.
published as (

    select *
    from source
    where
        nullif(trim(rate), '') is not null
        and upper(trim(rate)) != 'N/A'

),

renamed as (

    select
        -- strings
        currency_code,

        -- numbers: units of the currency per 1 EUR
        cast(rate as decimal(18, 6)) as units_per_eur,

        -- dates
        cast(rate_date as date) as rate_date,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from published

),

-- A republished file corrects earlier rates: the latest version wins.
deduplicated as (

    {{ deduplicate(
        'renamed',
        partition_by='rate_date, currency_code',
        order_by=arrival_order('desc')
    ) }}

),

final as (

    select
        {{ surrogate_key(['rate_date', 'currency_code']) }} as ecb_rate_id,
        currency_code,
        units_per_eur,
        rate_date,
        _source_file,
        _loaded_at

    from deduplicated

)

select * from final
