{{
    config(
        severity='error',
        meta={
            "description": "Under every attribution model, the revenue credited to touchpoints adds up to the total won revenue, to the cent.",
            "dagster": {"ref": {"name": "fct_attribution"}},
        },
    )
}}

{#-
    definitions §4 Unattributed: for every model, attributed revenue summed over channels
    equals total won revenue (every won Opportunity of int_opportunities_converted,
    null amount as 0, the revenue fct_attribution gives a deal_won conversion), to the
    cent.

    Checks fct_attribution (meta dagster ref): the attributed revenue is the number it
    guards; int_opportunities_converted gives the total to meet. The attribution
    models carry no money, so this check lives on the mart that joins the revenue.
-#}

with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

models as (

    {%- for model in ['first_touch', 'last_touch', 'linear', 'position_based', 'time_decay'] %}
    select '{{ model }}' as model
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

won_revenue as (

    select
        coalesce(
            sum(cast(coalesce(amount_in_reporting_currency, 0) as {{ dbt.type_numeric() }})), 0
        ) as total_won_revenue
    from opportunities
    where is_won

),

attributed_revenue as (

    select
        model,
        sum(attributed_revenue) as total_attributed_revenue
    from attribution
    where conversion_type = 'deal_won'
    group by model

),

comparison as (

    select
        models.model,
        won_revenue.total_won_revenue,
        coalesce(attributed_revenue.total_attributed_revenue, 0) as total_attributed_revenue
    from models
    cross join won_revenue
    left join attributed_revenue
        on models.model = attributed_revenue.model

)

select *
from comparison
where abs(total_attributed_revenue - total_won_revenue) >= 0.005
