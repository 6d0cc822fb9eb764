{#-
    definitions §5 Sales, "a monthly mart has a row for every month from the first to the
    last month with data": the sales calendar, one row per calendar month (reporting
    time zone, to_reporting_date) from the first to the last month in which an
    opportunity was created or closed, ad spend was reported, or a person became a lead
    or an MQL, with the month's last day. mart_sales_monthly has a row per month of it,
    and the open pipeline is taken at its month ends (int_opportunity_month_end_states),
    so the monthly marts share one calendar.
-#}

with

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}

),

person_stages as (

    select * from {{ ref('int_person_stages') }}

),

-- the months that have data: an opportunity created, a deal closed, ad spend, a lead,
-- an MQL
data_months as (

    select cast({{ dbt.date_trunc('month', to_reporting_date('created_at')) }} as date) as month
    from opportunities

    union all

    select cast({{ dbt.date_trunc('month', 'close_date') }} as date) as month
    from opportunities
    where is_closed

    union all

    select cast({{ dbt.date_trunc('month', 'report_date') }} as date) as month
    from ad_performance

    union all

    select cast({{ dbt.date_trunc('month', to_reporting_date('lead_at')) }} as date) as month
    from person_stages
    where lead_at is not null

    union all

    select cast({{ dbt.date_trunc('month', to_reporting_date('mql_at')) }} as date) as month
    from person_stages
    where mql_at is not null

),

month_bounds as (

    select
        min(month) as first_month,
        max(month) as last_month
    from data_months

),

days as (

    {{ day_series('month_bounds', 'first_month', 'last_month', 'calendar_date') }}

),

months as (

    select distinct cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as month
    from days

),

final as (

    select
        -- dates
        month,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month')) }} as date)
            as month_end_date
    from months

)

select * from final
