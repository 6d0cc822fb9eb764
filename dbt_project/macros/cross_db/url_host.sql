{#-
    The host of a URL, lowercased, without scheme, user info, port or trailing dot:
    'HTTPS://user@WWW.Example.com:8080/a?b=1' gives 'www.example.com'. Null when the
    text has no `scheme://host` (null, empty, a bare path, garbage).
-#}
{% macro url_host(url) -%}
    {{ return(adapter.dispatch('url_host', 'journey_warehouse')(url)) }}
{%- endmacro %}

{% macro default__url_host(url) -%}
    {{ not_implemented_for_adapter('url_host') }}
{%- endmacro %}

{% macro duckdb__url_host(url) -%}
    nullif(
        rtrim(
            lower(regexp_extract({{ url }}, '^\s*[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^:/?#\s]*)', 1)),
            '.'
        ),
        ''
    )
{%- endmacro %}

{% macro spark__url_host(url) -%}
    nullif(
        trim(trailing '.' from
            lower(regexp_extract({{ url }}, '^\s*[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^:/?#\s]*)', 1))
        ),
        ''
    )
{%- endmacro %}
