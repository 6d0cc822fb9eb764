{{ config(materialized='view') }}

{#- Google Ads campaigns in the shared shape: names from the statistics rows. -#}

with

final as (

    {{ campaign_names_from_ad_performance(ref('stg_google_ads__ad_performance')) }}

)

select * from final
