{{
    config(
        severity='error',
        meta={
            "description": "Within a web session no two consecutive events are further apart than the session timeout (30 minutes by default), and no session mixes two browsers.",
            "dagster": {"ref": {"name": "int_web_events_sessionized"}},
        },
    )
}}

{#-
    definitions §2 Session: inside a session no gap between consecutive events exceeds
    session_timeout_minutes, and a session's events all belong to one browser.
-#}

with

events as (

    select * from {{ ref('int_web_events_sessionized') }}

),

gaps as (

    select
        session_id,
        event_id,
        browser_id,
        event_at,
        lag(event_at) over (partition by session_id order by event_at, event_id) as previous_event_at,
        -- a session of two browsers changes browser between an event and the last one
        -- before it that has a browser (nulls skipped, as a smallest and largest id
        -- would skip them; the same order as the gap's, so one sort, not a second
        -- window for the smallest and largest id: ~0.3 s less a refresh at medium scale)
        {{ last_value_ignore_nulls('browser_id') }} over (
            partition by session_id
            order by event_at, event_id
            rows between unbounded preceding and 1 preceding
        ) as previous_browser_id

    from events

)

select *
from gaps
where previous_browser_id <> browser_id
    or {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_event_at') }} < event_at
