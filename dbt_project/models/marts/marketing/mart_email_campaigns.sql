{#-
    definitions §5 Email: one row per email campaign (SendGrid single send). Events
    without a single send (transactional email) belong to no campaign and are left out.
    Recipients are counted by normalized email; machine opens count as opens and are
    also counted on their own.
-#}

with

sendgrid_events as (

    select * from {{ ref('stg_sendgrid__events') }}

),

campaigns as (

    select * from {{ ref('int_campaigns_unioned') }}

),

campaign_events as (

    select
        single_send_id as campaign_id,
        {{ normalize_email('email') }} as recipient_email,
        event_type,
        bounce_type,
        is_machine_open,
        event_at,
        single_send_at
    from sendgrid_events
    where single_send_id is not null

),

campaign_counts as (

    select
        campaign_id,
        count(*) filter (where event_type = 'processed') as sends,
        count(*) filter (where event_type = 'delivered') as delivered,
        count(*) filter (where event_type = 'dropped') as dropped,
        count(*) filter (where event_type = 'deferred') as deferrals,
        count(*) filter (where event_type = 'bounce') as bounces,
        count(*) filter (
            where event_type = 'bounce' and bounce_type = 'blocked'
        ) as blocked_bounces,
        count(*) filter (where event_type = 'open') as opens,
        count(*) filter (where event_type = 'open' and is_machine_open) as machine_opens,
        count(distinct case when event_type = 'open' then recipient_email end) as unique_opens,
        count(distinct case
            when event_type = 'open' and not coalesce(is_machine_open, false)
                then recipient_email
        end) as unique_human_opens,
        count(*) filter (where event_type = 'click') as clicks,
        count(distinct case when event_type = 'click' then recipient_email end) as unique_clicks,
        count(*) filter (
            where event_type in ('unsubscribe', 'group_unsubscribe')
        ) as unsubscribes,
        count(*) filter (where event_type = 'spamreport') as spam_reports,
        min(single_send_at) as single_send_at,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at
    from campaign_events
    group by campaign_id

),

sendgrid_campaigns as (

    select
        campaign_id,
        campaign_name
    from campaigns
    where platform = 'sendgrid'

),

final as (

    select
        -- ids
        campaign_counts.campaign_id,
        -- strings
        sendgrid_campaigns.campaign_name,
        -- numbers
        campaign_counts.sends,
        campaign_counts.delivered,
        campaign_counts.dropped,
        campaign_counts.deferrals,
        campaign_counts.bounces,
        campaign_counts.blocked_bounces,
        campaign_counts.opens,
        campaign_counts.machine_opens,
        campaign_counts.unique_opens,
        campaign_counts.unique_human_opens,
        campaign_counts.clicks,
        campaign_counts.unique_clicks,
        campaign_counts.unsubscribes,
        campaign_counts.spam_reports,
        {{ safe_ratio('campaign_counts.unique_opens', 'campaign_counts.delivered') }}
            as open_rate,
        {{ safe_ratio('campaign_counts.unique_clicks', 'campaign_counts.delivered') }}
            as click_rate,
        {{ safe_ratio('campaign_counts.unique_clicks', 'campaign_counts.unique_opens') }}
            as click_to_open,
        {{ safe_ratio('campaign_counts.bounces', 'campaign_counts.sends') }}
            as bounce_rate,
        {{ safe_ratio('campaign_counts.unsubscribes', 'campaign_counts.delivered') }}
            as unsubscribe_rate,
        -- booleans
        campaign_counts.machine_opens > 0 as has_machine_opens,
        -- timestamps
        campaign_counts.single_send_at,
        campaign_counts.first_event_at,
        campaign_counts.last_event_at
    from campaign_counts
    left join sendgrid_campaigns
        on campaign_counts.campaign_id = sendgrid_campaigns.campaign_id

)

select * from final
