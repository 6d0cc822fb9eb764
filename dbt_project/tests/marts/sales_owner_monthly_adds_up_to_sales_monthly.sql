{{
    config(
        severity='error',
        meta={
            "description": "Each month, the sales owners' won revenue and new opportunities add up to the month's totals in mart_sales_monthly.",
            "dagster": {"ref": {"name": "mart_sales_owner_monthly"}},
        },
    )
}}

{#-
    definitions §5 Sales: mart_sales_owner_monthly splits mart_sales_monthly by owner,
    so per month the owners' won_revenue adds up to the month's won_revenue to the cent
    and their new_opportunities to the month's new_opportunities. Returns the months
    that differ, on either side (a month with activity missing from one mart fails too;
    mart_sales_monthly's zero-filled months must sum to zero).

    Checks mart_sales_owner_monthly (meta dagster ref): the split by owner must add
    up to the company total, not the other way round.
-#}

with

sales_monthly as (

    select * from {{ ref('mart_sales_monthly') }}

),

sales_owner_monthly as (

    select * from {{ ref('mart_sales_owner_monthly') }}

),

owner_totals as (

    select
        month,
        sum(won_revenue) as won_revenue,
        sum(new_opportunities) as new_opportunities
    from sales_owner_monthly
    group by month

),

compared as (

    select
        coalesce(sales_monthly.month, owner_totals.month) as month,
        coalesce(sales_monthly.won_revenue, 0) as monthly_won_revenue,
        coalesce(owner_totals.won_revenue, 0) as owners_won_revenue,
        coalesce(sales_monthly.new_opportunities, 0) as monthly_new_opportunities,
        coalesce(owner_totals.new_opportunities, 0) as owners_new_opportunities
    from sales_monthly
    full outer join owner_totals on sales_monthly.month = owner_totals.month

)

select *
from compared
where abs(monthly_won_revenue - owners_won_revenue) >= 0.005
    or monthly_new_opportunities <> owners_new_opportunities
