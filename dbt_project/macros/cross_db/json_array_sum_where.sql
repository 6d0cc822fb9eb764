{#-
    Over a JSON array of objects held as text, the sum of `value_key` (a number, or a
    string holding one) across the elements whose `match_key` equals `match_value`.
    Null when the array is null or has no such element.

    Example: Meta `actions` '[{"action_type": "lead", "value": "3"}]' with
    json_array_sum_where('actions', 'action_type', 'lead', 'value') gives 3.
-#}
{% macro json_array_sum_where(json_text, match_key, match_value, value_key) -%}
    {{ return(adapter.dispatch('json_array_sum_where', 'journey_warehouse')(
        json_text, match_key, match_value, value_key
    )) }}
{%- endmacro %}

{% macro default__json_array_sum_where(json_text, match_key, match_value, value_key) -%}
    {{ not_implemented_for_adapter('json_array_sum_where') }}
{%- endmacro %}

{% macro duckdb__json_array_sum_where(json_text, match_key, match_value, value_key) -%}
    list_sum(
        list_transform(
            list_filter(
                cast(json({{ json_text }}) as json[]),
                lambda element: json_extract_string(element, '$.{{ match_key }}') = '{{ match_value }}'
            ),
            lambda element: cast(json_extract_string(element, '$.{{ value_key }}') as double)
        )
    )
{%- endmacro %}
