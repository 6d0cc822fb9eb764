{#-
    The path of a URL, as it is written (not decoded): 'https://example.com/a/b?c=1#d'
    gives '/a/b'; a URL without a path gives '/'. Null when the text has no
    `scheme://host`.
-#}
{% macro url_path(url) -%}
    {{ return(adapter.dispatch('url_path', 'journey_warehouse')(url)) }}
{%- endmacro %}

{% macro default__url_path(url) -%}
    {{ not_implemented_for_adapter('url_path') }}
{%- endmacro %}

{% macro duckdb__url_path(url) -%}
    case
        when regexp_matches({{ url }}, '^\s*[A-Za-z][A-Za-z0-9+.-]*://[^/?#\s]')
            then coalesce(
                nullif(regexp_extract({{ url }}, '^\s*[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*(/[^?#]*)', 1), ''),
                '/'
            )
    end
{%- endmacro %}

{% macro spark__url_path(url) -%}
    case
        when {{ url }} rlike '^\s*[A-Za-z][A-Za-z0-9+.-]*://[^/?#\s]'
            then coalesce(
                nullif(regexp_extract({{ url }}, '^\s*[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*(/[^?#]*)', 1), ''),
                '/'
            )
    end
{%- endmacro %}
