{{ config(materialized='view') }}

{#-
    definitions §2 Session: the web_session activities of the customer journey, one row
    per web session of a known person, at the session's start, with the session's
    channel and campaign. Its features are the session's landing page, referrer, UTM
    values, platform, counts and end (macro json_object_text). A view: the columns
    fct_customer_journey unions, computed when the fact reads them.
-#}

with

sessions as (

    select * from {{ ref('int_web_sessions_persons_linked') }}

),

final as (

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

)

select * from final
