{#-
    On Spark, raw reaches the warehouse as Parquet: one folder per raw table under
    JOURNEY_SPARK_RAW_DIR (written by `journey`, orchestration/spark), each registered
    here as a table of schema `raw` over its folder, so the sources read it as they read
    DuckDB's raw schema. Run as on-run-start; a no-op on every other engine.
-#}
{% macro register_raw_tables() -%}
    {%- if target.type == 'spark' and execute -%}
        {%- set raw_dir = env_var('JOURNEY_SPARK_RAW_DIR', '') -%}
        {%- if not raw_dir -%}
            {{ exceptions.raise_compiler_error(
                "JOURNEY_SPARK_RAW_DIR is not set: on Spark, raw is read from the Parquet "
                ~ "folders `journey` exports there (README, Running on Spark)") }}
        {%- endif -%}
        {%- set tables = [] -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' -%}
            {%- do tables.append(source.identifier) if source.identifier not in tables -%}
        {%- endfor -%}
        {%- do adapter.execute('create schema if not exists raw') -%}
        {%- for table in tables | sort -%}
            {%- do adapter.execute('drop table if exists raw.' ~ table) -%}
            {%- do adapter.execute(
                "create table raw." ~ table ~ " using parquet location '"
                ~ raw_dir.rstrip('/') ~ "/" ~ table ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
