{#-
    Unix seconds (a number, or text holding one) as a UTC timestamp without time zone.
-#}
{% macro epoch_seconds_to_timestamp(epoch_seconds) -%}
    {{ return(adapter.dispatch('epoch_seconds_to_timestamp', 'journey_warehouse')(epoch_seconds)) }}
{%- endmacro %}

{% macro default__epoch_seconds_to_timestamp(epoch_seconds) -%}
    {{ not_implemented_for_adapter('epoch_seconds_to_timestamp') }}
{%- endmacro %}

{#- to_timestamp gives a timestamptz; timezone('UTC', ...) makes it UTC wall-clock time. -#}
{% macro duckdb__epoch_seconds_to_timestamp(epoch_seconds) -%}
    timezone('UTC', to_timestamp(cast({{ epoch_seconds }} as double)))
{%- endmacro %}

{#-
    Spark: timestamp_seconds gives the instant; with the session time zone UTC (the
    project's Spark profile sets it) it reads as UTC wall-clock time.
-#}
{% macro spark__epoch_seconds_to_timestamp(epoch_seconds) -%}
    timestamp_seconds(cast({{ epoch_seconds }} as double))
{%- endmacro %}
