{{
    config(
        severity='error',
        meta={
            "description": "Every deal amount and every day of ad spend has an exchange rate to the reporting currency on or before its day, so no money is left unconverted.",
            "dagster": {"ref": {"name": "int_opportunities_converted"}},
        },
    )
}}

{#-
    definitions intro: "a missing rate is a check failure, never a silent 1.0". Fails
    with every money row that needed an FX rate and found none on or before its day
    (its amount in the reporting currency is null): ad statistics at their report
    date, opportunities at their CloseDate (open ones at the latest rate). An amount
    already in the reporting currency needs no rate and never fails.

    Checks int_opportunities_converted (meta dagster ref), though it reads ad spend
    too: every mart that shows converted money (won revenue, pipeline, and the spend
    of mart_marketing_daily, mart_channel_roi and mart_sales_monthly) is downstream
    of it, so a blocking failure there stops them all; int_ad_performance_unioned's
    marts are a subset.
-#}

with

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

missing_ad_rates as (

    select
        'int_ad_performance_unioned' as model_name,
        ad_performance_id as row_id,
        currency_code,
        report_date as rate_needed_for_date,
        spend as amount

    from ad_performance
    where spend_in_reporting_currency is null

),

missing_opportunity_rates as (

    select
        'int_opportunities_converted' as model_name,
        opportunity_id as row_id,
        currency_code,
        fx_rate_date as rate_needed_for_date,
        amount

    from opportunities
    where amount_in_reporting_currency is null

),

final as (

    select * from missing_ad_rates
    union all
    select * from missing_opportunity_rates

)

select * from final
