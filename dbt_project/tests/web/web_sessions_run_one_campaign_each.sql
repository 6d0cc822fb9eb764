{{
    config(
        severity='error',
        meta={
            "description": "Every campaign-tagged event of a web session carries its session's campaign: a new campaign starts a new session.",
            "dagster": {"ref": {"name": "int_web_sessions"}},
        },
    )
}}

{#-
    definitions §2 Session: a different non-empty utm_campaign starts a new session, so
    every campaign-tagged event of a session carries its session's campaign, the first
    event's (trimmed, case-insensitive).

    Checks int_web_sessions (meta dagster ref): the session's campaign is the value
    it guards.
-#}

with

events as (

    select * from {{ ref('int_web_events_sessionized') }}

),

sessions as (

    select * from {{ ref('int_web_sessions') }}

)

select
    events.event_id,
    events.session_id,
    events.utm_campaign,
    sessions.utm_campaign as session_utm_campaign

from events
inner join sessions
    on events.session_id = sessions.session_id
where {{ match_key('events.utm_campaign') }} is not null
    and {{ match_key('events.utm_campaign') }} <> coalesce({{ match_key('sessions.utm_campaign') }}, '')
