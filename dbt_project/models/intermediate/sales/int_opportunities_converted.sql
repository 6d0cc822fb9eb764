{#-
    definitions §5 Sales and Currency: every opportunity with its amount (null is 0) in
    its own currency and in the reporting currency, converted at its CloseDate's rate
    when closed and at the latest published rate when open; won and lost as the
    glossary defines them.
-#}

with

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

-- the last day the ECB published a rate: "the latest rate" of an open opportunity
latest_rate as (

    {{ latest_fx_rate_date('fx_rates_daily') }}

),

-- a null IsClosed or IsWon is false
flagged as (

    select
        opportunity_id,
        account_id,
        campaign_id,
        owner_id,
        opportunity_name,
        stage_name,
        opportunity_type,
        lead_source,
        forecast_category,
        currency_code,
        amount,
        probability,
        coalesce(is_closed, false) as is_closed,
        coalesce(is_won, false) as is_won_flag,
        close_date,
        created_at

    from salesforce_opportunities

),

classified as (

    select
        flagged.opportunity_id,
        flagged.account_id,
        flagged.campaign_id,
        flagged.owner_id,
        flagged.opportunity_name,
        flagged.stage_name,
        flagged.opportunity_type,
        flagged.lead_source,
        flagged.forecast_category,
        flagged.currency_code,
        coalesce(flagged.amount, 0) as amount,
        flagged.amount is null as is_amount_missing,
        flagged.probability,
        flagged.is_closed,
        -- won means IsClosed and IsWon, whatever the Type; lost means closed and not won
        flagged.is_closed and flagged.is_won_flag as is_won,
        flagged.is_closed and not flagged.is_won_flag as is_lost,
        flagged.close_date,
        -- closed: the CloseDate's rate; open: the latest rate
        case
            when flagged.is_closed then flagged.close_date
            else latest_rate.latest_rate_date
        end as fx_rate_date,
        flagged.created_at

    from flagged
    cross join latest_rate

),

converted as (

    select
        classified.*,
        {{ convert_to_reporting_currency(
            'classified.amount',
            'classified.currency_code',
            'fx_rates_daily.units_per_eur',
            'fx_rates_daily.reporting_units_per_eur'
        ) }} as amount_in_reporting_currency

    from classified
    left join fx_rates_daily
        on
            classified.currency_code = fx_rates_daily.currency_code
            and classified.fx_rate_date = fx_rates_daily.calendar_date

),

final as (

    select
        -- ids
        opportunity_id,
        account_id,
        campaign_id,
        owner_id,

        -- strings
        opportunity_name,
        stage_name,
        opportunity_type,
        lead_source,
        forecast_category,
        currency_code,

        -- numbers
        amount,
        amount_in_reporting_currency,
        probability,

        -- booleans
        is_amount_missing,
        is_closed,
        is_won,
        is_lost,

        -- dates
        close_date,
        fx_rate_date,

        -- timestamps
        created_at

    from converted

)

select * from final
