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
-- engagement events): the latest event that carries one gives it.
sendgrid_single_send_names_ranked as (

    select
        single_send_id,
        single_send_name,
        row_number() over (
            partition by single_send_id
            order by
                case when single_send_name is null then 1 else 0 end,
                event_at desc,
                event_id desc
        ) as name_rank

    from sendgrid_events
    where single_send_id is not null

),

sendgrid_single_sends as (

    select
        'sendgrid' as platform,
        single_send_id as campaign_id,
        single_send_name as campaign_name

    from sendgrid_single_send_names_ranked
    where name_rank = 1

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
