{#-
    The form in which text values are compared by definitions §2 (utm_campaign against
    a session's campaign and against campaign ids and names, utm values against the
    channel seeds): trimmed and lowercased; empty (or only spaces) is null, "not set".
    Portable SQL.
-#}
{% macro match_key(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}
