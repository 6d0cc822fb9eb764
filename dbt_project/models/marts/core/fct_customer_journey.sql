{{
    config(
        materialized='incremental',
        unique_key='person_id',
        post_hook="{{ remove_tombstones(this, 'activity_id') }}",
    )
}}

{#-
    The customer journey as an Activity Schema stream: one row per activity of one
    person, from the web (sessions, key tracks), email, the funnel and the CRM. Each
    stream is an intermediate model of its own (models/intermediate/journey/, views),
    which documents its activities and builds its rows in the same columns: the
    activity's source record, person, account (CRM activities only), time, type,
    channel, campaign, source system, revenue impact and features (a JSON text, macro
    json_object_text). This model unions them, adds the key (activity_id), the
    person's account where the activity has none, the occurrence number and the next
    repeat per person and type, and the incremental watermark.

    Incremental by person: a person's rows depend only on that person's activities
    (occurrence numbers and repeats are windows per person), so an incremental build
    rebuilds every row of each person whose journey may have changed, and no one
    else's. The streams are read in full on every build (none of them filters on the
    incremental state): the change detection below compares every person's activities
    with the stored rows, and the changed persons' activities are then read from the
    streams again, with their features. Changed persons (CTE changed_persons) are
      - persons with a Segment event loaded since the last build (late events reshape
        their sessions; the watermark is _segment_loaded_through, an arrival time, so
        lateness has no limit);
      - persons whose activities differ from the stored rows in who, what, which record,
        when, channel, campaign, account or revenue (identity merges and splits, new
        SendGrid events, ad files that name a campaign, FX rates that convert a deal),
        and, for the small CRM and funnel streams, in their features too;
      - persons who are gone (merged into another person): their stored rows differ.
    delete+insert on person_id replaces their rows; a changed person with no activity
    left gets a tombstone row (activity_id null) that deletes their rows and is itself
    removed by the post-hook in the same transaction. A change of a definition variable
    or a seed is not data and is not detected here: it changes the project's
    fingerprint, so the next refresh rebuilds this model in full
    (orchestration/build_state.py).
-#}

{%- set activity_id_columns = [
    'activities.activity_type', 'activities.source_record_id', 'activities.person_id',
] %}

