{{
    config(
        severity='error',
        meta={
            "description": "Ad spend in mart_marketing_daily equals what every ad platform reports, converted to the reporting currency at each day's exchange rate, for every day and platform, to the cent.",
            "dagster": {"ref": {"name": "mart_marketing_daily"}},
        },
    )
}}

{#-
    definitions §5 Metrics and Currency, reconciled between layers: the spend of
    mart_marketing_daily per reporting date and platform equals the spend of the
    staging models of every platform in the var ad_platforms
    (stg_<platform>__ad_performance, the shared shape), each row converted to the reporting currency at
    its report date's rate (int_fx_rates_daily and the macro
    convert_to_reporting_currency: the one FX rule), to the cent. It reads staging,
    not int_ad_performance_unioned, so a row lost or doubled on the way to the mart
    (a fan-out join, a dropped platform) fails it. Ad-platform dates are account-time-
    zone dates used as they are (§5), so no reporting-time-zone shift applies. A row
    without a rate converts to null on both sides and is left to
    fx_rate_available_for_ad_spend. Returns the (date, platform) pairs that differ,
    with both values.

    Checks mart_marketing_daily (meta dagster ref): the mart whose spend it guards.
-#}

with

{% for platform in ad_platforms() %}
{{ platform }}_performance as (

    select * from {{ ref('stg_' ~ platform ~ '__ad_performance') }}

),

{% endfor %}
fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

marketing_daily as (

    select * from {{ ref('mart_marketing_daily') }}

),

staged_spend as (

    {% for platform in ad_platforms() %}
    select
        '{{ platform }}' as platform,
        currency_code,
        spend,
        report_date
    from {{ platform }}_performance
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}

),

expected as (

    select
        staged_spend.report_date as date,
        staged_spend.platform,
        count(*) as staged_rows,
        sum(
            {{ convert_to_reporting_currency(
                'staged_spend.spend',
                'staged_spend.currency_code',
                'fx_rates_daily.units_per_eur',
                'fx_rates_daily.reporting_units_per_eur'
            ) }}
        ) as expected_spend

    from staged_spend
    left join fx_rates_daily
        on
            staged_spend.currency_code = fx_rates_daily.currency_code
            and staged_spend.report_date = fx_rates_daily.calendar_date
    group by
        staged_spend.report_date,
        staged_spend.platform

),

-- the mart's rows without ad statistics (sessions, leads) carry spend 0, or null
-- before the first ad statistics (unknown spend): neither adds to a platform's spend
actual as (

    select
        date,
        platform,
        sum(spend) as actual_spend
    from marketing_daily
    group by
        date,
        platform

),

compared as (

    select
        coalesce(expected.date, actual.date) as date,
        coalesce(expected.platform, actual.platform) as platform,
        coalesce(expected.staged_rows, 0) as staged_rows,
        coalesce(expected.expected_spend, 0) as expected_spend,
        coalesce(actual.actual_spend, 0) as actual_spend,
        coalesce(actual.actual_spend, 0) - coalesce(expected.expected_spend, 0) as difference

    from expected
    full outer join actual
        on
            expected.date = actual.date
            and expected.platform = actual.platform

)

select *
from compared
where abs(difference) >= 0.005
