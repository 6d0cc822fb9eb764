{{
    config(
        severity='error',
        meta={
            "description": "Under every attribution model, the revenue credited to channels (fct_attribution, mart_channel_roi) adds up to the won revenue in mart_sales_monthly, to the cent.",
            "dagster": {"ref": {"name": "fct_attribution"}},
        },
    )
}}

{#-
    definitions §4 Unattributed: for every model, attributed won revenue summed over
    channels equals total won revenue (mart_sales_monthly), to the cent, both in
    fct_attribution and in mart_channel_roi. Returns the models (and the mart) that
    differ. A warehouse with won revenue but no attribution at all fails too.

    Checks fct_attribution (meta dagster ref): the attributed revenue is the number
    it guards (mart_channel_roi sums it); mart_sales_monthly gives the total to
    meet.
-#}

with

won_revenue as (

    select coalesce(sum(won_revenue), 0) as total_won_revenue
    from {{ ref('mart_sales_monthly') }}

),

attributed as (

    select
        'fct_attribution' as relation_name,
        model,
        sum(attributed_revenue) as attributed_revenue
    from {{ ref('fct_attribution') }}
    where conversion_type = 'deal_won'
    group by model

    union all

    select
        'mart_channel_roi' as relation_name,
        model,
        sum(attributed_revenue) as attributed_revenue
    from {{ ref('mart_channel_roi') }}
    group by model

    union all

    -- no model at all: compare against nothing attributed
    select
        'fct_attribution' as relation_name,
        'any' as model,
        0 as attributed_revenue
    from (select count(*) as row_count from {{ ref('fct_attribution') }}) as attribution_rows
    where row_count = 0

)

select
    attributed.relation_name,
    attributed.model,
    attributed.attributed_revenue,
    won_revenue.total_won_revenue
from attributed
cross join won_revenue
where abs(coalesce(attributed.attributed_revenue, 0) - won_revenue.total_won_revenue) >= 0.005
