{#-
    definitions §5: a ratio whose denominator is zero (or null) is null, never 0 and
    never an error. Both sides are cast to a double so integer counts divide as
    fractions on every engine (PostgreSQL divides an integer by an integer to an
    integer); the type is spelled per engine by ratio_type.
-#}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as {{ ratio_type() }})
        / nullif(cast({{ denominator }} as {{ ratio_type() }}), 0)
{%- endmacro %}

{#- A 64-bit float: `double precision` on DuckDB and PostgreSQL, `double` on Spark. -#}
{% macro ratio_type() -%}
    {{ return(adapter.dispatch('ratio_type', 'journey_warehouse')()) }}
{%- endmacro %}

{% macro default__ratio_type() -%}
    double precision
{%- endmacro %}

{% macro spark__ratio_type() -%}
    double
{%- endmacro %}
