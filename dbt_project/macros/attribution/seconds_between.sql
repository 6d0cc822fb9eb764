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

{#-
    DuckDB: the difference of whole microseconds, then a double: epoch() gives seconds
    since 1970 as a double, and the difference of two such doubles keeps only about
    seven digits of a one-minute gap.
-#}
{% macro duckdb__seconds_between(start_at, end_at) -%}
    (cast(epoch_us({{ end_at }}) - epoch_us({{ start_at }}) as double) / 1000000)
{%- endmacro %}

{#-
    Spark: unix_micros keeps the sub-second part; the difference is cast to a double
    first (1000000.0 would be a DECIMAL literal, and decimal division rounds).
-#}
{% macro spark__seconds_between(start_at, end_at) -%}
    (cast(unix_micros({{ end_at }}) - unix_micros({{ start_at }}) as double) / 1000000)
{%- endmacro %}
