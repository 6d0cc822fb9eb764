{#-
    The engine contract tests (tests/engine_contract/): each lists a macro's edge cases
    in a CTE with the answer worked out by hand (column `expected`) and returns the
    cases whose answer on this engine differs.
-#}

{#-
    True when two values are equal or both null, false otherwise (never null): a null
    expected value is an answer to check like any other.
-#}
{% macro same_value(actual, expected) -%}
    (case
        when {{ actual }} = {{ expected }} or ({{ actual }} is null and {{ expected }} is null)
            then true
        else false
    end)
{%- endmacro %}

{#-
    The rows of `cases` (with an `expected` column) whose `actual` (an expression over
    them, the macro under test) differs, with the answer given.
-#}
{% macro contract_failures(actual, cases='cases') -%}
    select
        {{ cases }}.*,
        {{ actual }} as actual
    from {{ cases }}
    where not {{ same_value(actual, 'expected') }}
{%- endmacro %}
