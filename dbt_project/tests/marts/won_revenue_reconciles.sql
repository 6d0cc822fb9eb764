{{
    config(
        severity='error',
        meta={
            "description": "Each month's won deals and won revenue in mart_sales_monthly equal the deals closed won in Salesforce that month, each counted once and converted to the reporting currency at its close date's exchange rate, to the cent.",
            "dagster": {"ref": {"name": "mart_sales_monthly"}},
        },
    )
}}

{#-
    definitions §5 Sales and Currency, reconciled between layers: per calendar month of
    CloseDate, mart_sales_monthly's won_deals equal the number of won Opportunities in
    stg_salesforce__opportunities (won = IsClosed and IsWon; deleted ones are already
    gone from staging), and its won_revenue equals their amounts (a null Amount is 0)
    converted to the reporting currency at the CloseDate's rate (int_fx_rates_daily and
    the macro convert_to_reporting_currency: the one FX rule), to the cent. CloseDate
    is a date, used as it is (§3), so no reporting-time-zone shift applies. It reads
    staging, not int_opportunities_converted, so a deal counted twice (or lost) on the
    way to the mart fails it; deals are counted before the rate join, so a fan-out
    there cannot hide one. A deal without a rate converts to null on both sides and is
    left to fx_rate_available_for_deals. A won deal without a CloseDate has no month
    and fails here: the mart cannot show it. Returns the months that differ, with both
    values.

    Checks mart_sales_monthly (meta dagster ref): the mart whose numbers it guards.
-#}

with

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

sales_monthly as (

    select * from {{ ref('mart_sales_monthly') }}

),

won_opportunities as (

    select
        opportunity_id,
        currency_code,
        coalesce(amount, 0) as amount,
        close_date,
        cast({{ dbt.date_trunc('month', 'close_date') }} as date) as month

    from salesforce_opportunities
    where coalesce(is_closed, false) and coalesce(is_won, false)

),

won_deals_monthly as (

    select
        month,
        count(distinct opportunity_id) as expected_won_deals
    from won_opportunities
    group by month

),

won_revenue_monthly as (

    select
        won_opportunities.month,
        sum(
            {{ convert_to_reporting_currency(
                'won_opportunities.amount',
                'won_opportunities.currency_code',
                'fx_rates_daily.units_per_eur',
                'fx_rates_daily.reporting_units_per_eur'
            ) }}
        ) as expected_won_revenue

    from won_opportunities
    left join fx_rates_daily
        on
            won_opportunities.currency_code = fx_rates_daily.currency_code
            and won_opportunities.close_date = fx_rates_daily.calendar_date
    group by won_opportunities.month

),

expected as (

    select
        won_deals_monthly.month,
        won_deals_monthly.expected_won_deals,
        coalesce(won_revenue_monthly.expected_won_revenue, 0) as expected_won_revenue

    from won_deals_monthly
    left join won_revenue_monthly
        on won_deals_monthly.month = won_revenue_monthly.month

),

compared as (

    select
        coalesce(expected.month, sales_monthly.month) as month,
        coalesce(expected.expected_won_deals, 0) as expected_won_deals,
        coalesce(sales_monthly.won_deals, 0) as actual_won_deals,
        coalesce(expected.expected_won_revenue, 0) as expected_won_revenue,
        coalesce(sales_monthly.won_revenue, 0) as actual_won_revenue,
        coalesce(sales_monthly.won_revenue, 0)
        - coalesce(expected.expected_won_revenue, 0) as won_revenue_difference

    from expected
    full outer join sales_monthly
        on expected.month = sales_monthly.month

)

select *
from compared
where expected_won_deals <> actual_won_deals
    or abs(won_revenue_difference) >= 0.005
