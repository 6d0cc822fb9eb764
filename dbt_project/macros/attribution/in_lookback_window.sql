{#-
    definitions §4 Eligible touchpoints: a session is in a conversion's window when it
    starts within [anchor - attribution_lookback_days, anchor], both ends included.
    The one place the window is written: the attribution touchpoints and the
    first-touch crediting of leads and MQLs both use it.
-#}

{% macro in_lookback_window(session_started_at, anchor_at) -%}
    {{ session_started_at }} <= {{ anchor_at }}
    and {{ session_started_at }}
    >= {{ dbt.dateadd('day', -1 * var('attribution_lookback_days'), anchor_at) }}
{%- endmacro %}
