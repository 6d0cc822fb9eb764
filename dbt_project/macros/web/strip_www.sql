{#-
    A host without its leading 'www.' ('www.example.com' gives 'example.com'; other
    subdomains stay). Portable SQL.
-#}
{% macro strip_www(host) -%}
    case
        when {{ host }} like 'www.%' then substring({{ host }}, 5)
        else {{ host }}
    end
{%- endmacro %}
