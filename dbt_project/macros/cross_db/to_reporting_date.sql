{#-
    definitions: "Reporting dates are UTC dates unless the `reporting_timezone` var
    (configurable, default `UTC`) says otherwise."

    The DATE, in var('reporting_timezone'), of a timestamp without time zone that holds
    UTC (every naive TIMESTAMP column in this warehouse does). With the default 'UTC'
    this compiles to a plain cast(... as date): no time-zone function, no cost.
    Only for true timestamps: date-only fields (CloseDate, ad-platform report dates) are
    used as they are and must not go through this macro.
    The result never depends on the session's TimeZone setting.
-#}
{% macro to_reporting_date(ts_expr) -%}
    {%- set tz = var('reporting_timezone', 'UTC') | string | trim -%}
    {%- if tz | upper in ('UTC', 'ETC/UTC', 'Z') -%}
        cast({{ ts_expr }} as date)
    {%- else -%}
        {%- if not modules.re.match('^[A-Za-z0-9_/+-]+$', tz) -%}
            {{ exceptions.raise_compiler_error(
                "var('reporting_timezone') must be an IANA time zone name such as"
                ~ " 'Europe/Berlin', got '" ~ tz ~ "'."
            ) }}
        {%- endif -%}
        {{ return(adapter.dispatch('to_reporting_date', 'journey_warehouse')(ts_expr, tz)) }}
    {%- endif -%}
{%- endmacro %}

{#- PostgreSQL-style: naive UTC -> timestamptz -> wall-clock time in tz. -#}
{% macro default__to_reporting_date(ts_expr, tz) -%}
    cast(({{ ts_expr }} at time zone 'UTC') at time zone '{{ tz }}' as date)
{%- endmacro %}

{#-
    DuckDB: timezone('UTC', naive) reads the naive value as UTC and returns a
    timestamptz; timezone(tz, timestamptz) returns the naive wall-clock time in tz.
    Neither step consults the session TimeZone.
-#}
{% macro duckdb__to_reporting_date(ts_expr, tz) -%}
    cast(timezone('{{ tz }}', timezone('UTC', {{ ts_expr }})) as date)
{%- endmacro %}

{#- Spark: from_utc_timestamp reads the value as UTC and gives the wall-clock time in tz. -#}
{% macro spark__to_reporting_date(ts_expr, tz) -%}
    cast(from_utc_timestamp({{ ts_expr }}, '{{ tz }}') as date)
{%- endmacro %}
