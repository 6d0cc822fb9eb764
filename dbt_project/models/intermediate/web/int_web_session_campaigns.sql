{#-
    definitions §2 Campaign of a session: every session's campaign, one row per session,
    its utm_campaign (int_web_sessions_aggregated) matched to the campaigns of
    int_campaigns_unioned; ties go to the platform of the session's channel
    (int_web_session_channels).
-#}

with

sessions as (

    select * from {{ ref('int_web_sessions_aggregated') }}

),

session_channels as (

    select * from {{ ref('int_web_session_channels') }}

),

campaigns as (

    select * from {{ ref('int_campaigns_unioned') }}

),

ad_platform_channels as (

    select * from {{ ref('ad_platform_channels') }}

),

sessions_with_channels as (

    select
        sessions.session_id,
        sessions.utm_campaign,
        session_channels.channel

    from sessions
    left join session_channels
        on sessions.session_id = session_channels.session_id

),

-- definitions §2 Campaign of a session: an ad platform's campaign id (rank 1), else its
-- name (2), else an email campaign's id (3) or name (4). Ad platforms are those of the
-- ad_platform_channels seed; every other platform of int_campaigns_unioned is email.
campaign_platforms_typed as (

    select
        campaigns.platform,
        campaigns.campaign_id,
        campaigns.campaign_name,
        ad_platform_channels.channel as platform_channel,
        ad_platform_channels.platform is not null as is_ad_platform

    from campaigns
    left join ad_platform_channels
        on campaigns.platform = ad_platform_channels.platform

),

campaign_match_keys as (

    select
        platform,
        campaign_id,
        campaign_name,
        platform_channel,
        {{ match_key('campaign_id') }} as campaign_match_key,
        case when is_ad_platform then 1 else 3 end as match_rank

    from campaign_platforms_typed

    union all

    select
        platform,
        campaign_id,
        campaign_name,
        platform_channel,
        {{ match_key('campaign_name') }} as campaign_match_key,
        case when is_ad_platform then 2 else 4 end as match_rank

    from campaign_platforms_typed
    where {{ match_key('campaign_name') }} is not null

),

-- Every session once with each campaign it matches (once, without, when none). A value
-- matching several campaigns of the best rank (the same name on two platforms, or twice
-- on one): the platform whose channel is the session's wins, then platform, then
-- campaign id, in text order.
campaign_candidates_ranked as (

    select
        sessions_with_channels.session_id,
        sessions_with_channels.utm_campaign,
        campaign_match_keys.platform as campaign_platform,
        campaign_match_keys.campaign_id,
        campaign_match_keys.campaign_name as matched_campaign_name,
        row_number() over (
            partition by sessions_with_channels.session_id
            order by
                campaign_match_keys.match_rank,
                case
                    when campaign_match_keys.platform_channel = sessions_with_channels.channel
                        then 0
                    else 1
                end,
                campaign_match_keys.platform,
                campaign_match_keys.campaign_id
        ) as campaign_candidate_rank

    from sessions_with_channels
    left join campaign_match_keys
        on
            {{ match_key('sessions_with_channels.utm_campaign') }}
            = campaign_match_keys.campaign_match_key

),

sessions_with_campaigns as (

    select *
    from campaign_candidates_ranked
    where campaign_candidate_rank = 1

),

final as (

    select
        -- ids
        session_id,
        campaign_id,

        -- strings
        -- unmatched: the utm value as it came (so is a campaign known only by id)
        coalesce(matched_campaign_name, utm_campaign) as campaign_name,
        campaign_platform

    from sessions_with_campaigns

)

select * from final
