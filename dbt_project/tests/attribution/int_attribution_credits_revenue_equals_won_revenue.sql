{{
    config(
        severity='error',
        meta={
            "description": "Under every attribution model, the revenue credited to touchpoints adds up to the total won revenue, to the cent.",
            "dagster": {"ref": {"name": "int_attribution_credits"}},
        },
    )
}}

{#-
    definitions §4 Unattributed: for every model, attributed revenue summed over channels
    equals total won revenue (every won Opportunity, null amount as 0: the deal_won rows
    of int_attribution_conversions, whose unit test shows it holds every won
    Opportunity), to the cent.

    Checks int_attribution_credits (meta dagster ref): the attributed revenue is the
    number it guards; int_attribution_conversions gives the total to meet.
-#}

with

credits as (

    select * from {{ ref('int_attribution_credits') }}

),

conversions as (

    select * from {{ ref('int_attribution_conversions') }}

),

models as (

    {%- for model in ['first_touch', 'last_touch', 'linear', 'position_based', 'time_decay'] %}
    select '{{ model }}' as model
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

won_revenue as (

    select coalesce(sum(revenue_in_reporting_currency), 0) as total_won_revenue
    from conversions
    where conversion_type = 'deal_won'

),

attributed_revenue as (

    select
        model,
        sum(attributed_revenue) as total_attributed_revenue
    from credits
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
