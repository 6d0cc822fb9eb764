{#-
    definitions §3: every rule-based candidate time of a funnel stage, one row per
    (person, stage, source record), except the engagement-score MQL (it needs the raw
    Lead time, so int_engagement_events_scored adds it; int_funnel_stage_events holds both).
-#}

with

segment_events as (

    select * from {{ ref('stg_segment__events') }}

),

leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

lead_histories as (

    select * from {{ ref('stg_salesforce__lead_histories') }}

),

contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_classified') }}

),

opportunity_persons_linked as (

    select * from {{ ref('int_opportunity_persons_linked') }}

),

identifiers_resolved as (

    select * from {{ ref('int_identifiers_resolved') }}

),

crm_status_stages as (

    select * from {{ ref('crm_status_stages') }}

),

lead_status_stages as (

    select
        status,
        lower(funnel_stage) as stage
    from crm_status_stages
    where
        crm_object = 'Lead'
        and funnel_stage is not null

),

email_persons as (

    select
        identifier_value as email_normalized,
        person_id
    from identifiers_resolved
    where identifier_type = 'email'

),

lead_persons as (

    select
        identifier_value as lead_id,
        person_id
    from identifiers_resolved
    where identifier_type = 'lead_id'

),

contact_persons as (

    select
        identifier_value as contact_id,
        person_id
    from identifiers_resolved
    where identifier_type = 'contact_id'

),

-- lead-making tracks carrying an email, the email normalized as identity does
email_tracks as (

    select
        event_id,
        event_name,
        nullif(lower(trim(properties_email)), '') as email_normalized,
        event_at
    from segment_events
    where
        event_type = 'track'
        and event_name in {{ funnel_sql_text_list(
            funnel_lead_track_events() + funnel_mql_track_events()
        ) }}

),

email_track_persons as (

    select
        email_tracks.event_id,
        email_tracks.event_name,
        email_persons.person_id,
        email_tracks.event_at
    from email_tracks
    inner join email_persons
        on email_tracks.email_normalized = email_persons.email_normalized

),

track_candidates as (

    select
        person_id,
        'lead' as stage,
        {{ dbt.concat(["lower(replace(event_name, ' ', '_'))", "'_track'"]) }} as source,
        event_id as source_record_id,
        event_at as reached_at
    from email_track_persons
    where event_name in {{ funnel_sql_text_list(funnel_lead_track_events()) }}

    union all

    select
        person_id,
        'mql' as stage,
        {{ dbt.concat(["lower(replace(event_name, ' ', '_'))", "'_track'"]) }} as source,
        event_id as source_record_id,
        event_at as reached_at
    from email_track_persons
    where event_name in {{ funnel_sql_text_list(funnel_mql_track_events()) }}

),

leads_with_persons as (

    select
        leads.lead_id,
        leads.lead_status,
        leads.converted_contact_id,
        leads.is_converted,
        leads.converted_date,
        leads.created_at,
        lead_persons.person_id
    from leads
    inner join lead_persons
        on leads.lead_id = lead_persons.lead_id

),

lead_created_candidates as (

    select
        person_id,
        'lead' as stage,
        'crm_lead_created' as source,
        lead_id as source_record_id,
        created_at as reached_at
    from leads_with_persons

),

contact_created_candidates as (

    select
        contact_persons.person_id,
        'lead' as stage,
        'crm_contact_created' as source,
        contacts.contact_id as source_record_id,
        contacts.created_at as reached_at
    from contacts
    inner join contact_persons
        on contacts.contact_id = contact_persons.contact_id

),

-- LeadHistory status changes to a status the seed maps to a stage
status_changes as (

    select
        lead_histories.lead_history_id,
        lead_histories.lead_id,
        lead_status_stages.stage,
        lead_histories.created_at
    from lead_histories
    inner join lead_status_stages
        on lead_histories.new_value = lead_status_stages.status
    where lead_histories.field_name = '{{ funnel_lead_status_field() }}'

),

status_change_candidates as (

    select
        leads_with_persons.person_id,
        status_changes.stage,
        'lead_status_change' as source,
        status_changes.lead_history_id as source_record_id,
        status_changes.created_at as reached_at
    from status_changes
    inner join leads_with_persons
        on status_changes.lead_id = leads_with_persons.lead_id

),

-- a current status mapped to a stage the Lead's history never reached: at CreatedDate
current_status_candidates as (

    select
        leads_with_persons.person_id,
        lead_status_stages.stage,
        'lead_status_current' as source,
        leads_with_persons.lead_id as source_record_id,
        leads_with_persons.created_at as reached_at
    from leads_with_persons
    inner join lead_status_stages
        on leads_with_persons.lead_status = lead_status_stages.status
    left join status_changes
        on
            leads_with_persons.lead_id = status_changes.lead_id
            and lead_status_stages.stage = status_changes.stage
    where status_changes.lead_id is null

),

conversion_candidates as (

    select
        leads_with_persons.person_id,
        'sql' as stage,
        'lead_converted' as source,
        leads_with_persons.lead_id as source_record_id,
        coalesce(
            contacts.created_at,
            cast(leads_with_persons.converted_date as {{ dbt.type_timestamp() }})
        ) as reached_at
    from leads_with_persons
    left join contacts
        on leads_with_persons.converted_contact_id = contacts.contact_id
    where
        leads_with_persons.is_converted
        and (contacts.contact_id is not null or leads_with_persons.converted_date is not null)

),

linked_opportunities as (

    select
        opportunity_persons_linked.person_id,
        opportunities.opportunity_id,
        opportunities.is_won,
        opportunities.close_date,
        opportunities.created_at
    from opportunity_persons_linked
    inner join opportunities
        on opportunity_persons_linked.opportunity_id = opportunities.opportunity_id

),

opportunity_candidates as (

    select
        person_id,
        'sql' as stage,
        'opportunity_created' as source,
        opportunity_id as source_record_id,
        created_at as reached_at
    from linked_opportunities

    union all

    select
        person_id,
        'opportunity' as stage,
        'opportunity_created' as source,
        opportunity_id as source_record_id,
        created_at as reached_at
    from linked_opportunities

    union all

    select
        person_id,
        'customer' as stage,
        'deal_won' as source,
        opportunity_id as source_record_id,
        cast(close_date as {{ dbt.type_timestamp() }}) as reached_at
    from linked_opportunities
    where
        is_won
        and close_date is not null

),

candidates as (

    select * from track_candidates
    union all
    select * from lead_created_candidates
    union all
    select * from contact_created_candidates
    union all
    select * from status_change_candidates
    union all
    select * from current_status_candidates
    union all
    select * from conversion_candidates
    union all
    select * from opportunity_candidates

),

final as (

    select
        {{ surrogate_key(['person_id', 'stage', 'source', 'source_record_id']) }} as stage_event_id,
        person_id,
        stage,
        source,
        source_record_id,
        reached_at
    from candidates
    where reached_at is not null

)

select * from final
