{#-
    The rows of `relation` an incremental staging build must see: on a full build every
    row; on an incremental build every version of each key that has a version loaded
    (`_loaded_at`) since the model's last build. Deduplicating those rows the way a full
    build does ("later wins" or "first copy wins", landing contract) gives the same row
    for each key as a full build, however late a version arrives: the watermark is the
    arrival time, not the event time, so a web event 3 days late, an ad day restated 28
    days later and a CRM change a year later are all picked up. Keys whose every column
    is not null (the source tests hold the loader to that) are required.

    Used with incremental_strategy='delete+insert' and the model's key as unique_key:
    the rebuilt keys replace their old rows. Portable: a correlated EXISTS, which DuckDB,
    PostgreSQL and Spark all turn into a semi-join.
-#}
{% macro versions_to_rebuild(relation, key_columns) -%}
    select *
    from {{ relation }} as versions
    {%- if is_incremental() %}
    where exists (
        select 1
        from {{ relation }} as arrived
        where arrived._loaded_at > ({{ last_loaded_at() }})
            {%- for column in key_columns %}
            and arrived.{{ column }} = versions.{{ column }}
            {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}


{#- The newest `_loaded_at` the incremental model `this` has seen (its watermark). -#}
{% macro last_loaded_at(column='_loaded_at') -%}
    {{ require_watermark_column(column) }}
    select coalesce(max({{ column }}), cast('1900-01-01 00:00:00' as timestamp))
    from {{ this }}
{%- endmacro %}


{#-
    The newest load of `relation` this build sees, as a scalar subquery: what a model
    that keeps its watermark in a lineage column of its own (_segment_loaded_through)
    stores on its rows, for last_loaded_at to read on the next build.
-#}
{% macro newest_loaded_at(relation) -%}
    (
        select max(loads._loaded_at) as max_loaded_at
        from {{ relation }} as loads
    )
{%- endmacro %}


{#-
    A warehouse built before a model became incremental has the model as a table
    without its watermark column: say what to do instead of failing on a missing column.
    (In a dbt unit test `this` is the name of the test's fixture, not a table: nothing
    to check.)
-#}
{% macro require_watermark_column(column) -%}
    {%- if execute and is_incremental() and this is not string -%}
        {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- if column not in names -%}
            {{ exceptions.raise_compiler_error(
                this ~ " has no column " ~ column ~ ": it was built before the model became "
                ~ "incremental. Rebuild it once with `journey refresh --full` "
                ~ "(dbt build --full-refresh)."
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
