{#-
    definitions §5 Sales, written once for every sales mart (mart_sales_monthly,
    mart_sales_owner_monthly): a mart builds `opportunity_months` from
    int_opportunities_converted with sales_opportunity_months, aggregates it with
    sales_created_monthly / sales_closed_monthly at its own grain (month, plus any
    `grain_columns`), and derives win_rate and avg_deal_size with sales_win_rate and
    sales_avg_deal_size. Changing a definition here changes every sales mart alike.
-#}

{#-
    One row per opportunity of `opportunities` (shaped like int_opportunities_converted):
    a null amount is 0; created-side metrics use the reporting-time-zone month of
    CreatedDate, closed-side metrics the month of CloseDate (a date, used as it is).
-#}
{% macro sales_opportunity_months(opportunities) -%}
    select
        opportunity_id,
        account_id,
        owner_id,
        opportunity_type,
        is_closed,
        is_won,
        is_lost,
        coalesce(amount_in_reporting_currency, 0) as amount_in_reporting_currency,
        {{ to_reporting_date('created_at') }} as created_date,
        close_date,
        cast({{ dbt.date_trunc('month', to_reporting_date('created_at')) }} as date) as created_month,
        cast({{ dbt.date_trunc('month', 'close_date') }} as date) as close_month,
        {{ dbt.datediff(to_reporting_date('created_at'), 'close_date', 'day') }} as sales_cycle_days
    from {{ opportunities }}
{%- endmacro %}

{#- New opportunities and pipeline created, by created month (and `grain_columns`). -#}
{% macro sales_created_monthly(opportunity_months, grain_columns=[]) -%}
    select
        created_month as month,
        {%- for column in grain_columns %}
        {{ column }},
        {%- endfor %}
        count(*) as new_opportunities,
        sum(amount_in_reporting_currency) as pipeline_created
    from {{ opportunity_months }}
    group by created_month{% for column in grain_columns %}, {{ column }}{% endfor %}
{%- endmacro %}

{#-
    Won and lost deals, won revenue and the sales cycle of won deals, by CloseDate
    month (and `grain_columns`), over closed opportunities only.
-#}
{% macro sales_closed_monthly(opportunity_months, grain_columns=[]) -%}
    select
        close_month as month,
        {%- for column in grain_columns %}
        {{ column }},
        {%- endfor %}
        count(*) filter (where is_won) as won_deals,
        count(*) filter (where is_lost) as lost_deals,
        coalesce(sum(amount_in_reporting_currency) filter (where is_won), 0) as won_revenue,
        percentile_cont(0.5) within group (order by sales_cycle_days)
            filter (where is_won) as median_sales_cycle_days,
        avg(cast(sales_cycle_days as {{ ratio_type() }}))
            filter (where is_won) as mean_sales_cycle_days
    from {{ opportunity_months }}
    where is_closed
    group by close_month{% for column in grain_columns %}, {{ column }}{% endfor %}
{%- endmacro %}

{#- Win rate = won / (won + lost); null when nothing closed. -#}
{% macro sales_win_rate(won_deals, lost_deals) -%}
    {{ safe_ratio(won_deals, won_deals ~ ' + ' ~ lost_deals) }}
{%- endmacro %}

{#- Average deal size = won revenue / won deals, money; null without won deals. -#}
{% macro sales_avg_deal_size(won_revenue, won_deals) -%}
    cast({{ won_revenue }} / nullif({{ won_deals }}, 0) as decimal(18, 6))
{%- endmacro %}

{#-
    definitions §5 Churn, per account and CloseDate month over `opportunity_months`
    (from sales_opportunity_months): the accounts with a closed Renewal that month, and
    whether it churned (a Renewal closed lost and none won that month). Read by
    mart_sales_monthly (churn) and fct_opportunities (its renewal flags).
-#}
{% macro sales_renewal_accounts(opportunity_months) -%}
    select
        close_month,
        account_id,
        max(case when is_lost then 1 else 0 end) = 1
        and max(case when is_won then 1 else 0 end) = 0 as is_churned
    from {{ opportunity_months }}
    where
        is_closed
        and opportunity_type = 'Renewal'
        and account_id is not null
    group by close_month, account_id
{%- endmacro %}
