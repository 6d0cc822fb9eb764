{#-
    The post-hook of a delete+insert model whose changed keys with no row left are
    written as tombstones (a row whose `column` is null, which deletes the key's old
    rows): remove the tombstones themselves. Spark's Parquet tables have no DELETE, so
    there the table is overwritten with every other row (spark_overwrite_with).
-#}
{% macro remove_tombstones(relation, column) -%}
    {{ return(adapter.dispatch('remove_tombstones', 'journey_warehouse')(relation, column)) }}
{%- endmacro %}


{% macro default__remove_tombstones(relation, column) -%}
    delete from {{ relation }} where {{ column }} is null
{%- endmacro %}


{% macro spark__remove_tombstones(relation, column) -%}
    {{ spark_overwrite_with(relation, 'select * from ' ~ relation ~ ' where ' ~ column ~ ' is not null') }}
{%- endmacro %}
