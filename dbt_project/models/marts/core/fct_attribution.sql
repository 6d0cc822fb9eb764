{#-
    definitions §4: every conversion's credit per touchpoint and attribution model, as
    int_attribution_credits computes it, for BI, with the money: a won deal's revenue
    is its Opportunity's amount_in_reporting_currency (int_opportunities_converted,
    null as 0) and each row's attributed revenue is credit x that revenue. Lead
    conversions carry no revenue (attributed_revenue 0). The revenue joins here, not
    in the attribution models, so a missing exchange rate (fx_rate_available_for_deals)
    stops this mart and mart_channel_roi but not the leads of mart_marketing_daily.
-#}

with

attribution_credits as (

    select * from {{ ref('int_attribution_credits') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

-- a won deal's revenue: the Opportunity's amount in the reporting currency, null as 0
credits_with_revenue as (

    select
        attribution_credits.*,
        case
            when attribution_credits.conversion_type = 'deal_won'
                then cast(
                    coalesce(opportunities.amount_in_reporting_currency, 0)
                    as {{ dbt.type_numeric() }}
                )
        end as revenue_in_reporting_currency
    from attribution_credits
    left join opportunities
        on
            attribution_credits.conversion_type = 'deal_won'
            and attribution_credits.conversion_id = opportunities.opportunity_id

),

final as (

    select
        -- ids
        attribution_credit_id,
        conversion_id,
        session_id,
        person_id,
        campaign_id,
        -- strings
        conversion_type,
        model,
        channel,
        campaign_name,
        campaign_platform,
        -- numbers
        touch_number,
        touch_count,
        days_before_conversion,
        credit,
        revenue_in_reporting_currency,
        case
            when conversion_type = 'deal_won'
                then coalesce(
                    cast(credit * revenue_in_reporting_currency as {{ type_double() }}), 0
                )
            else 0
        end as attributed_revenue,
        -- booleans
        session_id is null as is_unattributed,
        -- dates
        -- a lead converts at a timestamp (its reporting-time-zone month); a won deal at
        -- its CloseDate, a date-only field used as it is
        case
            when conversion_type = 'deal_won'
                then cast({{ dbt.date_trunc('month', 'converted_at') }} as date)
            else cast({{ dbt.date_trunc('month', to_reporting_date('converted_at')) }} as date)
        end as conversion_month,
        -- timestamps
        session_started_at,
        converted_at,
        window_anchor_at
    from credits_with_revenue

)

select * from final
