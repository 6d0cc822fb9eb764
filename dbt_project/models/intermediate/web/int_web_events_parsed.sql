{{
    config(
        materialized='incremental',
        unique_key='event_id',
    )
}}

{#-
    Incremental: each event is parsed on its own, so an incremental build parses only
    the events staged since its last build (macro versions_to_rebuild on the staging
    `_loaded_at`). A change of var site_domains changes the project's fingerprint,
    so the next refresh rebuilds it in full (orchestration/build_state.py).
-#}

with

events as (

    {{ versions_to_rebuild(ref('stg_segment__events'), ['event_id']) }}

),

-- definitions §2 Session: sessions are made of page and track calls, never identify
page_and_track_events as (

    select
        event_id,
        anonymous_id,
        user_id,
        event_type,
        event_name,
        page_url,
        page_path,
        page_referrer,
        campaign_source,
        campaign_medium,
        campaign_name,
        campaign_term,
        campaign_content,
        event_at,
        _loaded_at

    from events
    where event_type in ('page', 'track')

),

-- the browser is the anonymousId, else the userId (server-side calls carry only that)
browsers_identified as (

    select
        *,
        coalesce(anonymous_id, user_id) as browser_id,
        case
            when anonymous_id is not null then 'anonymous_id'
            when user_id is not null then 'user_id'
        end as browser_id_type

    from page_and_track_events

),

urls_parsed as (

    select
        *,
        {{ url_host('page_url') }} as page_host,
        coalesce(page_path, {{ url_path('page_url') }}) as page_path_parsed,
        {{ url_host('page_referrer') }} as referrer_host,
        {%- for field in ['source', 'medium', 'campaign', 'term', 'content'] %}
        nullif(trim({{ url_query_parameter('page_url', "'utm_" ~ field ~ "'") }}), '')
            as url_utm_{{ field }},
        {%- endfor %}
        {%- for click_id in web_click_id_params() %}
        nullif(trim({{ url_query_parameter('page_url', "'" ~ click_id ~ "'") }}), '')
            as {{ click_id }},
        {%- endfor %}
        -- a value of only spaces is not set
        (
            nullif(trim(campaign_source), '') is not null
            or nullif(trim(campaign_medium), '') is not null
            or nullif(trim(campaign_name), '') is not null
            or nullif(trim(campaign_term), '') is not null
            or nullif(trim(campaign_content), '') is not null
        ) as has_context_campaign

    from browsers_identified

),

-- UTM values from context.campaign, else from the page URL, as a whole set: an event
-- whose context.campaign has any value takes all five from it, so the values of two
-- taggings are never mixed
utm_values_chosen as (

    select
        *,
        case
            when has_context_campaign then 'context_campaign'
            when
                coalesce(
                    url_utm_source, url_utm_medium, url_utm_campaign, url_utm_term, url_utm_content
                ) is not null
                then 'page_url'
        end as utm_origin

    from urls_parsed

),

final as (

    select
        -- ids
        event_id,
        browser_id,
        browser_id_type,
        anonymous_id,
        user_id,

        -- strings
        event_type,
        event_name,
        page_url,
        page_host,
        page_path_parsed as page_path,
        page_referrer as referrer_url,
        referrer_host,
        {%- for field in ['source', 'medium', 'campaign', 'term', 'content'] %}
        {%- set context_field = 'campaign_name' if field == 'campaign' else 'campaign_' ~ field %}
        case
            when utm_origin = 'context_campaign' then nullif(trim({{ context_field }}), '')
            when utm_origin = 'page_url' then url_utm_{{ field }}
        end as utm_{{ field }},
        {%- endfor %}
        utm_origin,
        {%- for click_id in web_click_id_params() %}
        {{ click_id }},
        {%- endfor %}

        -- booleans
        {{ is_internal_referrer('referrer_host', 'page_host') }} as is_internal_referrer,

        -- timestamps
        event_at,

        -- lineage
        _loaded_at

    from utm_values_chosen

)

select * from final
