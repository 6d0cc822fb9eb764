{{ config(materialized='view') }}

{#- LinkedIn statistics in the shape every ad platform shares (docs/extending.md): the
    creative is the ad; its campaign (and account) from the metadata, null when the
    creative is unknown; cost already rounded to cents per creative and day. The
    metadata has one row per creative and per campaign, so the joins add no rows. -#}

with

ad_analytics as (

    select * from {{ ref('stg_linkedin_ads__ad_analytics') }}

),

creatives as (

    select * from {{ ref('stg_linkedin_ads__creatives') }}

),

campaigns as (

    select * from {{ ref('stg_linkedin_ads__campaigns') }}

),

final as (

    select
        ad_analytics.ad_analytic_id as ad_performance_id,
        campaigns.ad_account_id,
        creatives.campaign_id,
        cast(null as {{ dbt.type_string() }}) as ad_group_id,
        ad_analytics.creative_id as ad_id,
        campaigns.campaign_name,
        cast(null as {{ dbt.type_string() }}) as ad_group_name,
        cast(null as {{ dbt.type_string() }}) as ad_name,
        ad_analytics.currency_code,
        ad_analytics.impressions,
        ad_analytics.clicks,
        ad_analytics.spend,
        cast(ad_analytics.external_website_conversions as decimal(18, 6)) as platform_leads,
        ad_analytics.report_date,
        ad_analytics._source_file

    from ad_analytics
    left join creatives
        on ad_analytics.creative_id = creatives.creative_id
    left join campaigns
        on creatives.campaign_id = campaigns.campaign_id

)

select * from final
