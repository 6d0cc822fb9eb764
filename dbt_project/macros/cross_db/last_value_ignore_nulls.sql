{#-
    The window function "last non-null value of `expression` in the frame", without its
    OVER clause: write `{{ last_value_ignore_nulls('x') }} over (partition by ... order by
    ... rows between unbounded preceding and current row)`. Null when every value in the
    frame is null.
-#}
{% macro last_value_ignore_nulls(expression) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'journey_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__last_value_ignore_nulls(expression) -%}
    {{ not_implemented_for_adapter('last_value_ignore_nulls') }}
{%- endmacro %}

{% macro duckdb__last_value_ignore_nulls(expression) -%}
    last_value({{ expression }} ignore nulls)
{%- endmacro %}

{% macro spark__last_value_ignore_nulls(expression) -%}
    last({{ expression }}, true)
{%- endmacro %}
