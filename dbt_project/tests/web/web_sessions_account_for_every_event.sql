{{
    config(
        severity='error',
        meta={
            "description": "Every page view and tracked event belongs to exactly one web session.",
            "dagster": {"ref": {"name": "int_web_sessions"}},
        },
    )
}}

{#-
    Every page and track event is in exactly one session: the sessions' event counts add
    up to the parsed events, and there is one session per session-starting event.

    Checks int_web_sessions (meta dagster ref): the sessions whose counts it guards;
    the event models are what they must account for.
-#}

with

parsed_events as (

    select count(*) as event_count from {{ ref('int_web_events_parsed') }}

),

session_starts as (

    select count(*) filter (where is_session_start) as session_count
    from {{ ref('int_web_events_sessionized') }}

),

sessions as (

    select
        count(*) as session_count,
        coalesce(sum(event_count), 0) as event_count

    from {{ ref('int_web_sessions') }}

)

select
    parsed_events.event_count as parsed_event_count,
    sessions.event_count as sessionized_event_count,
    session_starts.session_count as session_start_count,
    sessions.session_count

from parsed_events
cross join session_starts
cross join sessions
where parsed_events.event_count <> sessions.event_count
    or session_starts.session_count <> sessions.session_count
