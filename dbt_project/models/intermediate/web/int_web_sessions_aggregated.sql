{{
    config(
        materialized='incremental',
        unique_key=['browser_id_type', 'browser_id'],
    )
}}

{#-
    definitions §2 Session: the sessionized events aggregated into sessions, one row per
    session, with the landing page, referrer, UTM values and click ids of its first
    event, its counts and times, and the first userId seen. The one pass over every
    event: int_web_session_channels and int_web_session_campaigns read this table.

    Incremental by browser, as int_web_events_sessionized is: an incremental build
    aggregates again every session of each browser with a sessionized event loaded
    since this model's last build (_loaded_at, the newest load among the session's
    events, is the watermark), and delete+insert on the browser replaces all of that
    browser's sessions, so sessions a late event split or joined leave no stale row.
    Every other browser's sessions stay as they are: they depend on that browser's
    events alone. A change of var session_timeout_minutes changes the project's
    fingerprint, so the next refresh rebuilds it in full, as int_web_events_sessionized.
-#}

with

sessionized_events as (

    {{ versions_to_rebuild(
        ref('int_web_events_sessionized'), ['browser_id_type', 'browser_id']
    ) }}

),

parsed_events as (

    select * from {{ ref('int_web_events_parsed') }}

),

session_aggregates as (

    select
        session_id,
        count(*) as event_count,
        count(*) filter (where event_type = 'page') as pageview_count,
        min(event_at) as session_started_at,
        max(event_at) as session_ended_at,
        max(_loaded_at) as _loaded_at

    from sessionized_events
    group by session_id

),

-- The first userId the session carries (a shared browser may sign in to two accounts).
user_events_ranked as (

    select
        session_id,
        user_id,
        row_number() over (
            partition by session_id
            order by event_at, event_id
        ) as user_event_rank

    from sessionized_events
    where user_id is not null

),

session_user_ids as (

    select
        session_id,
        user_id

    from user_events_ranked
    where user_event_rank = 1

),

-- definitions §2: landing page, referrer, UTM values and click ids come from the first
-- event; an internal referrer counts as no referrer
landing_events as (

    select
        sessionized_events.session_id,
        sessionized_events.session_start_event_id,
        sessionized_events.browser_id,
        sessionized_events.browser_id_type,
        sessionized_events.anonymous_id,
        sessionized_events.browser_session_number,
        parsed_events.page_url as landing_page_url,
        parsed_events.page_path as landing_page_path,
        parsed_events.page_host as landing_page_host,
        case
            when not parsed_events.is_internal_referrer then parsed_events.referrer_url
        end as referrer_url,
        case
            when not parsed_events.is_internal_referrer then parsed_events.referrer_host
        end as referrer_host,
        parsed_events.utm_source,
        parsed_events.utm_medium,
        parsed_events.utm_campaign,
        parsed_events.utm_term,
        parsed_events.utm_content,
        {%- for click_id in web_click_id_params() %}
        parsed_events.{{ click_id }},
        {%- endfor %}
        parsed_events.is_internal_referrer

    from sessionized_events
    inner join parsed_events
        on sessionized_events.event_id = parsed_events.event_id
    where sessionized_events.is_session_start

),

sessions_joined as (

    select
        landing_events.*,
        session_user_ids.user_id,
        session_aggregates.event_count,
        session_aggregates.pageview_count,
        session_aggregates.session_started_at,
        session_aggregates.session_ended_at,
        session_aggregates._loaded_at

    from landing_events
    inner join session_aggregates
        on landing_events.session_id = session_aggregates.session_id
    left join session_user_ids
        on landing_events.session_id = session_user_ids.session_id

),

final as (

    select
        -- ids
        session_id,
        session_start_event_id,
        browser_id,
        anonymous_id,
        user_id,

        -- strings
        browser_id_type,
        landing_page_url,
        landing_page_path,
        landing_page_host,
        referrer_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        {%- for click_id in web_click_id_params() %}
        {{ click_id }},
        {%- endfor %}

        -- numbers
        browser_session_number,
        event_count,
        pageview_count,

        -- timestamps
        session_started_at,
        session_ended_at,

        -- lineage
        _loaded_at

    from sessions_joined

)

select * from final
