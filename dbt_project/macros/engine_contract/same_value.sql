{#-
    True when two values are equal or both null, false otherwise (never null): the
    comparison of the engine contract tests (tests/engine_contract/), where a null
    expected value is an answer to check like any other.
-#}
{% macro same_value(actual, expected) -%}
    (case
        when {{ actual }} = {{ expected }} or ({{ actual }} is null and {{ expected }} is null)
            then true
        else false
    end)
{%- endmacro %}
