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

{#- Spark: to_json drops null fields of a struct; readers treat a missing key as null. -#}
{% macro spark__json_object_text(pairs) -%}
    to_json(named_struct(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
