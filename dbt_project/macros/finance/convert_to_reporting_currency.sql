{#-
    An amount in `currency_code` as money in the reporting currency (var
    reporting_currency), through the euro (definitions intro and §5 Currency):

        amount x (reporting currency units per EUR) / (currency units per EUR)

    `units_per_eur` and `reporting_units_per_eur` are the day's rates of the amount's
    currency and of the reporting currency, as int_fx_rates_daily gives them (both 1
    for EUR). An amount already in the reporting currency needs no rate and passes
    through unchanged. A missing rate gives null, never an assumed 1.0: the singular
    tests fx_rate_available_for_deals (deal amounts) and fx_rate_available_for_ad_spend
    (ad spend) fail on it.

    The result is decimal(18, 6): the division is exact to the micro-unit; nothing is
    rounded to cents here (the glossary rounds only LinkedIn cost, in staging).
-#}
{% macro convert_to_reporting_currency(amount, currency_code, units_per_eur, reporting_units_per_eur) -%}
    cast(
        case
            when {{ currency_code }} = '{{ var("reporting_currency") }}'
                then {{ amount }}
            else {{ amount }} * {{ reporting_units_per_eur }} / {{ units_per_eur }}
        end
        as decimal(18, 6)
    )
{%- endmacro %}
