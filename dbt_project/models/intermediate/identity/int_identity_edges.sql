{{
    config(
        materialized='incremental',
        unique_key='identity_edge_id',
        post_hook="{{ remove_tombstones(this, 'edge_source') }}",
    )
}}

{#-
    definitions §1 Identity edge: every pair of identifiers seen together in one record,
    and every identifier seen alone (a node without an edge), one row per
    (edge_source, identifier, linked identifier) with when and how often it was seen.
    Deleted CRM records are gone from staging already.

    Incremental. The rows of Segment and SendGrid events (event_edge_sources) only grow:
    the loaders drop an event id already loaded, so an event in staging never changes
    and never leaves it (an erasure rebuilds every model in full). An incremental build
    aggregates the events loaded since the last build (watermarks
    _segment_loaded_through and _sendgrid_loaded_through, arrival times) and adds them
    to the stored rows of the same key: counts add, first and last seen widen, exactly
    what the whole history gives. The CRM rows (Leads, Contacts, conversions: small
    tables whose records change and are deleted) are computed in full on every build and
    compared with the stored ones: a new or changed row is written, an unchanged one
    stays as stored (the CRM rows were ~16% of the table at medium scale, all deleted
    and inserted again every build before), and a stored CRM row that no current record
    gives gets a tombstone (edge_source null) that deletes it and is itself removed by
    the post-hook.
-#}

{%- set event_edge_sources = [
    'segment_anonymous_user', 'segment_identify', 'segment_track', 'segment_event',
    'sendgrid_event',
] %}

with

segment_events as (

    select * from {{ ref('stg_segment__events') }}
    {%- if is_incremental() %}
    where _loaded_at > ({{ last_loaded_at('_segment_loaded_through') }})
    {%- endif %}

),

sendgrid_events as (

    select * from {{ ref('stg_sendgrid__events') }}
    {%- if is_incremental() %}
    where _loaded_at > ({{ last_loaded_at('_sendgrid_loaded_through') }})
    {%- endif %}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

-- the emails an event carries by the glossary: identify traits.email, track properties.email
segment_identified as (

    select
        anonymous_id,
        user_id,
        case
            when event_type = 'identify' then {{ normalize_email('traits_email') }}
            when event_type = 'track' then {{ normalize_email('properties_email') }}
        end as email_normalized,
        case
            when event_type = 'identify' then 'segment_identify'
            when event_type = 'track' then 'segment_track'
        end as email_edge_source,
        event_at

    from segment_events

),

-- any Segment event carrying both anonymousId and userId
segment_browser_user_edges as (

    select
        'segment_anonymous_user' as edge_source,
        'anonymous_id' as identifier_type,
        anonymous_id as identifier_value,
        'user_id' as linked_identifier_type,
        user_id as linked_identifier_value,
        event_at as seen_at

    from segment_identified
    where anonymous_id is not null and user_id is not null

),

-- an event with one id only: its browser or user is a node
segment_single_id_nodes as (

    select
        'segment_event' as edge_source,
        case
            when anonymous_id is not null then 'anonymous_id'
            else 'user_id'
        end as identifier_type,
        coalesce(anonymous_id, user_id) as identifier_value,
        cast(null as {{ dbt.type_string() }}) as linked_identifier_type,
        cast(null as {{ dbt.type_string() }}) as linked_identifier_value,
        event_at as seen_at

    from segment_identified
    where (anonymous_id is null) != (user_id is null)

),

-- an identify with traits.email, a track with properties.email: the email with each id
segment_email_edges as (

    select
        email_edge_source as edge_source,
        'email' as identifier_type,
        email_normalized as identifier_value,
        'anonymous_id' as linked_identifier_type,
        anonymous_id as linked_identifier_value,
        event_at as seen_at
    from segment_identified
    where email_normalized is not null and anonymous_id is not null

    union all

    select
        email_edge_source as edge_source,
        'email' as identifier_type,
        email_normalized as identifier_value,
        'user_id' as linked_identifier_type,
        user_id as linked_identifier_value,
        event_at as seen_at
    from segment_identified
    where email_normalized is not null and user_id is not null

),

-- an ESP event: the recipient's email alone, a node without edges
sendgrid_email_nodes as (

    select
        'sendgrid_event' as edge_source,
        'email' as identifier_type,
        {{ normalize_email('email') }} as identifier_value,
        cast(null as {{ dbt.type_string() }}) as linked_identifier_type,
        cast(null as {{ dbt.type_string() }}) as linked_identifier_value,
        event_at as seen_at

    from sendgrid_events
    where {{ normalize_email('email') }} is not null

),

-- a CRM Lead: its Id with its email (alone when it has none)
lead_edges as (

    select
        'salesforce_lead' as edge_source,
        'lead_id' as identifier_type,
        lead_id as identifier_value,
        case
            when {{ normalize_email('email') }} is not null then 'email'
        end as linked_identifier_type,
        {{ normalize_email('email') }} as linked_identifier_value,
        created_at as seen_at

    from salesforce_leads

),

-- a CRM Contact: its Id with its email (alone when it has none)
contact_edges as (

    select
        'salesforce_contact' as edge_source,
        'contact_id' as identifier_type,
        contact_id as identifier_value,
        case
            when {{ normalize_email('email') }} is not null then 'email'
        end as linked_identifier_type,
        {{ normalize_email('email') }} as linked_identifier_value,
        created_at as seen_at

    from salesforce_contacts

),

-- a converted Lead: its Id with ConvertedContactId, if that Contact is not deleted;
-- seen once both records existed
lead_conversion_edges as (

    select
        'salesforce_lead_conversion' as edge_source,
        'lead_id' as identifier_type,
        salesforce_leads.lead_id as identifier_value,
        'contact_id' as linked_identifier_type,
        salesforce_contacts.contact_id as linked_identifier_value,
        greatest(salesforce_leads.created_at, salesforce_contacts.created_at) as seen_at

    from salesforce_leads
    inner join salesforce_contacts
        on salesforce_leads.converted_contact_id = salesforce_contacts.contact_id

),

sightings as (

    select * from segment_browser_user_edges
    union all
    select * from segment_single_id_nodes
    union all
    select * from segment_email_edges
    union all
    select * from sendgrid_email_nodes
    union all
    select * from lead_edges
    union all
    select * from contact_edges
    union all
    select * from lead_conversion_edges

),

aggregated as (

    select
        edge_source,
        identifier_type,
        identifier_value,
        linked_identifier_type,
        linked_identifier_value,
        count(*) as record_count,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at

    from sightings
    group by
        edge_source,
        identifier_type,
        identifier_value,
        linked_identifier_type,
        linked_identifier_value

),

keyed as (

    select
        {{ surrogate_key([
            'edge_source',
            'identifier_type',
            'identifier_value',
            'linked_identifier_type',
            'linked_identifier_value',
        ]) }} as identity_edge_id,
        aggregated.*

    from aggregated

),

{%- if is_incremental() %}

stored as (

    select * from {{ this }}

),

-- an event row: the new events' aggregate added to the stored one; a CRM row: as built
merged_with_stored as (

    select
        keyed.identity_edge_id,
        keyed.edge_source,
        keyed.identifier_type,
        keyed.identifier_value,
        keyed.linked_identifier_type,
        keyed.linked_identifier_value,
        keyed.record_count + coalesce(stored.record_count, 0) as record_count,
        coalesce(
            least(keyed.first_seen_at, stored.first_seen_at), keyed.first_seen_at
        ) as first_seen_at,
        coalesce(
            greatest(keyed.last_seen_at, stored.last_seen_at), keyed.last_seen_at
        ) as last_seen_at

    from keyed
    left join stored
        on
            keyed.identity_edge_id = stored.identity_edge_id
            and stored.edge_source in ('{{ event_edge_sources | join("', '") }}')

),

-- what this build writes: every event row above, and a CRM row only when no stored row
-- has the same key, count and times (an unchanged one stays as stored: the same row a
-- full build gives, without deleting and inserting every CRM row on every build)
merged as (

    select merged_with_stored.*
    from merged_with_stored
    where
        merged_with_stored.edge_source in ('{{ event_edge_sources | join("', '") }}')
        or not exists (
            select 1
            from stored
            where
                stored.identity_edge_id = merged_with_stored.identity_edge_id
                and stored.record_count = merged_with_stored.record_count
                and stored.first_seen_at is not distinct from merged_with_stored.first_seen_at
                and stored.last_seen_at is not distinct from merged_with_stored.last_seen_at
        )

),

-- a stored CRM row no current record gives (a changed or deleted email, a deleted
-- record): its tombstone deletes it
tombstones as (

    select stored.identity_edge_id
    from stored
    where
        stored.edge_source not in ('{{ event_edge_sources | join("', '") }}')
        and not exists (
            select 1
            from keyed
            where keyed.identity_edge_id = stored.identity_edge_id
        )

),

{%- else %}

merged as (

    select * from keyed

),

{%- endif %}

final as (

    select
        -- ids
        identity_edge_id,

        -- strings
        edge_source,
        identifier_type,
        identifier_value,
        linked_identifier_type,
        linked_identifier_value,

        -- numbers
        record_count,

        -- timestamps
        first_seen_at,
        last_seen_at,

        -- lineage: the incremental watermarks (the newest loads this build saw)
        {{ newest_loaded_at(ref('stg_segment__events')) }} as _segment_loaded_through,
        {{ newest_loaded_at(ref('stg_sendgrid__events')) }} as _sendgrid_loaded_through

    from merged

)

select * from final
{%- if is_incremental() %}

union all

select
    identity_edge_id,
    cast(null as {{ dbt.type_string() }}) as edge_source,
    cast(null as {{ dbt.type_string() }}) as identifier_type,
    cast(null as {{ dbt.type_string() }}) as identifier_value,
    cast(null as {{ dbt.type_string() }}) as linked_identifier_type,
    cast(null as {{ dbt.type_string() }}) as linked_identifier_value,
    cast(null as {{ dbt.type_bigint() }}) as record_count,
    cast(null as {{ dbt.type_timestamp() }}) as first_seen_at,
    cast(null as {{ dbt.type_timestamp() }}) as last_seen_at,
    cast(null as {{ dbt.type_timestamp() }}) as _segment_loaded_through,
    cast(null as {{ dbt.type_timestamp() }}) as _sendgrid_loaded_through
from tombstones
{%- endif %}
