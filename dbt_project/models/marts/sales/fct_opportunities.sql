{#-
    definitions §5 Sales at its own grain: one row per opportunity, every one the CRM
    holds, with the created and close dates the sales metrics count by. The semantic
    layer (models/semantic/) reads deal revenue from here, so a deal's amount is counted
    once whatever the grouping (fct_customer_journey repeats it on every linked person).
    The rules are those of the monthly marts (macro sales_opportunity_months): a null
    Amount is 0, created-side metrics use the reporting-time-zone date of CreatedDate,
    closed-side metrics CloseDate as it is.
-#}

with

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

opportunity_months as (

    {{ sales_opportunity_months('opportunities') }}

),

-- definitions §5 New customers: the account's first won deal (the earliest CloseDate;
-- ties broken by opportunity id, so exactly one deal opens each account)
account_first_wins as (

    select
        opportunity_id,
        row_number() over (
            partition by account_id
            order by close_date, opportunity_id
        ) as account_win_number
    from opportunity_months
    where is_won and account_id is not null

),

-- definitions §5 Churn: per account and close month, whether its Renewals closing that
-- month were lost with none won
renewal_months as (

    {{ sales_renewal_accounts('opportunity_months') }}

),

final as (

    select
        -- ids
        opportunity_months.opportunity_id,
        opportunity_months.account_id,
        opportunity_months.owner_id,
        -- strings
        opportunities.stage_name,
        opportunity_months.opportunity_type,
        -- numbers
        cast(opportunity_months.amount_in_reporting_currency as decimal(18, 6))
            as amount_in_reporting_currency,
        -- bigint on every engine (Spark's datediff is an int)
        cast(
            case when opportunity_months.is_won then opportunity_months.sales_cycle_days end
            as {{ dbt.type_bigint() }}
        ) as sales_cycle_days,
        -- booleans
        opportunity_months.is_closed,
        opportunity_months.is_won,
        opportunity_months.is_lost,
        coalesce(account_first_wins.account_win_number = 1, false) as is_first_account_win,
        coalesce(
            renewal_months.account_id is not null and opportunity_months.is_closed,
            false
        ) as is_closed_renewal,
        coalesce(renewal_months.is_churned, false) as is_churned_renewal,
        -- dates
        opportunity_months.created_date,
        opportunity_months.close_date,
        case when opportunity_months.is_closed then opportunity_months.close_date end
            as closed_date
    from opportunity_months
    inner join opportunities
        on opportunity_months.opportunity_id = opportunities.opportunity_id
    left join account_first_wins
        on opportunity_months.opportunity_id = account_first_wins.opportunity_id
    left join renewal_months
        on
            opportunity_months.account_id = renewal_months.account_id
            and opportunity_months.close_month = renewal_months.close_month
            and opportunity_months.opportunity_type = 'Renewal'

)

select * from final
