{{
    config(
        materialized='incremental',
        unique_key=['browser_id_type', 'browser_id'],
    )
}}

{#-
    definitions §2 Session, in three window passes over one browser's events in time
    order (ties by event_id), no self-join:
      1. gap to the browser's previous event: more than session_timeout_minutes starts
         a new session (exactly the timeout stays);
      2. the session's campaign so far: an event with a non-empty utm_campaign that
         differs (trimmed, case-insensitive) from it starts a new session;
      3. the session's first event id carried forward: session_id and number.
-#}

{#-
    Incremental by browser: sessions never span browsers, so an incremental build
    re-sessionizes every event of each browser with an event parsed since its last
    build (a late event may split or join that browser's sessions and renumber them),
    and leaves every other browser alone. A change of var session_timeout_minutes
    changes the project's fingerprint, so the next refresh rebuilds it in full
    (orchestration/build_state.py).
-#}

with

parsed_events as (

    {{ versions_to_rebuild(ref('int_web_events_parsed'), ['browser_id_type', 'browser_id']) }}

),

-- The windows below sort every event of a browser three times: only the columns this
-- model returns ride along (page URLs, referrers and UTM values stay in the parsed
-- events, joined by event_id where needed).
events as (

    select
        event_id,
        browser_id,
        browser_id_type,
        anonymous_id,
        user_id,
        event_type,
        event_name,
        page_path,
        utm_campaign,
        event_at,
        _loaded_at

    from parsed_events

),

-- pass 1: the previous event of the same browser
previous_events_found as (

    select
        *,
        {{ match_key('utm_campaign') }} as campaign_key,
        lag(event_at) over (
            partition by browser_id_type, browser_id
            order by event_at, event_id
        ) as previous_event_at

    from events

),

-- A gap of exactly the timeout stays in the session: only a longer one splits.
timeouts_flagged as (

    select
        *,
        (
            previous_event_at is null
            or {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_event_at') }}
            < event_at
        ) as is_after_timeout

    from previous_events_found

),

-- The campaign a session is running under is its first event's utm_campaign (none when
-- that has none). Because any other non-empty campaign splits the session, it is also
-- the last non-empty campaign seen since the last timeout, which a window can carry: the
-- marker is the event's campaign, or '' (no campaign) on an event after a timeout, so
-- the last non-null marker before an event never reaches back across a timeout.
campaign_markers_set as (

    select
        *,
        case
            when campaign_key is not null then campaign_key
            when is_after_timeout then ''
        end as campaign_marker

    from timeouts_flagged

),

-- pass 2: the campaign of the session so far, as of the previous event
session_campaigns_carried as (

    select
        *,
        {{ last_value_ignore_nulls('campaign_marker') }} over (
            partition by browser_id_type, browser_id
            order by event_at, event_id
            rows between unbounded preceding and 1 preceding
        ) as running_campaign_key

    from campaign_markers_set

),

-- An empty utm_campaign never splits; a non-empty one splits when it differs from the
-- session's, including a session that so far has none.
session_starts_flagged as (

    select
        *,
        (
            is_after_timeout
            or (campaign_key is not null and campaign_key != coalesce(running_campaign_key, ''))
        ) as is_session_start

    from session_campaigns_carried

),

-- pass 3: every event gets the id of its session's first event
session_starts_carried as (

    select
        *,
        {{ last_value_ignore_nulls('case when is_session_start then event_id end') }} over (
            partition by browser_id_type, browser_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as session_start_event_id,
        sum(case when is_session_start then 1 else 0 end) over (
            partition by browser_id_type, browser_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as browser_session_number

    from session_starts_flagged

),

final as (

    select
        -- ids
        event_id,
        {{ surrogate_key(['browser_id', 'session_start_event_id']) }} as session_id,
        session_start_event_id,
        browser_id,
        browser_id_type,
        anonymous_id,
        user_id,

        -- strings
        event_type,
        event_name,
        page_path,
        utm_campaign,

        -- numbers
        browser_session_number,

        -- booleans
        is_session_start,

        -- timestamps
        event_at,

        -- lineage
        _loaded_at

    from session_starts_carried

)

select * from final
