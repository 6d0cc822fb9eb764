{#-
    definitions §2: web sessions, one row per session, with their channel and campaign,
    assembled from the three models that each do one job: int_web_sessions_aggregated
    (events into sessions: landing attributes, counts, user), int_web_session_channels
    (the channel rules) and int_web_session_campaigns (campaign matching).
-#}

with

sessions as (

    select * from {{ ref('int_web_sessions_aggregated') }}

),

session_channels as (

    select * from {{ ref('int_web_session_channels') }}

),

session_campaigns as (

    select * from {{ ref('int_web_session_campaigns') }}

),

final as (

    select
        -- ids
        sessions.session_id,
        sessions.session_start_event_id,
        sessions.browser_id,
        sessions.anonymous_id,
        sessions.user_id,
        session_campaigns.campaign_id,

        -- strings
        sessions.browser_id_type,
        sessions.landing_page_url,
        sessions.landing_page_path,
        sessions.landing_page_host,
        sessions.referrer_url,
        sessions.referrer_host,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.utm_term,
        sessions.utm_content,
        {%- for click_id in web_click_id_params() %}
        sessions.{{ click_id }},
        {%- endfor %}
        session_channels.channel,
        session_campaigns.campaign_name,
        session_campaigns.campaign_platform,

        -- numbers
        sessions.browser_session_number,
        sessions.event_count,
        sessions.pageview_count,

        -- timestamps
        sessions.session_started_at,
        sessions.session_ended_at

    from sessions
    left join session_channels
        on sessions.session_id = session_channels.session_id
    left join session_campaigns
        on sessions.session_id = session_campaigns.session_id

)

select * from final
