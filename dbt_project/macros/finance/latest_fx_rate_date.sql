{#-
    definitions §5 Currency, "an open one at the latest rate": a one-row, one-column
    query giving `latest_rate_date`, the last day the ECB published a rate (the latest
    published_rate_date of any non-EUR currency in `fx_rates_daily`, a relation or CTE
    shaped like int_fx_rates_daily). Null when there is no rate at all.
    Used by int_opportunities_converted and mart_pipeline_by_stage so that both mean
    the same day by "the latest rate".
-#}
{% macro latest_fx_rate_date(fx_rates_daily) -%}
    select max(published_rate_date) as latest_rate_date
    from {{ fx_rates_daily }}
    where currency_code <> 'EUR'
{%- endmacro %}
