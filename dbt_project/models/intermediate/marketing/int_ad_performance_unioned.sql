{#-
    definitions §2 Channel of ad-platform statistics and §5 Metrics/Currency: the daily
    statistics of every ad on every platform in one shape, one row per platform,
    account, campaign, ad group, ad (LinkedIn: creative) and report date, with spend in
    its own currency and in the reporting currency at that day's rate.
-#}

with

google_ad_stats as (

    select * from {{ ref('stg_google_ads__ad_stats') }}

),

meta_ad_insights as (

    select * from {{ ref('stg_meta_ads__insights') }}

),

linkedin_ad_analytics as (

    select * from {{ ref('stg_linkedin_ads__ad_analytics') }}

),

linkedin_creatives as (

    select * from {{ ref('stg_linkedin_ads__creatives') }}

),

linkedin_campaigns as (

    select * from {{ ref('stg_linkedin_ads__campaigns') }}

),

ad_platform_channels as (

    select * from {{ ref('ad_platform_channels') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

-- Google: conversions as platform leads (fractional under data-driven attribution)
google_rows as (

    select
        'google_ads' as platform,
        ad_account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        campaign_name,
        ad_group_name,
        cast(null as {{ dbt.type_string() }}) as ad_name,
        currency_code,
        impressions,
        clicks,
        spend,
        cast(conversions as decimal(18, 6)) as platform_leads,
        report_date

    from google_ad_stats

),

-- Meta: the ad set is the ad group; platform leads are the `lead` actions
meta_rows as (

    select
        'meta_ads' as platform,
        ad_account_id,
        campaign_id,
        ad_set_id as ad_group_id,
        ad_id,
        campaign_name,
        ad_set_name as ad_group_name,
        ad_name,
        currency_code,
        impressions,
        clicks,
        spend,
        cast(leads as decimal(18, 6)) as platform_leads,
        report_date

    from meta_ad_insights

),

-- LinkedIn: the creative is the ad; its campaign (and account) from the metadata, null
-- when the creative is unknown; cost already rounded to cents per creative and day
linkedin_rows as (

    select
        'linkedin_ads' as platform,
        linkedin_campaigns.ad_account_id,
        linkedin_creatives.campaign_id,
        cast(null as {{ dbt.type_string() }}) as ad_group_id,
        linkedin_ad_analytics.creative_id as ad_id,
        linkedin_campaigns.campaign_name,
        cast(null as {{ dbt.type_string() }}) as ad_group_name,
        cast(null as {{ dbt.type_string() }}) as ad_name,
        linkedin_ad_analytics.currency_code,
        linkedin_ad_analytics.impressions,
        linkedin_ad_analytics.clicks,
        linkedin_ad_analytics.spend,
        cast(linkedin_ad_analytics.external_website_conversions as decimal(18, 6))
            as platform_leads,
        linkedin_ad_analytics.report_date

    from linkedin_ad_analytics
    left join linkedin_creatives
        on linkedin_ad_analytics.creative_id = linkedin_creatives.creative_id
    left join linkedin_campaigns
        on linkedin_creatives.campaign_id = linkedin_campaigns.campaign_id

),

unioned as (

    select * from google_rows
    union all
    select * from meta_rows
    union all
    select * from linkedin_rows

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
