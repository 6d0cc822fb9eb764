{#-
    The site name of a host: its registrable label, the label just before the public
    suffix, lowercased. 'www.google.com', 'google.de', 'www.google.co.uk',
    'mail.google.com' and 'google.com.au' give 'google'; 't.co' gives 't'; 'lnkd.in'
    gives 'lnkd'; 'l.facebook.com' gives 'facebook'.

    The public suffix is the last label, or the last two when they look like a country's
    second level: a two-letter last label after one of `second_level_labels` (co.uk,
    com.au, ac.jp, ...). This stands in for the full Public Suffix List, which the
    warehouse does not carry: enough for recognising search engines and social
    networks, whose aliases live in the channel_source_categories seed.
    A host without a dot (and an IPv4 address) is its own site name; null gives null.
-#}
{% macro host_site_name(host, second_level_labels=none) -%}
    {%- set labels = second_level_labels if second_level_labels is not none else [
        'ac', 'co', 'com', 'edu', 'go', 'gob', 'gov', 'govt', 'ltd', 'mil', 'ne', 'net',
        'nic', 'nom', 'or', 'org', 'plc', 'sch'
    ] -%}
    {{ return(adapter.dispatch('host_site_name', 'journey_warehouse')(host, labels)) }}
{%- endmacro %}

{% macro default__host_site_name(host, second_level_labels) -%}
    {{ not_implemented_for_adapter('host_site_name') }}
{%- endmacro %}

{% macro duckdb__host_site_name(host, second_level_labels) -%}
    case
        when {{ host }} is null then null
        when regexp_matches(lower({{ host }}), '^[0-9.]+$') or position('.' in {{ host }}) = 0
            then lower({{ host }})
        when regexp_matches(
            lower({{ host }}),
            '[^.]\.({{ second_level_labels | join("|") }})\.[a-z]{2}$'
        )
            then regexp_extract(lower({{ host }}), '([^.]+)\.[^.]+\.[^.]+$', 1)
        else regexp_extract(lower({{ host }}), '([^.]+)\.[^.]+$', 1)
    end
{%- endmacro %}

{#- Spark: rlike for regexp_matches (Java regular expressions, the same patterns). -#}
{% macro spark__host_site_name(host, second_level_labels) -%}
    case
        when {{ host }} is null then null
        when lower({{ host }}) rlike '^[0-9.]+$' or position('.' in {{ host }}) = 0
            then lower({{ host }})
        when lower({{ host }}) rlike '[^.]\.({{ second_level_labels | join("|") }})\.[a-z]{2}$'
            then regexp_extract(lower({{ host }}), '([^.]+)\.[^.]+\.[^.]+$', 1)
        else regexp_extract(lower({{ host }}), '([^.]+)\.[^.]+$', 1)
    end
{%- endmacro %}
