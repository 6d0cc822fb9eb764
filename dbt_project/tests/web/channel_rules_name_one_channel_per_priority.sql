{{
    config(
        severity='error',
        meta={
            "description": "Each priority of the channel rules names a single channel, so every web visit gets one channel.",
            "dagster": {"ref": {"name": "channel_rules"}},
        },
    )
}}

{#-
    The channel_rules seed: rows sharing a priority are alternatives of one rule, so they
    must name the same channel (int_web_session_channels reads a priority's channel).
-#}

select
    priority,
    count(distinct channel) as channel_count

from {{ ref('channel_rules') }}
group by priority
having count(distinct channel) > 1
