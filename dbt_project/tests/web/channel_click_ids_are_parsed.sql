{{
    config(
        severity='error',
        meta={
            "description": "Every click-id parameter of the channel rules (such as gclid) is one the warehouse reads from landing-page URLs.",
            "dagster": {"ref": {"name": "channel_click_ids"}},
        },
    )
}}

{#-
    Every click-id parameter of the channel_click_ids seed is one int_web_events_parsed
    reads (macro web_click_id_params): a seed row for a parameter nobody parses would
    silently never match.
-#}

select click_id_param
from {{ ref('channel_click_ids') }}
where lower(click_id_param) not in (
    {%- for click_id in web_click_id_params() %}
    '{{ click_id }}'{{ ',' if not loop.last }}
    {%- endfor %}
)
