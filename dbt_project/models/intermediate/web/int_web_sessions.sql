{{
    config(
        materialized='incremental',
        unique_key=['browser_id_type', 'browser_id'],
    )
}}

{#-
    definitions §2: web sessions, one row per session, with their channel and campaign,
    assembled from the three models that each do one job: int_web_sessions_aggregated
    (events into sessions: landing attributes, counts, user), int_web_session_channels
    (the channel rules) and int_web_session_campaigns (campaign matching).

    Incremental by browser, as int_web_sessions_aggregated is: a session's row is its
    aggregated row with the channel and campaign of that row. An incremental build
    assembles again every session of each browser that
      - has a session aggregated since this model's last build (_loaded_at, the newest
        load among the session's events, is the watermark): late events split or join
        a browser's sessions, so all of the browser's rows are replaced (delete+insert
        on the browser) and none is left stale;
      - or has a stored session whose channel or campaign differs from the one
        int_web_session_channels and int_web_session_campaigns give now (an ad file that
        names a new campaign, a renamed single send).
    Every other browser's rows stay as they are. A change of the channel seeds or of a
    definition variable changes the project's fingerprint, so the next refresh rebuilds
    this model in full (orchestration/build_state.py).
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

{%- if is_incremental() %}

{#-
    The incremental build reads its inputs again in CTEs of its own, each used once:
    an input CTE used twice is materialized whole by DuckDB (633k sessions at medium
    scale, most of this build's time).
-#}

stored_sessions as (

    select * from {{ this }}

),

channels_now as (

    select * from {{ ref('int_web_session_channels') }}

),

campaigns_now as (

    select * from {{ ref('int_web_session_campaigns') }}

),

-- browsers with a session aggregated since the last build
arrived_browsers as (

    select
        browser_id_type,
        browser_id
    from {{ ref('int_web_sessions_aggregated') }}
    where _loaded_at > ({{ last_loaded_at() }})

),

-- browsers with a stored session whose channel or campaign is no longer the one given
rematched_browsers as (

    select
        stored_sessions.browser_id_type,
        stored_sessions.browser_id
    from stored_sessions
    left join channels_now
        on stored_sessions.session_id = channels_now.session_id
    left join campaigns_now
        on stored_sessions.session_id = campaigns_now.session_id
    where
        stored_sessions.channel is distinct from channels_now.channel
        or stored_sessions.campaign_id is distinct from campaigns_now.campaign_id
        or stored_sessions.campaign_name is distinct from campaigns_now.campaign_name
        or stored_sessions.campaign_platform is distinct from campaigns_now.campaign_platform

),

browsers_to_build as (

    select browser_id_type, browser_id from arrived_browsers

    union

    select browser_id_type, browser_id from rematched_browsers

),

sessions_to_build as (

    select sessions.*
    from sessions
    inner join browsers_to_build
        on
            sessions.browser_id_type = browsers_to_build.browser_id_type
            and sessions.browser_id = browsers_to_build.browser_id

),

{%- else %}

sessions_to_build as (

    select * from sessions

),

{%- endif %}

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
        sessions.session_ended_at,

        -- lineage
        sessions._loaded_at

    from sessions_to_build as sessions
    left join session_channels
        on sessions.session_id = session_channels.session_id
    left join session_campaigns
        on sessions.session_id = session_campaigns.session_id

)

select * from final
