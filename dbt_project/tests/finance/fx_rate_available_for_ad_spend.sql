{{
    config(
        severity='error',
        meta={
            "description": "Every day of ad spend has an exchange rate to the reporting currency on or before its day, so no spend is left unconverted.",
            "dagster": {"ref": {"name": "int_ad_performance_unioned"}},
        },
    )
}}

{#-
    definitions intro: "a missing rate is a check failure, never a silent 1.0". Fails
    with every row of ad statistics that needed an FX rate and found none on or before
    its report date (its spend in the reporting currency is null). Spend already in
    the reporting currency needs no rate and never fails. Deal amounts have their own
    check, fx_rate_available_for_deals.

    Checks int_ad_performance_unioned (meta dagster ref), the only model that converts
    ad spend. A failure stops the marts that show spend, all downstream of it:
    mart_marketing_daily, mart_channel_roi, mart_sales_monthly (acquisition cost) and
    mart_pipeline_by_stage (which reads mart_sales_monthly).
-#}

with

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}

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

final as (

    select * from missing_ad_rates

)

select * from final
