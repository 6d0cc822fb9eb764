{#-
    One row per calendar day from `start_date` to `end_date`, both included, for each row
    of `relation` (columns or expressions of it, dates). The day is a date column named
    `day_column`. A row whose bounds are null, or whose end is before its start, gives
    no day, so an empty or all-null relation gives an empty series.

    Unlike dbt.date_spine, the bounds may come from the data: date_spine runs a query
    at compile time to count the days, which fails on an empty warehouse.
-#}
{% macro day_series(relation, start_date, end_date, day_column='calendar_date') -%}
    {{ return(adapter.dispatch('day_series', 'journey_warehouse')(
        relation, start_date, end_date, day_column
    )) }}
{%- endmacro %}

{% macro default__day_series(relation, start_date, end_date, day_column) -%}
    {{ not_implemented_for_adapter('day_series') }}
{%- endmacro %}

{#- generate_series over timestamps gives a list; unnest makes it rows. -#}
{% macro duckdb__day_series(relation, start_date, end_date, day_column) -%}
    select
        cast(unnest(generate_series(
            cast({{ start_date }} as timestamp),
            cast({{ end_date }} as timestamp),
            interval 1 day
        )) as date) as {{ day_column }}
    from {{ relation }}
{%- endmacro %}

{#-
    Spark: sequence() over dates steps a day; it fails on an end before its start, so
    such a row (and a null bound) gets no array, and explode gives it no day.
-#}
{% macro spark__day_series(relation, start_date, end_date, day_column) -%}
    select
        explode(case
            when cast({{ start_date }} as date) <= cast({{ end_date }} as date)
                then sequence(cast({{ start_date }} as date), cast({{ end_date }} as date))
        end) as {{ day_column }}
    from {{ relation }}
{%- endmacro %}
