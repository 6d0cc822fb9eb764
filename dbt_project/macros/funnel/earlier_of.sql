{#-
    The earlier of two timestamps, ignoring a null one (null only when both are null).
    Spelled as CASE because engines disagree on whether least() ignores nulls.
-#}
{% macro earlier_of(first, second) -%}
    case
        when {{ first }} is null then {{ second }}
        when {{ second }} is null then {{ first }}
        when {{ second }} < {{ first }} then {{ second }}
        else {{ first }}
    end
{%- endmacro %}
