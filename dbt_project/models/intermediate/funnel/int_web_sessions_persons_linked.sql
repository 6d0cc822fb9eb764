{#-
    definitions §3 Visitor and §4 Touchpoint: every web session with the person of its
    browser.
-#}

with

web_sessions as (

    select * from {{ ref('int_web_sessions') }}

),

identifiers_resolved as (

    select * from {{ ref('int_identifiers_resolved') }}

),

final as (

    select
        -- ids
        web_sessions.session_id,
        identifiers_resolved.person_id,
        web_sessions.browser_id_type,
        web_sessions.browser_id,
        web_sessions.campaign_id,

        -- strings
        web_sessions.channel,
        web_sessions.campaign_name,
        web_sessions.campaign_platform,
        web_sessions.landing_page_path,
        web_sessions.referrer_host,
        web_sessions.utm_source,
        web_sessions.utm_medium,
        web_sessions.utm_campaign,

        -- numbers
        web_sessions.browser_session_number,
        web_sessions.event_count,
        web_sessions.pageview_count,

        -- timestamps
        web_sessions.session_started_at,
        web_sessions.session_ended_at

    from web_sessions
    left join identifiers_resolved
        on
            web_sessions.browser_id_type = identifiers_resolved.identifier_type
            and web_sessions.browser_id = identifiers_resolved.identifier_value

)

select * from final
