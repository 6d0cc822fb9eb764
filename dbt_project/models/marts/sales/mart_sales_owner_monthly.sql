{#-
    definitions §5 Sales by opportunity owner: one row per month and OwnerId with
    activity for that owner (an opportunity created, or a deal closed won or lost);
    months without activity are absent, not zero-filled (mart_sales_monthly carries the
    zero-filled totals). The metrics come from the same macros as mart_sales_monthly
    (macros/marts/sales_metrics.sql), so the owners of a month add up to its totals
    (checked by sales_owner_monthly_adds_up_to_sales_monthly).
-#}

with

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

opportunity_months as (

    {{ sales_opportunity_months('opportunities') }}

),

created_monthly as (

    {{ sales_created_monthly('opportunity_months', grain_columns=['owner_id']) }}

),

closed_monthly as (

    {{ sales_closed_monthly('opportunity_months', grain_columns=['owner_id']) }}

),

-- the owner's months with activity; null-safe on owner_id so an opportunity without an
-- owner still counts (in a row whose owner_id is null)
owner_months as (

    select
        month,
        owner_id
    from created_monthly
    union
    select
        month,
        owner_id
    from closed_monthly

),

joined as (

    select
        owner_months.month,
        owner_months.owner_id,
        coalesce(created_monthly.new_opportunities, 0) as new_opportunities,
        coalesce(created_monthly.pipeline_created, 0) as pipeline_created,
        coalesce(closed_monthly.won_deals, 0) as won_deals,
        coalesce(closed_monthly.lost_deals, 0) as lost_deals,
        coalesce(closed_monthly.won_revenue, 0) as won_revenue
    from owner_months
    left join created_monthly
        on
            owner_months.month = created_monthly.month
            and (
                owner_months.owner_id = created_monthly.owner_id
                or (owner_months.owner_id is null and created_monthly.owner_id is null)
            )
    left join closed_monthly
        on
            owner_months.month = closed_monthly.month
            and (
                owner_months.owner_id = closed_monthly.owner_id
                or (owner_months.owner_id is null and closed_monthly.owner_id is null)
            )

),

final as (

    select
        -- ids
        {{ surrogate_key(['month', 'owner_id']) }} as sales_owner_month_id,
        owner_id,
        -- dates
        month,
        -- numbers
        new_opportunities,
        cast(pipeline_created as decimal(18, 6)) as pipeline_created,
        won_deals,
        lost_deals,
        cast(won_revenue as decimal(18, 6)) as won_revenue,
        {{ sales_win_rate('won_deals', 'lost_deals') }} as win_rate,
        {{ sales_avg_deal_size('won_revenue', 'won_deals') }} as avg_deal_size
    from joined

)

select * from final
