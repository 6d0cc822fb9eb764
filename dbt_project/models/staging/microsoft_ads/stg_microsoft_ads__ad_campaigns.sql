{{ config(materialized='view') }}

{#- Microsoft Advertising campaigns in the shared shape: names from the report rows. -#}

with

final as (

    {{ campaign_names_from_ad_performance(ref('stg_microsoft_ads__ad_performance')) }}

)

select * from final
