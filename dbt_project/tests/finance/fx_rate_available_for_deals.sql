{{
    config(
        severity='error',
        meta={
            "description": "Every deal amount has an exchange rate to the reporting currency on or before its date (CloseDate, the latest rate for open ones), so no revenue or pipeline is left unconverted.",
            "dagster": {"ref": {"name": "int_opportunities_converted"}},
        },
    )
}}

{#-
    definitions intro: "a missing rate is a check failure, never a silent 1.0". Fails
    with every opportunity that needed an FX rate and found none on or before its day
    (its amount in the reporting currency is null): at its CloseDate, open ones at the
    latest rate. An amount already in the reporting currency needs no rate and never
    fails. Ad spend has its own check, fx_rate_available_for_ad_spend.

    Checks int_opportunities_converted (meta dagster ref), the only model that
    converts deal amounts. A failure stops the marts that show deal money, all
    downstream of it: fct_attribution (won revenue per touchpoint), mart_channel_roi,
    mart_sales_monthly, mart_sales_owner_monthly, mart_pipeline_by_stage and
    fct_customer_journey. The funnel, the persons and the leads read
    int_opportunities_classified (no rate) and still build: dim_persons, mart_funnel,
    mart_marketing_daily and mart_email_campaigns.
-#}

with

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

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

    select * from missing_opportunity_rates

)

select * from final
