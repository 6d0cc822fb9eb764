{#-
    A double-precision float type: credits must sum to 1 within 1e-9, and
    dbt.type_float() is a 4-byte float on DuckDB.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'journey_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
