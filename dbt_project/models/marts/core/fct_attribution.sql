{#-
    definitions §4: every conversion's credit per touchpoint and attribution model, as
    int_attribution_credits computes it, for BI. Lead conversions carry no revenue
    (attributed_revenue 0).
-#}

with

attribution_credits as (

    select * from {{ ref('int_attribution_credits') }}

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
        case
            when conversion_type = 'deal_won' then revenue_in_reporting_currency
        end as revenue_in_reporting_currency,
        case
            when conversion_type = 'deal_won' then coalesce(attributed_revenue, 0)
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
    from attribution_credits

)

select * from final
