{#-
    The value of query parameter `parameter_name` in a URL's query string (between `?`
    and `#`), decoded: `+` is a space and %XX escapes are decoded (a malformed escape
    stays as written). The first occurrence wins; the name matches case-insensitively.
    Null when the parameter is absent or has an empty value.

    `parameter_name` is a SQL expression, normally a quoted literal ("'gclid'"). A column
    works too, but then a regular expression is compiled per row (about 5 s per million
    rows on DuckDB): parse literal names into columns instead. Names are letters, digits,
    `_`, `-` and `.` (they are used in a regular expression).

    Example: url_query_parameter('page_url', "'utm_campaign'") with page_url
    'https://example.com/?utm_campaign=Spring%20Sale+2026&gclid=abc' gives 'Spring Sale 2026'.
-#}
{% macro url_query_parameter(url, parameter_name) -%}
    {{ return(adapter.dispatch('url_query_parameter', 'journey_warehouse')(url, parameter_name)) }}
{%- endmacro %}

{% macro default__url_query_parameter(url, parameter_name) -%}
    {{ not_implemented_for_adapter('url_query_parameter') }}
{%- endmacro %}

{#-
    '&' || query string: the parameter then always follows a '&'. A '.' in a name is
    escaped so that it matches itself only.
-#}
{% macro duckdb__url_query_parameter(url, parameter_name) -%}
    nullif(
        url_decode(
            replace(
                regexp_extract(
                    '&' || regexp_extract({{ url }}, '\?([^#]*)', 1),
                    '(?i)&' || replace({{ parameter_name }}, '.', '\.') || '=([^&]*)',
                    1
                ),
                '+',
                ' '
            )
        ),
        ''
    )
{%- endmacro %}

{#-
    Spark: url_decode (java.net.URLDecoder) fails on a malformed escape, so a '%' not
    followed by two hex digits is written '%25' first and decodes back to itself; '+'
    is a space to URLDecoder too.
-#}
{% macro spark__url_query_parameter(url, parameter_name) -%}
    nullif(
        url_decode(
            regexp_replace(
                regexp_extract(
                    '&' || regexp_extract({{ url }}, '\?([^#]*)', 1),
                    '(?i)&' || replace({{ parameter_name }}, '.', '\.') || '=([^&]*)',
                    1
                ),
                '%(?![0-9A-Fa-f]{2})',
                '%25'
            )
        ),
        ''
    )
{%- endmacro %}
