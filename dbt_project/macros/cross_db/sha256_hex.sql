{#-
    The SHA-256 digest of a text value as 64 lowercase hexadecimal characters; null stays
    null. Marts carry emails only as this hash (definitions §1 PII: email_hash).
-#}
{% macro sha256_hex(text_value) -%}
    {{ return(adapter.dispatch('sha256_hex', 'journey_warehouse')(text_value)) }}
{%- endmacro %}

{% macro default__sha256_hex(text_value) -%}
    {{ not_implemented_for_adapter('sha256_hex') }}
{%- endmacro %}

{#- DuckDB's sha256() hashes the UTF-8 bytes and returns lowercase hex. -#}
{% macro duckdb__sha256_hex(text_value) -%}
    sha256(cast({{ text_value }} as varchar))
{%- endmacro %}

{% macro spark__sha256_hex(text_value) -%}
    sha2(cast({{ text_value }} as string), 256)
{%- endmacro %}
