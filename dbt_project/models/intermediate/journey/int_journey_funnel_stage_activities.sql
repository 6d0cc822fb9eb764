{{ config(materialized='view') }}

{#-
    definitions §3 (effective stage times): the lead_created, became_mql and became_sql
    activities of the customer journey, one row per person and stage reached, at the
    person's effective time of that stage (int_person_stages). Source system
    `warehouse`, since the times are derived; the person is its own source record. Its
    features are the stage, its raw time, whether the effective time was taken from a
    later stage (funnel order), and the earliest raw source of the stage. Opportunity
    and Customer are the CRM activities (int_journey_opportunity_activities). A view:
    the columns fct_customer_journey unions, computed when the fact reads them.
-#}

{%- set stage_activity_types = [
    ('lead', 'lead_created'), ('mql', 'became_mql'), ('sql', 'became_sql'),
] %}

with

person_stages as (

    select * from {{ ref('int_person_stages') }}

),

funnel_stage_events as (

    select * from {{ ref('int_funnel_stage_events') }}

),

-- the earliest raw source of each person's stage, for the stage activities' features
first_stage_sources as (

    select
        person_id,
        stage,
        source,
        source_record_id
    from (
        select
            person_id,
            stage,
            source,
            source_record_id,
            row_number() over (
                partition by person_id, stage
                order by reached_at, source, source_record_id
            ) as source_rank
        from funnel_stage_events
    ) as ranked
    where source_rank = 1

),

stage_times as (

    {%- for stage, activity_type in stage_activity_types %}
    select
        person_id,
        '{{ stage }}' as stage,
        '{{ activity_type }}' as activity_type,
        {{ stage }}_at as stage_at,
        raw_{{ stage }}_at as raw_stage_at
    from person_stages
    where {{ stage }}_at is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        stage_times.person_id as source_record_id,
        stage_times.person_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        stage_times.stage_at as activity_ts,
        stage_times.activity_type,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        'warehouse' as source_system,
        cast(0 as decimal(18, 6)) as revenue_impact,
        {{ json_object_text([
            ['stage', 'stage_times.stage'],
            ['raw_stage_at', 'stage_times.raw_stage_at'],
            ['is_inferred_from_later_stage',
                'coalesce(stage_times.raw_stage_at > stage_times.stage_at, true)'],
            ['first_source', 'first_stage_sources.source'],
            ['first_source_record_id', 'first_stage_sources.source_record_id'],
        ]) }} as feature_json
    from stage_times
    left join first_stage_sources
        on
            stage_times.person_id = first_stage_sources.person_id
            and stage_times.stage = first_stage_sources.stage

)

select * from final
