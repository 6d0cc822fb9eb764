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

    {{ versions_to_rebuild(source('sendgrid', 'events'), ['sg_event_id']) }}

),

renamed as (

    select
        -- ids
        sg_event_id as event_id,
        sg_message_id as message_id,
        nullif(singlesend_id, '') as single_send_id,
        nullif(template_id, '') as template_id,

        -- strings
        nullif(email, '') as email,
        event as event_type,
        category,
        nullif(singlesend_name, '') as single_send_name,
        nullif(url, '') as url,
        nullif(useragent, '') as user_agent,
        nullif(ip, '') as ip,
        nullif(reason, '') as reason,
        nullif(status, '') as smtp_status,
        nullif(type, '') as bounce_type,

        -- numbers
        cast(nullif(attempt, '') as integer) as attempt_number,

        -- booleans
        cast(nullif(sg_machine_open, '') as boolean) as is_machine_open,

        -- timestamps: unix seconds
        {{ epoch_seconds_to_timestamp(adapter.quote('timestamp')) }} as event_at,
        {{ epoch_seconds_to_timestamp("nullif(send_at, '')") }} as single_send_at,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- Ingestion already drops repeated event ids; this keeps the first copy should one slip by.
deduplicated as (

    {{ deduplicate('renamed', partition_by='event_id', order_by=arrival_order('asc')) }}

),

final as (

    select
        event_id,
        message_id,
        single_send_id,
        template_id,
        email,
        event_type,
        category,
        single_send_name,
        url,
        user_agent,
        ip,
        reason,
        smtp_status,
        bounce_type,
        attempt_number,
        is_machine_open,
        event_at,
        single_send_at,
        _source_file,
        _loaded_at

    from deduplicated

)

select * from final
