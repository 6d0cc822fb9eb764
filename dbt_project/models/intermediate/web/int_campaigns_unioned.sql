{#-
    Every campaign a session's utm_campaign can name: each ad platform's campaigns (the
    var ad_platforms, each in the shared shape stg_<platform>__ad_campaigns,
    docs/extending.md, so a new platform needs no edit here) and SendGrid's single
    sends.
-#}

with

{% for platform in ad_platforms() %}
{{ platform }}_campaigns as (

    select * from {{ ref('stg_' ~ platform ~ '__ad_campaigns') }}

),

{% endfor %}
sendgrid_events as (

    select * from {{ ref('stg_sendgrid__events') }}

),

-- A single send's name is on some of its events only (SendGrid leaves it off many
-- engagement events): the latest event that carries one gives it (ties: the greatest
-- event id); a send no event names has none. Two aggregates over the events, not a
-- window sorting all of them: the same answer, ~8x faster at medium scale.
sendgrid_send_events as (

    select
        single_send_id,
        single_send_name,
        event_at,
        event_id

    from sendgrid_events
    where single_send_id is not null

),

sendgrid_single_send_latest_named as (

    select
        single_send_id,
        max(case when single_send_name is not null then event_at end) as named_at

    from sendgrid_send_events
    group by single_send_id

),

sendgrid_single_send_name_events as (

    select
        send_events.single_send_id,
        max(send_events.event_id) as event_id

    from sendgrid_send_events as send_events
    inner join sendgrid_single_send_latest_named as latest
        on
            send_events.single_send_id = latest.single_send_id
            and send_events.event_at = latest.named_at
    where send_events.single_send_name is not null
    group by send_events.single_send_id

),

sendgrid_single_sends as (

    select
        'sendgrid' as platform,
        latest.single_send_id as campaign_id,
        send_events.single_send_name as campaign_name

    from sendgrid_single_send_latest_named as latest
    left join sendgrid_single_send_name_events as name_events
        on latest.single_send_id = name_events.single_send_id
    left join sendgrid_send_events as send_events
        on
            name_events.single_send_id = send_events.single_send_id
            and name_events.event_id = send_events.event_id

),

unioned as (

    {% for platform in ad_platforms() %}
    select
        '{{ platform }}' as platform,
        campaign_id,
        campaign_name
    from {{ platform }}_campaigns
    union all
    {% endfor %}
    select
        platform,
        campaign_id,
        campaign_name
    from sendgrid_single_sends

),

final as (

    select
        -- ids
        {{ surrogate_key(['platform', 'campaign_id']) }} as platform_campaign_id,
        campaign_id,

        -- strings
        platform,
        campaign_name

    from unioned

)

select * from final
