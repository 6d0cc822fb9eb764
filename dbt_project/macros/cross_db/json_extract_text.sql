{#-
    The text value at `path` inside a JSON document held as text, or null when the path
    is missing. `path` is a dot-separated list of plain keys: 'email', 'page.url'.
    Objects and lists come back as JSON text; strings without their quotes.
-#}
{% macro json_extract_text(json_text, path) -%}
    {{ return(adapter.dispatch('json_extract_text', 'journey_warehouse')(json_text, path)) }}
{%- endmacro %}

{% macro default__json_extract_text(json_text, path) -%}
    {{ not_implemented_for_adapter('json_extract_text') }}
{%- endmacro %}

{% macro duckdb__json_extract_text(json_text, path) -%}
    json_extract_string({{ json_text }}, '$.{{ path }}')
{%- endmacro %}

{% macro spark__json_extract_text(json_text, path) -%}
    get_json_object({{ json_text }}, '$.{{ path }}')
{%- endmacro %}
