{#-
    definitions §5 Sales: every opportunity with its amount (null is 0) in its own
    currency and won and lost as the glossary defines them. No exchange rate: the
    models that need no money in the reporting currency (the funnel, the persons,
    attribution's conversions) read this one, so a missing rate stops only the money
    of int_opportunities_converted.
-#}

with

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

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
        flagged.created_at

    from flagged

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
        probability,

        -- booleans
        is_amount_missing,
        is_closed,
        is_won,
        is_lost,

        -- dates
        close_date,

        -- timestamps
        created_at

    from classified

)

select * from final
