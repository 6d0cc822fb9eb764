{#-
    A JSON object, as text, built from `pairs`: a list of [key, sql expression] pairs,
    e.g. [['page_path', 'landing_page_path'], ['event_count', 'event_count']]. Null
    values stay JSON nulls. Used for the feature_json of the customer journey's activity
    streams (models/intermediate/journey/), which fct_customer_journey unions.
-#}
{% macro json_object_text(pairs) -%}
    {{ return(adapter.dispatch('json_object_text', 'journey_warehouse')(pairs)) }}
{%- endmacro %}

{% macro default__json_object_text(pairs) -%}
    {{ not_implemented_for_adapter('json_object_text') }}
{%- endmacro %}

{% macro duckdb__json_object_text(pairs) -%}
    cast(json_object(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro postgres__json_object_text(pairs) -%}
    cast(json_build_object(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as text)
{%- endmacro %}

{#-
    Spark: to_json over a struct. The profile keeps null fields (jsonGenerator.
    ignoreNullFields false), and timestamps are written as DuckDB writes them:
    'yyyy-MM-dd HH:mm:ss' with the fraction's trailing zeros (and a zero fraction)
    dropped, so both engines give the same text.
-#}
{% macro spark__json_object_text(pairs) -%}
    regexp_replace(
        to_json(
            named_struct(
                {%- for key, expression in pairs %}
                '{{ key }}', {{ expression }}{{ "," if not loop.last }}
                {%- endfor %}
            ),
            map('timestampFormat', 'yyyy-MM-dd HH:mm:ss.SSSSSS')
        ),
        '"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d*[1-9])?)\.?0*"',
        '"$1"'
    )
{%- endmacro %}
