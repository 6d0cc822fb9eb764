{#-
    definitions §2 Channel of ad-platform statistics and §5 Metrics/Currency: the daily
    statistics of every ad on every platform in one shape, one row per platform,
    account, campaign, ad group, ad (LinkedIn: creative) and report date, with spend in
    its own currency and in the reporting currency at that day's rate. The platforms
    are the var ad_platforms; each gives its rows in the shared shape
    (stg_<platform>__ad_performance, docs/extending.md), so a new platform needs no
    edit here.
-#}

with

{% for platform in ad_platforms() %}
{{ platform }}_rows as (

    select * from {{ ref('stg_' ~ platform ~ '__ad_performance') }}

),

{% endfor %}
ad_platform_channels as (

    select * from {{ ref('ad_platform_channels') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

-- every platform in the var ad_platforms, each already in the shared shape
unioned as (

    {% for platform in ad_platforms() %}
    select
        '{{ platform }}' as platform,
        {{ ad_performance_columns() | join(',\n        ') }}
    from {{ platform }}_rows
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}

),

converted as (

    select
        unioned.platform,
        ad_platform_channels.channel,
        unioned.ad_account_id,
        unioned.campaign_id,
        unioned.ad_group_id,
        unioned.ad_id,
        unioned.campaign_name,
        unioned.ad_group_name,
        unioned.ad_name,
        unioned.currency_code,
        unioned.impressions,
        unioned.clicks,
        cast(unioned.spend as decimal(18, 6)) as spend,
        {{ convert_to_reporting_currency(
            'unioned.spend',
            'unioned.currency_code',
            'fx_rates_daily.units_per_eur',
            'fx_rates_daily.reporting_units_per_eur'
        ) }} as spend_in_reporting_currency,
        unioned.platform_leads,
        unioned.report_date

    from unioned
    left join ad_platform_channels
        on unioned.platform = ad_platform_channels.platform
    left join fx_rates_daily
        on
            unioned.currency_code = fx_rates_daily.currency_code
            and unioned.report_date = fx_rates_daily.calendar_date

),

final as (

    select
        -- ids
        {{ surrogate_key([
            'platform',
            'ad_account_id',
            'campaign_id',
            'ad_group_id',
            'ad_id',
            'report_date',
        ]) }} as ad_performance_id,
        ad_account_id,
        campaign_id,
        ad_group_id,
        ad_id,

        -- strings
        platform,
        channel,
        campaign_name,
        ad_group_name,
        ad_name,
        currency_code,

        -- numbers
        impressions,
        clicks,
        spend,
        spend_in_reporting_currency,
        platform_leads,

        -- dates
        report_date

    from converted

)

select * from final
