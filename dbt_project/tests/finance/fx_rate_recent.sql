{{
    config(
        severity='warn',
        meta={
            "description": "Money is converted with an exchange rate at most 7 days old; an older rate means the FX file has stopped arriving.",
            "dagster": {"ref": {"name": "int_fx_rates_daily"}},
        },
    )
}}

{#-
    A warning: money converted with a rate published more than 7 days before its day.
    The ECB publishes every TARGET business day (the longest regular gap, Easter, is 4
    days), so an older rate means the FX landing file is stale, or the currency is no
    longer quoted, and the carried-forward rate may be wrong. Warn, not error: the
    glossary's rule (the last known rate on or before the day) still holds.

    Checks int_fx_rates_daily (meta dagster ref): staleness is a property of the
    rates, whichever money uses them.
-#}

with

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

money_days as (

    select distinct
        currency_code,
        report_date as money_date
    from ad_performance
    where currency_code <> '{{ var("reporting_currency") }}'

    union

    select distinct
        currency_code,
        fx_rate_date as money_date
    from opportunities
    where currency_code <> '{{ var("reporting_currency") }}'

),

-- the amount's currency and the reporting currency must both be recent
stale as (

    select
        money_days.currency_code,
        money_days.money_date,
        fx_rates_daily.published_rate_date,
        reporting_rates.published_rate_date as reporting_published_rate_date

    from money_days
    inner join fx_rates_daily
        on
            money_days.currency_code = fx_rates_daily.currency_code
            and money_days.money_date = fx_rates_daily.calendar_date
    inner join fx_rates_daily as reporting_rates
        on
            reporting_rates.currency_code = '{{ var("reporting_currency") }}'
            and money_days.money_date = reporting_rates.calendar_date
    where
        fx_rates_daily.published_rate_date
        < {{ dbt.dateadd('day', -7, 'money_days.money_date') }}
        or reporting_rates.published_rate_date
        < {{ dbt.dateadd('day', -7, 'money_days.money_date') }}

)

select * from stale
