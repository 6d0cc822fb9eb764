{{ config(materialized='view') }}

{#-
    The key Segment tracks of the customer journey: form_submitted, demo_requested and
    signed_up, one row per `track` event named Form Submitted, Demo Requested or Signed
    Up in a session of a known person, at the event's time, with its session's channel
    and campaign (definitions §2 Session). These are the tracks definitions §3 names as
    Lead and MQL sources, but every one is an activity, with or without an email. Its
    features are the event name, page path and session. A view: the columns
    fct_customer_journey unions, computed when the fact reads them.
-#}

with

web_events as (

    select * from {{ ref('int_web_events_sessionized') }}

),

sessions as (

    select * from {{ ref('int_web_sessions_persons_linked') }}

),

final as (

    select
        web_events.event_id as source_record_id,
        sessions.person_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        web_events.event_at as activity_ts,
        case web_events.event_name
            when 'Form Submitted' then 'form_submitted'
            when 'Demo Requested' then 'demo_requested'
            when 'Signed Up' then 'signed_up'
        end as activity_type,
        sessions.channel,
        sessions.campaign_id,
        sessions.campaign_name,
        'segment' as source_system,
        cast(0 as decimal(18, 6)) as revenue_impact,
        {{ json_object_text([
            ['event_name', 'web_events.event_name'],
            ['page_path', 'web_events.page_path'],
            ['session_id', 'web_events.session_id'],
        ]) }} as feature_json
    from web_events
    inner join sessions
        on web_events.session_id = sessions.session_id
    where
        web_events.event_type = 'track'
        and web_events.event_name in ('Form Submitted', 'Demo Requested', 'Signed Up')
        and sessions.person_id is not null

)

select * from final
