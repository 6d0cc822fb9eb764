{#-
    definitions §5 Currency: every opportunity of int_opportunities_classified (amount,
    null as 0, in its own currency; won and lost as the glossary defines them) with
    its amount in the reporting currency, converted at its CloseDate's rate when
    closed and at the latest published rate when open. The models that show deal
    money read this one; a missing rate fails fx_rate_available_for_deals here.
-#}

with

opportunities_classified as (

    select * from {{ ref('int_opportunities_classified') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

-- the last day the ECB published a rate: "the latest rate" of an open opportunity
latest_rate as (

    {{ latest_fx_rate_date('fx_rates_daily') }}

),

rate_dated as (

    select
        opportunities_classified.*,
        -- closed: the CloseDate's rate; open: the latest rate
        case
            when opportunities_classified.is_closed then opportunities_classified.close_date
            else latest_rate.latest_rate_date
        end as fx_rate_date

    from opportunities_classified
    cross join latest_rate

),

converted as (

    select
        rate_dated.*,
        {{ convert_to_reporting_currency(
            'rate_dated.amount',
            'rate_dated.currency_code',
            'fx_rates_daily.units_per_eur',
            'fx_rates_daily.reporting_units_per_eur'
        ) }} as amount_in_reporting_currency

    from rate_dated
    left join fx_rates_daily
        on
            rate_dated.currency_code = fx_rates_daily.currency_code
            and rate_dated.fx_rate_date = fx_rates_daily.calendar_date

),

final as (

    select
        -- ids
        opportunity_id,
        account_id,
        campaign_id,
        owner_id,

        -- strings
        opportunity_name,
        stage_name,
        opportunity_type,
        lead_source,
        forecast_category,
        currency_code,

        -- numbers
        amount,
        amount_in_reporting_currency,
        probability,

        -- booleans
        is_amount_missing,
        is_closed,
        is_won,
        is_lost,

        -- dates
        close_date,
        fx_rate_date,

        -- timestamps
        created_at

    from converted

)

select * from final
