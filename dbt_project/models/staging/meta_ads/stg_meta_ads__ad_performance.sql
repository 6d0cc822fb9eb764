{{ config(materialized='view') }}

{#- Meta statistics in the shape every ad platform shares (docs/extending.md): the ad
    set is the ad group; platform leads are the `lead` actions. -#}

with

insights as (

    select * from {{ ref('stg_meta_ads__insights') }}

),

final as (

    select
        insight_id as ad_performance_id,
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
        report_date,
        _source_file

    from insights

)

select * from final
