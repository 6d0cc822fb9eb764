{#-
    definitions §5 Sales, "open pipeline by stage as of a date": every opportunity open
    at every month end of the sales calendar (int_sales_months), with its stage, owner,
    probability and amount as of that day. mart_pipeline_by_stage (by stage and owner)
    and mart_sales_monthly (open_opportunities, open_pipeline) both add it up, so the
    two marts, and the semantic layer's open_pipeline, give one number.

    As of a date D (a reporting date, var reporting_timezone) an opportunity is open
    when it was created on or before D and
    - its latest OpportunityHistory row created on or before D (reporting date of
      CreatedDate <= D, i.e. CreatedDate before the end of D) is not in a closed stage,
    - or, with no such row, it was not closed by D (not IsClosed, or CloseDate > D).
    Its stage at D is that row's StageName, else the opportunity's current StageName;
    its amount that row's Amount, else the opportunity's (a null Amount is 0); its
    probability likewise. Amounts convert at the latest rate, as int_opportunities_converted
    converts open opportunities, because on D the deal was open.
-#}

with

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

opportunity_histories as (

    select * from {{ ref('stg_salesforce__opportunity_histories') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

sales_months as (

    select * from {{ ref('int_sales_months') }}

),

-- the same latest rate int_opportunities_converted gives open opportunities
latest_rate as (

    {{ latest_fx_rate_date('fx_rates_daily') }}

),

month_ends as (

    select month_end_date as as_of_date
    from sales_months

),

-- OpportunityHistory carries no IsClosed: a StageName is a closed stage when an
-- opportunity currently in it is closed (Salesforce derives IsClosed from the stage)
closed_stages as (

    select stage_name
    from opportunities
    where stage_name is not null
    group by stage_name
    having max(case when is_closed then 1 else 0 end) = 1

),

opportunity_dates as (

    select
        opportunity_id,
        owner_id,
        stage_name,
        currency_code,
        amount,
        probability,
        is_closed,
        close_date,
        {{ to_reporting_date('created_at') }} as created_date
    from opportunities

),

-- a history row without a StageName says nothing about the stage: skipped
history_dates as (

    select
        opportunity_history_id,
        opportunity_id,
        stage_name,
        amount,
        probability,
        created_at,
        {{ to_reporting_date('created_at') }} as history_date
    from opportunity_histories
    where stage_name is not null

),

-- every opportunity at every month end on or after its creation
opportunity_month_ends as (

    select
        month_ends.as_of_date,
        opportunity_dates.opportunity_id,
        opportunity_dates.owner_id,
        opportunity_dates.stage_name,
        opportunity_dates.currency_code,
        opportunity_dates.amount,
        opportunity_dates.probability,
        opportunity_dates.is_closed,
        opportunity_dates.close_date
    from month_ends
    inner join opportunity_dates
        on month_ends.as_of_date >= opportunity_dates.created_date

),

-- the latest history row of each opportunity as of each month end (ties: the greater Id)
ranked_histories as (

    select
        opportunity_month_ends.as_of_date,
        history_dates.opportunity_id,
        history_dates.stage_name,
        history_dates.amount,
        history_dates.probability,
        row_number() over (
            partition by opportunity_month_ends.as_of_date, history_dates.opportunity_id
            order by history_dates.created_at desc, history_dates.opportunity_history_id desc
        ) as recency
    from opportunity_month_ends
    inner join history_dates
        on
            opportunity_month_ends.opportunity_id = history_dates.opportunity_id
            and opportunity_month_ends.as_of_date >= history_dates.history_date

),

latest_histories as (

    select
        as_of_date,
        opportunity_id,
        stage_name,
        amount,
        probability
    from ranked_histories
    where recency = 1

),

states as (

    select
        opportunity_month_ends.as_of_date,
        opportunity_month_ends.opportunity_id,
        opportunity_month_ends.owner_id,
        opportunity_month_ends.currency_code,
        latest_histories.opportunity_id is not null as has_history,
        coalesce(latest_histories.stage_name, opportunity_month_ends.stage_name) as stage_name,
        case
            when latest_histories.opportunity_id is not null
                then coalesce(latest_histories.amount, opportunity_month_ends.amount)
            else opportunity_month_ends.amount
        end as amount,
        case
            when latest_histories.opportunity_id is not null
                then coalesce(latest_histories.probability, opportunity_month_ends.probability)
            else opportunity_month_ends.probability
        end as probability,
        opportunity_month_ends.is_closed,
        opportunity_month_ends.close_date
    from opportunity_month_ends
    left join latest_histories
        on
            opportunity_month_ends.opportunity_id = latest_histories.opportunity_id
            and opportunity_month_ends.as_of_date = latest_histories.as_of_date

),

open_states as (

    select
        states.as_of_date,
        states.opportunity_id,
        states.owner_id,
        states.stage_name,
        states.currency_code,
        states.amount,
        states.probability
    from states
    left join closed_stages on states.stage_name = closed_stages.stage_name
    where
        (states.has_history and closed_stages.stage_name is null)
        or (
            not states.has_history
            and not (states.is_closed and states.close_date <= states.as_of_date)
        )

),

converted as (

    select
        open_states.as_of_date,
        open_states.opportunity_id,
        open_states.owner_id,
        open_states.stage_name,
        open_states.probability,
        {{ convert_to_reporting_currency(
            'open_states.amount',
            'open_states.currency_code',
            'fx_rates_daily.units_per_eur',
            'fx_rates_daily.reporting_units_per_eur'
        ) }} as amount_in_reporting_currency
    from open_states
    cross join latest_rate
    left join fx_rates_daily
        on
            open_states.currency_code = fx_rates_daily.currency_code
            and latest_rate.latest_rate_date = fx_rates_daily.calendar_date

),

final as (

    select
        -- ids
        {{ surrogate_key(['converted.as_of_date', 'converted.opportunity_id']) }}
            as opportunity_month_end_id,
        converted.opportunity_id,
        converted.owner_id,
        -- strings
        converted.stage_name,
        -- numbers
        converted.probability,
        coalesce(converted.amount_in_reporting_currency, 0) as amount_in_reporting_currency,
        -- dates
        converted.as_of_date
    from converted

)

select * from final
