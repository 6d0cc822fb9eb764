{{
    config(
        materialized='incremental',
        unique_key='person_id',
        post_hook="delete from {{ this }} where activity_id is null",
    )
}}

{#-
    The customer journey as an Activity Schema stream: one row per activity of one
    person, from the web (sessions, key tracks), email, the funnel and the CRM. Each
    activity's own features are a JSON text (macro json_object_text).

    Incremental by person: a person's rows depend only on that person's activities
    (occurrence numbers and repeats are windows per person), so an incremental build
    rebuilds every row of each person whose journey may have changed, and no one
    else's. Changed persons (CTE changed_persons) are
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
    or a seed is not data and is not detected: `journey refresh --full`.
-#}

{%- set activity_id_columns = [
    'activities.activity_type', 'activities.source_record_id', 'activities.person_id',
] %}

with

sessions as (

    select * from {{ ref('int_web_sessions_persons_linked') }}

),

web_events as (

    select * from {{ ref('int_web_events_sessionized') }}

),

sendgrid_events as (

    select * from {{ ref('stg_sendgrid__events') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

persons as (

    select * from {{ ref('int_persons_resolved') }}

),

person_stages as (

    select * from {{ ref('int_person_stages') }}

),

funnel_stage_events as (

    select * from {{ ref('int_funnel_stage_events') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

opportunity_persons as (

    select * from {{ ref('int_opportunity_persons_linked') }}

),

opportunity_histories as (

    select * from {{ ref('stg_salesforce__opportunity_histories') }}

),

web_session_activities as (

    select
        session_id as source_record_id,
        person_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        session_started_at as activity_ts,
        'web_session' as activity_type,
        channel,
        campaign_id,
        campaign_name,
        'segment' as source_system,
        cast(0 as decimal(18, 6)) as revenue_impact,
        {{ json_object_text([
            ['session_id', 'session_id'],
            ['landing_page_path', 'landing_page_path'],
            ['referrer_host', 'referrer_host'],
            ['utm_source', 'utm_source'],
            ['utm_medium', 'utm_medium'],
            ['utm_campaign', 'utm_campaign'],
            ['campaign_platform', 'campaign_platform'],
            ['event_count', 'event_count'],
            ['pageview_count', 'pageview_count'],
            ['browser_session_number', 'browser_session_number'],
            ['session_ended_at', 'session_ended_at'],
        ]) }} as feature_json
    from sessions
    where person_id is not null

),

track_activities as (

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

),

email_identifiers as (

    select
        identifier_value as email_normalized,
        person_id
    from identifiers
    where identifier_type = 'email'

),

email_activities as (

    select
        sendgrid_events.event_id as source_record_id,
        email_identifiers.person_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        sendgrid_events.event_at as activity_ts,
        case sendgrid_events.event_type
            when 'delivered' then 'email_delivered'
            when 'open' then 'email_opened'
            when 'click' then 'email_clicked'
            when 'bounce' then 'email_bounced'
            when 'unsubscribe' then 'email_unsubscribed'
            when 'group_unsubscribe' then 'email_unsubscribed'
            when 'spamreport' then 'email_spam_reported'
        end as activity_type,
        'Email' as channel,
        sendgrid_events.single_send_id as campaign_id,
        sendgrid_events.single_send_name as campaign_name,
        'sendgrid' as source_system,
        cast(0 as decimal(18, 6)) as revenue_impact,
        {{ json_object_text([
            ['event_type', 'sendgrid_events.event_type'],
            ['message_id', 'sendgrid_events.message_id'],
            ['is_machine_open', 'sendgrid_events.is_machine_open'],
            ['link_host', url_host('sendgrid_events.url')],
            ['link_path', url_path('sendgrid_events.url')],
            ['bounce_type', 'sendgrid_events.bounce_type'],
            ['smtp_status', 'sendgrid_events.smtp_status'],
        ]) }} as feature_json
    from sendgrid_events
    inner join email_identifiers
        on {{ normalize_email('sendgrid_events.email') }} = email_identifiers.email_normalized
    where sendgrid_events.event_type in (
        'delivered', 'open', 'click', 'bounce', 'unsubscribe', 'group_unsubscribe', 'spamreport'
    )

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

    {%- set stage_activity_types = [
        ('lead', 'lead_created'), ('mql', 'became_mql'), ('sql', 'became_sql'),
    ] %}
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

stage_activities as (

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

),

opportunity_links as (

    select
        opportunity_persons.person_id,
        opportunity_persons.link_type,
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.opportunity_type,
        opportunities.stage_name,
        opportunities.lead_source,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.amount_in_reporting_currency,
        opportunities.created_at,
        opportunities.close_date
    from opportunity_persons
    inner join opportunities
        on opportunity_persons.opportunity_id = opportunities.opportunity_id

),

opportunity_activities as (

    select
        opportunity_id as source_record_id,
        person_id,
        account_id,
        created_at as activity_ts,
        'opportunity_created' as activity_type,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        'salesforce' as source_system,
        cast(0 as decimal(18, 6)) as revenue_impact,
        {{ json_object_text([
            ['opportunity_id', 'opportunity_id'],
            ['opportunity_type', 'opportunity_type'],
            ['lead_source', 'lead_source'],
            ['link_type', 'link_type'],
            ['amount_in_reporting_currency', 'amount_in_reporting_currency'],
        ]) }} as feature_json
    from opportunity_links

    union all

    select
        opportunity_id as source_record_id,
        person_id,
        account_id,
        cast(close_date as timestamp) as activity_ts,
        case when is_won then 'deal_won' else 'deal_lost' end as activity_type,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        'salesforce' as source_system,
        case
            when is_won then cast(coalesce(amount_in_reporting_currency, 0) as decimal(18, 6))
            else cast(0 as decimal(18, 6))
        end as revenue_impact,
        {{ json_object_text([
            ['opportunity_id', 'opportunity_id'],
            ['opportunity_type', 'opportunity_type'],
            ['stage_name', 'stage_name'],
            ['link_type', 'link_type'],
            ['amount_in_reporting_currency', 'amount_in_reporting_currency'],
            ['sales_cycle_days', dbt.datediff(
                to_reporting_date('created_at'), 'close_date', 'day'
            )],
        ]) }} as feature_json
    from opportunity_links
    where is_won or is_lost

),

stage_changes as (

    select
        opportunity_history_id,
        opportunity_id,
        stage_name,
        previous_stage_name,
        amount,
        created_at
    from (
        select
            opportunity_history_id,
            opportunity_id,
            stage_name,
            amount,
            created_at,
            lag(stage_name) over (
                partition by opportunity_id
                order by created_at, opportunity_history_id
            ) as previous_stage_name
        from opportunity_histories
    ) as ordered_histories
    where
        previous_stage_name is not null
        and stage_name != previous_stage_name

),

stage_change_activities as (

    select
        stage_changes.opportunity_history_id as source_record_id,
        opportunity_persons.person_id,
        opportunities.account_id,
        stage_changes.created_at as activity_ts,
        'opportunity_stage_changed' as activity_type,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        'salesforce' as source_system,
        cast(0 as decimal(18, 6)) as revenue_impact,
        {{ json_object_text([
            ['opportunity_id', 'stage_changes.opportunity_id'],
            ['stage_name', 'stage_changes.stage_name'],
            ['previous_stage_name', 'stage_changes.previous_stage_name'],
            ['amount', 'stage_changes.amount'],
        ]) }} as feature_json
    from stage_changes
    inner join opportunity_persons
        on stage_changes.opportunity_id = opportunity_persons.opportunity_id
    inner join opportunities
        on stage_changes.opportunity_id = opportunities.opportunity_id

),

activities as (

    select * from web_session_activities
    union all
    select * from track_activities
    union all
    select * from email_activities
    union all
    select * from stage_activities
    union all
    select * from opportunity_activities
    union all
    select * from stage_change_activities

),

{%- if is_incremental() %}

previous_activities as (

    select * from {{ this }}

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
        case
            when activities.source_system in ('warehouse', 'salesforce')
                then activities.feature_json
        end as small_stream_features
    from activities
    left join persons
        on activities.person_id = persons.person_id

),

previous_fingerprints as (

    select
        person_id,
        activity_type,
        source_record_id,
        account_id,
        campaign_id,
        campaign_name,
        channel,
        activity_ts,
        revenue_impact,
        case
            when source_system in ('warehouse', 'salesforce') then feature_json
        end as small_stream_features
    from previous_activities

),

changed_persons as (

    select person_id from segment_arrival_persons

    union

    select person_id
    from (
        select * from activity_fingerprints
        except
        select * from previous_fingerprints
    ) as added_or_changed

    union

    select person_id
    from (
        select * from previous_fingerprints
        except
        select * from activity_fingerprints
    ) as removed_or_changed

),

activities_to_build as (

    select *
    from activities
    where person_id in (select person_id from changed_persons)

),

{%- else %}

activities_to_build as (

    select * from activities

),

{%- endif %}

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
        row_number() over (
            partition by activities.person_id, activities.activity_type
            order by activities.activity_ts, activities.source_record_id
        ) as activity_occurrence,
        activities.revenue_impact,
        -- timestamps
        activities.activity_ts,
        lead(activities.activity_ts) over (
            partition by activities.person_id, activities.activity_type
            order by activities.activity_ts, activities.source_record_id
        ) as activity_repeated_at,
        -- lineage: the incremental watermark (the newest Segment load this build saw)
        (
            select max(segment_loads._loaded_at) as max_loaded_at
            from {{ ref('stg_segment__events') }} as segment_loads
        ) as _segment_loaded_through
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