{#- the columns of every stream model, selected by name: the union's columns, in order -#}
{%- set activity_columns = [
    'source_record_id', 'person_id', 'account_id', 'activity_ts', 'activity_type',
    'channel', 'campaign_id', 'campaign_name', 'source_system', 'revenue_impact',
    'feature_json',
] %}

{#-
    The stream models, read where they are used (not through an import CTE each): the
    incremental build reads them twice, once for the change detection and once for the
    changed persons' rows, and DuckDB materializes a CTE that is read twice whole, with
    every column (the features of 2M activities at medium scale, most of which the
    detection does not need and the build keeps only for the changed persons).
-#}
{%- set activity_streams = [
    'int_journey_web_session_activities', 'int_journey_web_track_activities',
    'int_journey_email_activities', 'int_journey_funnel_stage_activities',
    'int_journey_opportunity_activities', 'int_journey_opportunity_stage_change_activities',
] %}

{#-
    The small streams (source_system warehouse and salesforce), whose features the
    change detection compares too; the features of the large ones (Segment, SendGrid)
    change only with their own new events, which the detection finds otherwise. The
    stored rows' features are picked by that source_system (previous_fingerprints): a
    small stream missing here would make its persons rebuild on every build, never
    miss a change.
-#}
{%- set small_activity_streams = [
    'int_journey_funnel_stage_activities', 'int_journey_opportunity_activities',
    'int_journey_opportunity_stage_change_activities',
] %}

{#- what the change detection reads of each activity, beside the small streams' features -#}
{%- set fingerprint_columns = [
    'person_id', 'activity_type', 'source_record_id', 'account_id', 'campaign_id',
    'campaign_name', 'channel', 'activity_ts', 'revenue_impact',
] %}

{#-
    Only the incremental build reads the identity map (segment_arrival_persons); dbt
    parses with is_incremental() false, so the dependency is declared here.
-#}
-- depends_on: {{ ref('int_identifiers_resolved') }}

with

persons as (

    select * from {{ ref('int_persons_resolved') }}

),

{%- if is_incremental() %}

previous_activities as (

    select * from {{ this }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

-- persons with a Segment event loaded since the last build
segment_arrivals as (

    select
        anonymous_id,
        user_id
    from {{ ref('stg_segment__events') }}
    where _loaded_at > ({{ last_loaded_at('_segment_loaded_through') }})

),

segment_arrival_persons as (

    select identifiers.person_id
    from identifiers
    inner join segment_arrivals
        on
            identifiers.identifier_type = 'anonymous_id'
            and identifiers.identifier_value = segment_arrivals.anonymous_id

    union

    select identifiers.person_id
    from identifiers
    inner join segment_arrivals
        on
            identifiers.identifier_type = 'user_id'
            and identifiers.identifier_value = segment_arrivals.user_id

),

-- each activity as it would be stored, without the features of the large streams
-- (Segment, SendGrid: their features change only with their own new events, above)
activity_fingerprints as (

    select
        activities.person_id,
        activities.activity_type,
        activities.source_record_id,
        coalesce(activities.account_id, persons.account_id) as account_id,
        activities.campaign_id,
        activities.campaign_name,
        activities.channel,
        activities.activity_ts,
        activities.revenue_impact,
        activities.small_stream_features
    from (
        {%- for stream in activity_streams %}
        select
            {{ fingerprint_columns | join(',\n            ') }},
            {%- if stream in small_activity_streams %}
            feature_json as small_stream_features
            {%- else %}
            cast(null as {{ dbt.type_string() }}) as small_stream_features
            {%- endif %}
        from {{ ref(stream) }}
        {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    ) as activities
    left join persons
        on activities.person_id = persons.person_id

),

previous_fingerprints as (

    select
        {{ fingerprint_columns | join(',\n        ') }},
        case
            when source_system in ('warehouse', 'salesforce') then feature_json
        end as small_stream_features
    from previous_activities

),

-- every activity matched to its stored row by its key (the columns activity_id is made
-- of, unique on both sides): a person changed when one of theirs was added, removed or
-- differs in a fingerprint column (a join on the key is a third of the cost of two
-- set differences of the whole rows, and finds the same persons)
fingerprint_differences as (

    select coalesce(current_rows.person_id, stored_rows.person_id) as person_id
    from activity_fingerprints as current_rows
    full outer join previous_fingerprints as stored_rows
        on
            current_rows.person_id = stored_rows.person_id
            and current_rows.activity_type = stored_rows.activity_type
            and current_rows.source_record_id is not distinct from stored_rows.source_record_id
    where
        current_rows.person_id is null
        or stored_rows.person_id is null
        {%- for column in [
            'account_id', 'campaign_id', 'campaign_name', 'channel', 'activity_ts',
            'revenue_impact', 'small_stream_features',
        ] %}
        or current_rows.{{ column }} is distinct from stored_rows.{{ column }}
        {%- endfor %}

),

changed_persons as (

    select person_id from segment_arrival_persons

    union

    select person_id from fingerprint_differences

),

{%- endif %}

-- every activity of the stream models (an incremental build: the changed persons')
activities_to_build as (

    {%- for stream in activity_streams %}
    select
        {{ activity_columns | join(',\n        ') }}
    from {{ ref(stream) }}
    {%- if is_incremental() %}
    where person_id in (select person_id from changed_persons)
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        -- ids
        {{ surrogate_key(activity_id_columns) }} as activity_id,
        activities.person_id,
        coalesce(activities.account_id, persons.account_id) as account_id,
        activities.source_record_id,
        activities.campaign_id,
        -- strings
        activities.activity_type,
        activities.channel,
        activities.campaign_name,
        activities.source_system,
        activities.feature_json,
        -- numbers
        -- bigint on every engine (Spark's row_number is an int), as the tombstones have
        cast(row_number() over (
            partition by activities.person_id, activities.activity_type
            order by activities.activity_ts, activities.source_record_id
        ) as {{ dbt.type_bigint() }}) as activity_occurrence,
        activities.revenue_impact,
        -- timestamps
        activities.activity_ts,
        lead(activities.activity_ts) over (
            partition by activities.person_id, activities.activity_type
            order by activities.activity_ts, activities.source_record_id
        ) as activity_repeated_at,
        -- lineage: the incremental watermark (the newest Segment load this build saw)
        {{ newest_loaded_at(ref('stg_segment__events')) }} as _segment_loaded_through
    from activities_to_build as activities
    left join persons
        on activities.person_id = persons.person_id

)

select * from final
{%- if is_incremental() %}

-- a tombstone per changed person: deletes their stored rows even when none is rebuilt
union all

select
    cast(null as {{ dbt.type_string() }}) as activity_id,
    person_id,
    cast(null as {{ dbt.type_string() }}) as account_id,
    cast(null as {{ dbt.type_string() }}) as source_record_id,
    cast(null as {{ dbt.type_string() }}) as campaign_id,
    cast(null as {{ dbt.type_string() }}) as activity_type,
    cast(null as {{ dbt.type_string() }}) as channel,
    cast(null as {{ dbt.type_string() }}) as campaign_name,
    cast(null as {{ dbt.type_string() }}) as source_system,
    cast(null as {{ dbt.type_string() }}) as feature_json,
    cast(null as {{ dbt.type_bigint() }}) as activity_occurrence,
    cast(null as decimal(18, 6)) as revenue_impact,
    cast(null as {{ dbt.type_timestamp() }}) as activity_ts,
    cast(null as {{ dbt.type_timestamp() }}) as activity_repeated_at,
    cast(null as {{ dbt.type_timestamp() }}) as _segment_loaded_through
from changed_persons
{%- endif %}
