{#-
    One row per `partition_by` key: the first row in `order_by` order. Returns a select
    of every column of `relation` plus `_version_rank`; list the columns you keep
    after it. Portable: row_number() and a where, no QUALIFY.
-#}
{% macro deduplicate(relation, partition_by, order_by) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ partition_by }}
                order by {{ order_by }}
            ) as _version_rank
        from {{ relation }}
    ) as versions
    where _version_rank = 1
{%- endmacro %}


{#-
    The landing contract's meaning of "later": later in file-name order (drops are named
    in arrival order), then further down the file. arrival_order('desc') puts the latest
    version first (later wins); arrival_order('asc') the first copy (duplicates dropped).
-#}
{% macro arrival_order(direction='asc') -%}
    {%- if direction not in ('asc', 'desc') -%}
        {{ exceptions.raise_compiler_error("arrival_order: direction must be 'asc' or 'desc'") }}
    {%- endif -%}
    _source_file {{ direction }}, _source_position {{ direction }}
{%- endmacro %}
