{#-
    Fractional seconds from timestamp `start_at` to timestamp `end_at` (positive when
    end_at is later), sub-second parts kept: dbt.datediff counts whole boundaries.
-#}
{% macro seconds_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('seconds_between', 'journey_warehouse')(start_at, end_at)) }}
{%- endmacro %}

{% macro default__seconds_between(start_at, end_at) -%}
    {{ not_implemented_for_adapter('seconds_between') }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_at, end_at) -%}
    (epoch({{ end_at }}) - epoch({{ start_at }}))
{%- endmacro %}
