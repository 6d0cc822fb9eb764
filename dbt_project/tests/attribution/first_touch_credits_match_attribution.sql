{{
    config(
        severity='error',
        meta={
            "description": "A lead's first-touch credit (the channel and campaign marketing reports by day) is the one the first_touch attribution model gives it.",
            "dagster": {"ref": {"name": "int_first_touch_credits"}},
        },
    )
}}

{#-
    definitions §5 Leads: leads split by channel or campaign are credited by the
    first_touch model. int_first_touch_credits states the rule for leads and MQLs;
    int_attribution_credits computes every model for leads and deals. For each lead the
    two must name the same session, channel and campaign, or mart_marketing_daily's
    leads would not match mart_channel_roi's first_touch leads. Returns the leads that
    differ (or are in one only).

    Checks int_first_touch_credits (meta dagster ref): the credits the daily marketing
    mart counts; int_attribution_credits is what it must agree with.
-#}

with

first_touch_credits as (

    select
        person_id,
        lead_session_id as session_id,
        lead_channel as channel,
        lead_campaign_platform as campaign_platform,
        lead_campaign_id as campaign_id,
        lead_campaign_name as campaign_name
    from {{ ref('int_first_touch_credits') }}
    where lead_at is not null

),

attribution_first_touches as (

    select
        conversion_id as person_id,
        session_id,
        channel,
        campaign_platform,
        campaign_id,
        campaign_name
    from {{ ref('int_attribution_credits') }}
    where
        model = 'first_touch'
        and conversion_type = 'lead'
        and (touch_number = 1 or touch_number is null)

),

only_here as (

    select * from first_touch_credits
    except
    select * from attribution_first_touches

),

only_there as (

    select * from attribution_first_touches
    except
    select * from first_touch_credits

)

select
    'int_first_touch_credits' as found_in,
    *
from only_here

union all

select
    'int_attribution_credits' as found_in,
    *
from only_there
