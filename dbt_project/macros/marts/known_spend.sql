{#-
    definitions §5 Unknown spend is not zero spend: before the first day for which any
    ad source has statistics, spend is unknown, so spend and every ratio built on it
    (CPC, CPM, CPL, cost per MQL, CAC, ROAS) are null there, never 0. After that day a
    channel or month that spent nothing shows 0.

    spend_known_from(ad_performance): one row, `spend_known_from`, the first report
    date in the ad statistics (null when there are none: then spend is unknown
    everywhere). A mart selects it as a CTE and cross joins it.

    known_spend(spend, period_start, grain): `spend` where the period's spend is known,
    else null. grain 'day': known from that first day on. grain 'month': known from the
    month that holds it on, so the first month shows the spend of its known days (the
    ad data starts mid-month; the days before it had no statistics to add).
-#}

{% macro spend_known_from(ad_performance) -%}
    select min(report_date) as spend_known_from
    from {{ ad_performance }}
{%- endmacro %}

{% macro known_spend(spend, period_start, grain='day') -%}
    {%- if grain == 'day' -%}
        case when {{ period_start }} >= spend_known.spend_known_from then {{ spend }} end
    {%- elif grain == 'month' -%}
        case
            when
                {{ period_start }}
                >= cast({{ dbt.date_trunc('month', 'spend_known.spend_known_from') }} as date)
                then {{ spend }}
        end
    {%- else -%}
        {{ exceptions.raise_compiler_error("known_spend: grain is 'day' or 'month', not " ~ grain) }}
    {%- endif -%}
{%- endmacro %}
