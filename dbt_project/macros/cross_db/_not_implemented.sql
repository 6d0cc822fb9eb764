{#-
    The default__ of every dispatched macro in this folder that has no portable spelling:
    fail at compile time, naming the macro a new adapter has to implement.
-#}
{% macro not_implemented_for_adapter(macro_name) -%}
    {{ exceptions.raise_compiler_error(
        "journey_warehouse." ~ macro_name ~ " has no implementation for adapter '"
        ~ target.type ~ "'. Add a macro named " ~ target.type ~ "__" ~ macro_name
        ~ " beside duckdb__" ~ macro_name ~ " in dbt_project/macros/cross_db/."
    ) }}
{%- endmacro %}
