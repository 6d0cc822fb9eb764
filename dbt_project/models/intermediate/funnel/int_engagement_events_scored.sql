{{
    config(
        materialized='incremental',
        unique_key='person_id',
        post_hook="{{ remove_tombstones(this, 'engagement_event_id') }}",
    )
}}

{#-
    definitions §3 Engagement score: every scored activity of a person with its points
    (rules and points from the engagement_points seed), the trailing score over
    [t - engagement_window_days, t], and the person's MQL-by-score time.

    Incremental by person: a person's rows depend only on that person's activities
    (rule, points, source event, time) and raw lead time, all of which the rows carry.
    An incremental build lists every activity as the full build does, compares it with
    the stored rows, and scores again only the persons with an activity added, removed
    or changed (a new or late event, an identity merge or split moving events between
    persons) or whose raw lead time changed (changed_persons); a tombstone row per such
    person (engagement_event_id null) makes delete+insert remove their old rows even
    when none is left, and the post-hook removes the tombstones. The window, the
    threshold and the points are variables and a seed: a change of one changes the
    project's fingerprint, and the next refresh rebuilds this model in full.
-#}

with

engagement_points as (

    select * from {{ ref('engagement_points') }}

),

web_sessions_persons_linked as (

    select * from {{ ref('int_web_sessions_persons_linked') }}

),

web_events_sessionized as (

    select * from {{ ref('int_web_events_sessionized') }}

),

sendgrid_events as (

    select * from {{ ref('stg_sendgrid__events') }}

),

identifiers_resolved as (

    select * from {{ ref('int_identifiers_resolved') }}

),

stage_candidates as (

    select * from {{ ref('int_funnel_stage_candidates') }}

),

email_persons as (

    select
        identifier_value as email_normalized,
        person_id
    from identifiers_resolved
    where identifier_type = 'email'

),

web_events_with_persons as (

    select
        web_events_sessionized.event_id,
        web_events_sessionized.event_type,
        web_events_sessionized.event_name,
        web_events_sessionized.page_path,
        web_events_sessionized.event_at,
        identifiers_resolved.person_id
    from web_events_sessionized
    inner join identifiers_resolved
        on
            web_events_sessionized.browser_id_type = identifiers_resolved.identifier_type
            and web_events_sessionized.browser_id = identifiers_resolved.identifier_value

),

session_activities as (

    select
        web_sessions_persons_linked.person_id,
        engagement_points.engagement_rule,
        engagement_points.points,
        web_sessions_persons_linked.session_id as source_event_id,
        web_sessions_persons_linked.session_started_at as event_at
    from web_sessions_persons_linked
    inner join engagement_points
        on engagement_points.activity_type = 'web_session'
    where web_sessions_persons_linked.person_id is not null

),

page_activities as (

    select
        web_events_with_persons.person_id,
        engagement_points.engagement_rule,
        engagement_points.points,
        web_events_with_persons.event_id as source_event_id,
        web_events_with_persons.event_at
    from web_events_with_persons
    inner join engagement_points
        on
            engagement_points.activity_type = 'page_path_prefix'
            and substr(web_events_with_persons.page_path, 1, length(engagement_points.match_value))
            = engagement_points.match_value
    where web_events_with_persons.event_type = 'page'

),

track_activities as (

    select
        web_events_with_persons.person_id,
        engagement_points.engagement_rule,
        engagement_points.points,
        web_events_with_persons.event_id as source_event_id,
        web_events_with_persons.event_at
    from web_events_with_persons
    inner join engagement_points
        on
            engagement_points.activity_type = 'track_event'
            and web_events_with_persons.event_name = engagement_points.match_value
    where web_events_with_persons.event_type = 'track'

),

-- machine opens included: the glossary scores every open
email_activities as (

    select
        email_persons.person_id,
        engagement_points.engagement_rule,
        engagement_points.points,
        sendgrid_events.event_id as source_event_id,
        sendgrid_events.event_at
    from sendgrid_events
    inner join engagement_points
        on
            engagement_points.activity_type = 'email_event'
            and sendgrid_events.event_type = engagement_points.match_value
    inner join email_persons
        on lower(trim(sendgrid_events.email)) = email_persons.email_normalized

),

activities as (

    select * from session_activities
    union all
    select * from page_activities
    union all
    select * from track_activities
    union all
    select * from email_activities

),

raw_lead_times as (

    select
        person_id,
        min(reached_at) as raw_lead_at
    from stage_candidates
    where stage = 'lead'
    group by person_id

),

{%- if is_incremental() %}

stored as (

    select * from {{ this }}

),

changed_persons as (

    -- an activity added, removed or changed (activities are unique on these keys)
    select coalesce(activities.person_id, stored.person_id) as person_id
    from activities
    full outer join stored
        on
            activities.person_id = stored.person_id
            and activities.engagement_rule = stored.engagement_rule
            and activities.source_event_id = stored.source_event_id
    where
        activities.person_id is null
        or stored.person_id is null
        or activities.points is distinct from stored.points
        or activities.event_at is distinct from stored.event_at

    union

    -- a stored person whose raw lead time changed (or who has none any more)
    select stored_lead_times.person_id
    from (select distinct person_id, raw_lead_at from stored) as stored_lead_times
    left join raw_lead_times
        on stored_lead_times.person_id = raw_lead_times.person_id
    where stored_lead_times.raw_lead_at is distinct from raw_lead_times.raw_lead_at

),

activities_to_score as (

    select *
    from activities
    where person_id in (select person_id from changed_persons)

),

{%- else %}

activities_to_score as (

    select * from activities

),

{%- endif %}

-- the trailing window includes both ends and every activity at the same instant
activities_scored as (

    select
        person_id,
        engagement_rule,
        points,
        source_event_id,
        event_at,
        sum(points) over (
            partition by person_id
            order by event_at
            range between interval '{{ var("engagement_window_days") }}' day preceding
            and current row
        ) as trailing_score
    from activities_to_score

),

mql_by_score as (

    select
        activities_scored.person_id,
        min(activities_scored.event_at) as mql_by_score_at
    from activities_scored
    inner join raw_lead_times
        on activities_scored.person_id = raw_lead_times.person_id
    where
        activities_scored.event_at >= raw_lead_times.raw_lead_at
        and activities_scored.trailing_score >= {{ var("mql_score_threshold") }}
    group by activities_scored.person_id

),

final as (

    select
        {{ surrogate_key([
            'activities_scored.person_id',
            'activities_scored.engagement_rule',
            'activities_scored.source_event_id',
        ]) }} as engagement_event_id,
        activities_scored.person_id,
        activities_scored.source_event_id,
        activities_scored.engagement_rule,
        activities_scored.points,
        activities_scored.trailing_score,
        coalesce(activities_scored.event_at = mql_by_score.mql_by_score_at, false)
            as is_mql_by_score_event,
        activities_scored.event_at,
        raw_lead_times.raw_lead_at,
        mql_by_score.mql_by_score_at
    from activities_scored
    left join raw_lead_times
        on activities_scored.person_id = raw_lead_times.person_id
    left join mql_by_score
        on activities_scored.person_id = mql_by_score.person_id

)

select * from final
{%- if is_incremental() %}

-- a tombstone per rescored person: deletes their stored rows even when none is rebuilt
union all

select
    cast(null as {{ dbt.type_string() }}) as engagement_event_id,
    person_id,
    cast(null as {{ dbt.type_string() }}) as source_event_id,
    cast(null as {{ dbt.type_string() }}) as engagement_rule,
    cast(null as {{ dbt.type_int() }}) as points,
    cast(null as {{ dbt.type_bigint() }}) as trailing_score,
    cast(null as boolean) as is_mql_by_score_event,
    cast(null as {{ dbt.type_timestamp() }}) as event_at,
    cast(null as {{ dbt.type_timestamp() }}) as raw_lead_at,
    cast(null as {{ dbt.type_timestamp() }}) as mql_by_score_at
from changed_persons
{%- endif %}
