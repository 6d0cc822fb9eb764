{#-
    Custom schema names are used as they are: `+schema: staging` builds into schema
    `staging`, not dbt's default `<target_schema>_staging`. Models without a custom
    schema build into the target schema (`main`).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
