{#-
    definitions §2 Internal referrer, as a boolean SQL expression over two lowercased
    hosts: the referrer host equals the page host, a leading 'www.' ignored on both, or
    it is one of `site_domains` (var site_domains by default) or a subdomain of one.
    "Ends with" is read at a label boundary: with site_domains ['example.com'],
    'blog.example.com' and 'example.com' are internal, 'notexample.com' is not. A
    leading 'www.' or '.' in a configured domain is ignored. No referrer host gives
    false. Portable SQL (`right` exists on DuckDB, PostgreSQL and Spark).
-#}
{% macro is_internal_referrer(referrer_host, page_host, site_domains=none) -%}
    {%- set domains = var('site_domains') if site_domains is none else site_domains -%}
    {%- if domains is string -%}
        {%- set domains = [domains] -%}
    {%- endif -%}
    coalesce(
        {{ referrer_host }} is not null
        and (
            {{ strip_www(referrer_host) }} = {{ strip_www(page_host) }}
            {%- for domain in domains %}
            {%- set clean = domain | trim | lower -%}
            {%- set clean = clean[4:] if clean.startswith('www.') else clean -%}
            {%- set clean = clean.lstrip('.') %}
            or {{ referrer_host }} = '{{ clean }}'
            or right({{ referrer_host }}, {{ clean | length + 1 }}) = '.{{ clean }}'
            {%- endfor %}
        ),
        false
    )
{%- endmacro %}
