{#-
    The click-id query parameters int_web_events_parsed reads from the page URL, each
    into a column of its name (definitions §2 Channel: gclid, msclkid, fbclid,
    li_fat_id). The channel_click_ids seed says which channel rule each one feeds; a
    new click id goes here (and its column's docs in _web__models.yml) and into the
    seed. The singular test channel_click_ids_are_parsed checks the two agree.
-#}
{% macro web_click_id_params() -%}
    {{ return(['gclid', 'msclkid', 'fbclid', 'li_fat_id']) }}
{%- endmacro %}
