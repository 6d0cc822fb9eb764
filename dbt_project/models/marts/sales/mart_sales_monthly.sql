{#-
    definitions §5 Sales: one row per calendar month (reporting time zone: the
    `reporting_timezone` var, default UTC; to_reporting_date) of the sales calendar
    int_sales_months (the first to the last month with sales, spend, lead or MQL data),
    zeros where nothing happened. Created-side metrics
    use the month of CreatedDate, closed-side metrics the month of CloseDate; their
    definitions live in macros/marts/sales_metrics.sql, shared with
    mart_sales_owner_monthly.
-#}

with

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}

),

acquisition_costs_seed as (

    select * from {{ ref('acquisition_costs') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

targets as (

    select * from {{ ref('targets_monthly') }}

),

person_stages as (

    select * from {{ ref('int_person_stages') }}

),

sales_months as (

    select * from {{ ref('int_sales_months') }}

),

month_end_states as (

    select * from {{ ref('int_opportunity_month_end_states') }}

),

opportunity_months as (

    {{ sales_opportunity_months('opportunities') }}

),

spend_known as (

    {{ spend_known_from('ad_performance') }}

),

ad_spend_monthly as (

    select
        cast({{ dbt.date_trunc('month', 'report_date') }} as date) as month,
        sum(spend_in_reporting_currency) as ad_spend
    from ad_performance
    group by cast({{ dbt.date_trunc('month', 'report_date') }} as date)

),

acquisition_costs_monthly as (

    select
        cast({{ dbt.date_trunc('month', 'acquisition_costs_seed.cost_month') }} as date) as month,
        sum(
            {{ convert_to_reporting_currency(
                'acquisition_costs_seed.amount',
                'acquisition_costs_seed.currency_code',
                'fx_rates_daily.units_per_eur',
                'fx_rates_daily.reporting_units_per_eur'
            ) }}
        ) as acquisition_costs
    from acquisition_costs_seed
    left join fx_rates_daily
        on
            acquisition_costs_seed.currency_code = fx_rates_daily.currency_code
            and acquisition_costs_seed.cost_month = fx_rates_daily.calendar_date
    group by cast({{ dbt.date_trunc('month', 'acquisition_costs_seed.cost_month') }} as date)

),

-- definitions §5 Leads, MQLs: persons whose effective stage time falls in the month
lead_months as (

    select
        cast({{ dbt.date_trunc('month', to_reporting_date('lead_at')) }} as date) as month,
        count(*) as leads
    from person_stages
    where lead_at is not null
    group by cast({{ dbt.date_trunc('month', to_reporting_date('lead_at')) }} as date)

),

mql_months as (

    select
        cast({{ dbt.date_trunc('month', to_reporting_date('mql_at')) }} as date) as month,
        count(*) as mqls
    from person_stages
    where mql_at is not null
    group by cast({{ dbt.date_trunc('month', to_reporting_date('mql_at')) }} as date)

),

months as (

    select month from sales_months

),

created_monthly as (

    {{ sales_created_monthly('opportunity_months') }}

),

closed_monthly as (

    {{ sales_closed_monthly('opportunity_months') }}

),

-- definitions §5 New customers: accounts whose first won deal closes in the month
account_first_wins as (

    select
        account_id,
        min(close_month) as first_won_month
    from opportunity_months
    where is_won and account_id is not null
    group by account_id

),

new_customers_monthly as (

    select
        first_won_month as month,
        count(*) as new_customers
    from account_first_wins
    group by first_won_month

),

-- definitions §5 Churn: an account whose Renewal closed lost in the month (and none
-- of its Renewals closing that month was won)
renewal_accounts as (

    {{ sales_renewal_accounts('opportunity_months') }}

),

churn_monthly as (

    select
        close_month as month,
        count(*) as renewal_accounts,
        count(*) filter (where is_churned) as churned_accounts
    from renewal_accounts
    group by close_month

),

-- definitions §5 open pipeline at the month's last day: the opportunities open then,
-- at their stage and amount as of that day (int_opportunity_month_end_states, the
-- same rows mart_pipeline_by_stage adds up by stage and owner)
open_pipeline_monthly as (

    select
        sales_months.month,
        count(*) as open_opportunities,
        sum(month_end_states.amount_in_reporting_currency) as open_pipeline
    from month_end_states
    inner join sales_months on month_end_states.as_of_date = sales_months.month_end_date
    group by sales_months.month

),

joined as (

    select
        months.month,
        coalesce(created_monthly.new_opportunities, 0) as new_opportunities,
        coalesce(created_monthly.pipeline_created, 0) as pipeline_created,
        coalesce(closed_monthly.won_deals, 0) as won_deals,
        coalesce(closed_monthly.lost_deals, 0) as lost_deals,
        coalesce(closed_monthly.won_revenue, 0) as won_revenue,
        closed_monthly.median_sales_cycle_days,
        closed_monthly.mean_sales_cycle_days,
        coalesce(new_customers_monthly.new_customers, 0) as new_customers,
        {{ known_spend('coalesce(ad_spend_monthly.ad_spend, 0)', 'months.month', grain='month') }}
            as ad_spend,
        coalesce(acquisition_costs_monthly.acquisition_costs, 0) as acquisition_costs,
        coalesce(churn_monthly.renewal_accounts, 0) as renewal_accounts,
        coalesce(churn_monthly.churned_accounts, 0) as churned_accounts,
        coalesce(open_pipeline_monthly.open_opportunities, 0) as open_opportunities,
        coalesce(open_pipeline_monthly.open_pipeline, 0) as open_pipeline,
        coalesce(lead_months.leads, 0) as leads,
        coalesce(mql_months.mqls, 0) as mqls,
        targets.revenue as revenue_target,
        targets.leads as leads_target,
        targets.mqls as mqls_target,
        targets.new_customers as new_customers_target
    from months
    left join created_monthly on months.month = created_monthly.month
    left join closed_monthly on months.month = closed_monthly.month
    left join new_customers_monthly on months.month = new_customers_monthly.month
    left join ad_spend_monthly on months.month = ad_spend_monthly.month
    left join acquisition_costs_monthly on months.month = acquisition_costs_monthly.month
    left join churn_monthly on months.month = churn_monthly.month
    left join open_pipeline_monthly on months.month = open_pipeline_monthly.month
    left join lead_months on months.month = lead_months.month
    left join mql_months on months.month = mql_months.month
    left join targets on months.month = targets.month
    cross join spend_known

),

with_previous as (

    select
        joined.*,
        lag(joined.won_revenue) over (order by joined.month) as previous_won_revenue
    from joined

),

final as (

    select
        -- dates
        month,
        -- numbers: pipeline
        new_opportunities,
        cast(pipeline_created as decimal(18, 6)) as pipeline_created,
        open_opportunities,
        cast(open_pipeline as decimal(18, 6)) as open_pipeline,
        -- numbers: closed deals
        won_deals,
        lost_deals,
        cast(won_revenue as decimal(18, 6)) as won_revenue,
        {{ sales_win_rate('won_deals', 'lost_deals') }} as win_rate,
        {{ sales_avg_deal_size('won_revenue', 'won_deals') }} as avg_deal_size,
        median_sales_cycle_days,
        mean_sales_cycle_days,
        cast(previous_won_revenue as decimal(18, 6)) as previous_won_revenue,
        {{ safe_ratio('won_revenue', 'previous_won_revenue') }} - 1 as revenue_growth,
        -- numbers: customers and acquisition cost
        new_customers,
        cast(ad_spend as decimal(18, 6)) as ad_spend,
        cast(acquisition_costs as decimal(18, 6)) as acquisition_costs,
        cast((ad_spend + acquisition_costs) / nullif(new_customers, 0) as decimal(18, 6)) as cac,
        renewal_accounts,
        churned_accounts,
        {{ safe_ratio('churned_accounts', 'renewal_accounts') }} as churn,
        -- numbers: targets
        revenue_target,
        {{ safe_ratio('won_revenue', 'revenue_target') }} as revenue_attainment,
        leads,
        leads_target,
        {{ safe_ratio('leads', 'leads_target') }} as leads_attainment,
        mqls,
        mqls_target,
        {{ safe_ratio('mqls', 'mqls_target') }} as mqls_attainment,
        new_customers_target,
        {{ safe_ratio('new_customers', 'new_customers_target') }} as new_customers_attainment
    from with_previous

)

select * from final
