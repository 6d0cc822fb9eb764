{#-
    The trailing number of a URN, as text: 'urn:li:sponsoredCreative:123' gives '123'.
    A bare number stays as it is; a value without a trailing number gives null.
-#}
{% macro urn_to_id(urn) -%}
    {{ return(adapter.dispatch('urn_to_id', 'journey_warehouse')(urn)) }}
{%- endmacro %}

{% macro default__urn_to_id(urn) -%}
    {{ not_implemented_for_adapter('urn_to_id') }}
{%- endmacro %}

{% macro duckdb__urn_to_id(urn) -%}
    nullif(regexp_extract({{ urn }}, '(\d+)$', 1), '')
{%- endmacro %}

{% macro spark__urn_to_id(urn) -%}
    nullif(regexp_extract({{ urn }}, '(\d+)$', 1), '')
{%- endmacro %}
