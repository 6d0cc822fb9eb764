{{ config(materialized='view') }}

{#-
    definitions §4 Touchpoint (email opens and clicks are engagement, shown in the
    journey) and §1 Identifier: the email activities of the customer journey, one row
    per SendGrid event that records a recipient's outcome (delivered, open, click,
    bounce, unsubscribe, group_unsubscribe, spamreport) whose normalized email
    resolves to a person, at the event's time; channel Email, campaign the single
    send. The other event types (processed, dropped, deferred, group_resubscribe) are
    not activities. Its features are the event type, message, machine-open flag,
    bounce type, SMTP status and a clicked link's host and path only (no PII). A view:
    the columns fct_customer_journey unions, computed when the fact reads them.
-#}

with

sendgrid_events as (

    select * from {{ ref('stg_sendgrid__events') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

email_identifiers as (

    select
        identifier_value as email_normalized,
        person_id
    from identifiers
    where identifier_type = 'email'

),

final as (

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

)

select * from final
