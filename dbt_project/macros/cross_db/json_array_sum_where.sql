{#-
    Over a JSON array of objects held as text, the sum of `value_key` (a number, or a
    string holding one) across the elements whose `match_key` equals `match_value`.
    Null when the array is null or has no such element; a value that is not a number
    is skipped (tests/engine_contract/json_array_sum_where_on_edge_cases.sql).

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
            lambda element: try_cast(json_extract_string(element, '$.{{ value_key }}') as double)
        )
    )
{%- endmacro %}

{#-
    Spark: the array read as maps of text (a JSON number becomes its text), filtered,
    its values cast; the sum starts from null so that no value gives null, as DuckDB's
    list_sum does, and skips values that are not numbers.
-#}
{% macro spark__json_array_sum_where(json_text, match_key, match_value, value_key) -%}
    aggregate(
        filter(
            transform(
                filter(
                    from_json({{ json_text }}, 'array<map<string,string>>'),
                    element -> element['{{ match_key }}'] = '{{ match_value }}'
                ),
                element -> cast(element['{{ value_key }}'] as double)
            ),
            amount -> amount is not null
        ),
        cast(null as double),
        (total, amount) -> coalesce(total, 0) + amount
    )
{%- endmacro %}
