{#-
    The project's incremental strategy, delete+insert (the rebuilt keys replace their
    old rows), on Spark's plain Parquet tables, which have no MERGE or DELETE without
    Delta or Iceberg. dbt-spark knows only append, merge, insert_overwrite and
    microbatch; these two macros take the place of its own (a root project's macro of
    the same name wins) and add delete+insert:

    1. the rows to keep, the old rows of keys not rebuilt plus the new batch (dbt-spark's
       temp view `<model>__dbt_tmp`), are written to a table `<model>__dbt_keep`: Spark
       cannot overwrite a table while the same statement reads it;
    2. the model's table is overwritten with them;
    3. the keep table is dropped (the materialization's main statement).

    A failure between 2 and 3 leaves the keep table behind; the next run drops it
    first. The other strategies behave as in dbt-spark.
-#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- set known = ['append', 'insert_overwrite', 'delete+insert'] -%}
    {%- if raw_strategy not in known -%}
        {{ exceptions.raise_compiler_error(
            "Incremental strategy '" ~ raw_strategy ~ "' is not available on Spark's plain "
            ~ "Parquet tables here; use one of " ~ known | join(', ')) }}
    {%- endif -%}
    {{ return(raw_strategy) }}
{%- endmacro %}


{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy == 'append' -%}
        {{ get_insert_into_sql(source, target) }}
    {%- elif strategy == 'insert_overwrite' -%}
        {{ get_insert_overwrite_sql(source, target, existing) }}
    {%- else -%}
        {{ spark_delete_insert_sql(source, target, unique_key) }}
    {%- endif -%}
{%- endmacro %}


{% macro spark_delete_insert_sql(source, target, unique_key) -%}
    {%- if not unique_key -%}
        {{ exceptions.raise_compiler_error(
            "delete+insert on Spark needs the model's unique_key: " ~ target) }}
    {%- endif -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {%- set kept -%}
        select {{ columns }}
        from {{ target }} as old_rows
        where not exists (
            select 1
            from {{ source }} as new_rows
            where
                {%- for key in keys %}
                new_rows.{{ key }} = old_rows.{{ key }}{{ ' and' if not loop.last }}
                {%- endfor %}
        )
        union all
        select {{ columns }}
        from {{ source }}
    {%- endset -%}
    {{ spark_overwrite_with(target, kept) }}
{%- endmacro %}


{#-
    Overwrite the Parquet table `target` with the rows of `select_sql`, which may read
    `target` itself: the rows go through a keep table first (steps 1 and 2 run here,
    at render time); the SQL returned drops it (step 3), for the caller to run.
-#}
{% macro spark_overwrite_with(target, select_sql) -%}
    {%- set keep = target.incorporate(path={'identifier': target.identifier ~ '__dbt_keep'}) -%}
    {%- if execute -%}
        {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
        {%- do adapter.execute('drop table if exists ' ~ keep) -%}
        {%- do adapter.execute('create table ' ~ keep ~ ' using parquet as ' ~ select_sql) -%}
        {%- do adapter.execute('insert overwrite table ' ~ target ~ ' select ' ~ columns ~ ' from ' ~ keep) -%}
    {%- endif -%}
    drop table if exists {{ keep }}
{%- endmacro %}
