{{ config(materialized='view') }}

{#- Google Ads statistics in the shape every ad platform shares (docs/extending.md):
    conversions are the platform's leads (fractional under data-driven attribution). -#}

with

ad_stats as (

    select * from {{ ref('stg_google_ads__ad_stats') }}

),

final as (

    select
        ad_stat_id as ad_performance_id,
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
        report_date,
        _source_file

    from ad_stats

)

select * from final
