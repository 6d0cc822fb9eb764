{{
    config(
        materialized='incremental',
        unique_key='event_id',
    )
}}

{#-
    Incremental (macro versions_to_rebuild): the first copy of an event still wins.
-#}

with

source as (

    {{ versions_to_rebuild(source('segment', 'events'), ['message_id']) }}

),

renamed as (

    select
        -- ids
        message_id as event_id,
        nullif(anonymous_id, '') as anonymous_id,
        nullif(user_id, '') as user_id,
        nullif(context_group_id, '') as group_id,
        nullif({{ json_extract_text('properties', 'form_id') }}, '') as form_id,

        -- strings
        type as event_type,
        nullif(event, '') as event_name,
        nullif(name, '') as page_name,
        -- page calls from server-side and older libraries have no context.page: their
        -- page fields are in properties (a track's properties.url is not its page)
        {%- for field in ['url', 'path', 'referrer', 'search', 'title'] %}
        case
            when type = 'page'
                then coalesce(
                    nullif(context_page_{{ field }}, ''),
                    nullif({{ json_extract_text('properties', field) }}, '')
                )
            else nullif(context_page_{{ field }}, '')
        end as page_{{ field }},
        {%- endfor %}
        -- context.campaign holds the UTM parameters (name is utm_campaign)
        nullif(context_campaign_source, '') as campaign_source,
        nullif(context_campaign_medium, '') as campaign_medium,
        nullif(context_campaign_name, '') as campaign_name,
        nullif(context_campaign_term, '') as campaign_term,
        nullif(context_campaign_content, '') as campaign_content,
        nullif(context_ip, '') as ip,
        nullif(context_user_agent, '') as user_agent,
        -- emails as delivered: normalizing them is identity's business
        nullif({{ json_extract_text('properties', 'email') }}, '') as properties_email,
        nullif({{ json_extract_text('traits', 'email') }}, '') as traits_email,
        properties,
        traits,

        -- timestamps: ISO-8601 with Z or an offset, converted to UTC
        {{ parse_timestamp_utc(adapter.quote('timestamp')) }} as event_at,
        {{ parse_timestamp_utc("nullif(original_timestamp, '')") }} as original_event_at,
        {{ parse_timestamp_utc("nullif(sent_at, '')") }} as sent_at,
        {{ parse_timestamp_utc("nullif(received_at, '')") }} as received_at,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- Ingestion already drops repeated messageIds; this keeps the first copy should one slip by.
deduplicated as (

    {{ deduplicate('renamed', partition_by='event_id', order_by=arrival_order('asc')) }}

),

final as (

    select
        event_id,
        anonymous_id,
        user_id,
        group_id,
        form_id,
        event_type,
        event_name,
        page_name,
        page_url,
        page_path,
        page_referrer,
        page_search,
        page_title,
        campaign_source,
        campaign_medium,
        campaign_name,
        campaign_term,
        campaign_content,
        ip,
        user_agent,
        properties_email,
        traits_email,
        properties,
        traits,
        event_at,
        original_event_at,
        sent_at,
        received_at,
        _source_file,
        _loaded_at

    from deduplicated

)

select * from final
