{#- definitions §3: every candidate time of every funnel stage, long format. -#}

with

stage_candidates as (

    select * from {{ ref('int_funnel_stage_candidates') }}

),

engagement_events_scored as (

    select * from {{ ref('int_engagement_events_scored') }}

),

-- the activity whose trailing score first reached the threshold (smallest id on ties)
score_mqls as (

    select
        person_id,
        'mql' as stage,
        'engagement_score' as source,
        min(source_event_id) as source_record_id,
        min(event_at) as reached_at
    from engagement_events_scored
    where is_mql_by_score_event
    group by person_id

),

stage_events as (

    select
        person_id,
        stage,
        source,
        source_record_id,
        reached_at
    from stage_candidates

    union all

    select
        person_id,
        stage,
        source,
        source_record_id,
        reached_at
    from score_mqls

),

final as (

    select
        {{ surrogate_key(['person_id', 'stage', 'source', 'source_record_id']) }} as stage_event_id,
        person_id,
        stage,
        source,
        source_record_id,
        reached_at
    from stage_events

)

select * from final
