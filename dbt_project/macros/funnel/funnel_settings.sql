{#-
    definitions §3: the Segment track names that make a Lead (when they carry an email)
    and an MQL (the Demo Requested track), and the LeadHistory field whose changes are
    status changes. Override per run with --vars, e.g.
    `--vars '{funnel_lead_track_events: ["Form Submitted", "Trial Started"]}'`.
-#}
{% macro funnel_lead_track_events() -%}
    {{ return(var('funnel_lead_track_events', ['Form Submitted', 'Signed Up', 'Demo Requested'])) }}
{%- endmacro %}

{% macro funnel_mql_track_events() -%}
    {{ return(var('funnel_mql_track_events', ['Demo Requested'])) }}
{%- endmacro %}

{% macro funnel_lead_status_field() -%}
    {{ return(var('funnel_lead_status_field', 'Status')) }}
{%- endmacro %}

{#- A Jinja list as a SQL list of text literals: ('a', 'b'). -#}
{% macro funnel_sql_text_list(values) -%}
    ({%- for value in values -%}'{{ value | replace("'", "''") }}'{%- if not loop.last -%}, {% endif -%}{%- endfor -%})
{%- endmacro %}
