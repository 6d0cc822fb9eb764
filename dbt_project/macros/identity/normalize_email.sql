{#-
    definitions §1 Identifier: a normalized email is lower(trim(email)); nothing else is
    rewritten (no Gmail dot folding, no plus-address stripping, no validation). An
    email that is empty after trimming is no email (null).
-#}
{% macro normalize_email(email) -%}
    nullif(lower(trim({{ email }})), '')
{%- endmacro %}
