{#-
    An ISO-8601 timestamp held as text, as a UTC timestamp without time zone.

    Accepted: '2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000+02:00',
    '2026-11-01T10:00:00.000+0000', '2026-03-01 10:00:00'. A value with an offset is
    moved to UTC; a value without one is UTC already (landing contract). The result
    never depends on the session's TimeZone setting.
-#}
{% macro parse_timestamp_utc(text_value) -%}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'journey_warehouse')(text_value)) }}
{%- endmacro %}

{% macro default__parse_timestamp_utc(text_value) -%}
    {{ not_implemented_for_adapter('parse_timestamp_utc') }}
{%- endmacro %}

{#-
    DuckDB: cast(... as timestamp) would silently drop an offset, and cast(... as
    timestamptz) reads an offset-less value in the session time zone. So a value ending
    in an offset goes through timestamptz and timezone('UTC', ...), which returns the
    UTC wall-clock time whatever the session time zone; any other value is cast as is.
-#}
{% macro duckdb__parse_timestamp_utc(text_value) -%}
    case
        when regexp_matches({{ text_value }}, '\d:\d{2}(:\d{2}(\.\d*)?)?([Zz]|[+-]\d{2}(:?\d{2})?)$')
            then timezone('UTC', cast({{ text_value }} as timestamptz))
        else cast({{ text_value }} as timestamp)
    end
{%- endmacro %}

{#-
    Spark: a cast reads 'T', 'Z' and '+hh:mm' itself; an offset written '+hhmm' gets its
    colon first. An offset-less value is read in the session time zone, which the
    project's Spark profile sets to UTC.
-#}
{% macro spark__parse_timestamp_utc(text_value) -%}
    cast(regexp_replace({{ text_value }}, '([+-]\d{2})(\d{2})$', '$1:$2') as timestamp)
{%- endmacro %}
