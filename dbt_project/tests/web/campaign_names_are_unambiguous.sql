{{
    config(
        severity='warn',
        meta={
            "description": "No campaign id or name (ignoring case and spaces) belongs to two campaigns, so web visits match one campaign without a tie-break.",
            "dagster": {"ref": {"name": "int_campaigns_unioned"}},
        },
    )
}}

{#-
    Campaign ids and names that match more than one campaign (compared trimmed and
    lowercased, as sessions match them). Sessions still get one campaign, by the
    documented tie-break (the platform of the session's channel, then platform, then
    campaign id), but a marketer should rename one of them. A warning, not an error.
-#}

with

campaigns as (

    select * from {{ ref('int_campaigns_unioned') }}

),

match_keys as (

    select platform, campaign_id, {{ match_key('campaign_id') }} as campaign_match_key
    from campaigns

    union

    select platform, campaign_id, {{ match_key('campaign_name') }} as campaign_match_key
    from campaigns
    where {{ match_key('campaign_name') }} is not null

)

select
    campaign_match_key,
    count(*) as campaign_count

from match_keys
group by campaign_match_key
having count(*) > 1
