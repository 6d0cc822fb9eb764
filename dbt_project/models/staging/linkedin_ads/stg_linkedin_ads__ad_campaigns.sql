{{ config(materialized='view') }}

{#- LinkedIn campaigns in the shared shape: campaign metadata is one row per campaign
    (its latest export); a campaign known only from a creative (metadata not exported
    yet) still matches by id, without a name. -#}

with

campaigns as (

    select * from {{ ref('stg_linkedin_ads__campaigns') }}

),

creatives as (

    select * from {{ ref('stg_linkedin_ads__creatives') }}

),

campaign_ids as (

    select campaign_id from campaigns
    union
    select campaign_id from creatives
    where campaign_id is not null

),

final as (

    select
        campaign_ids.campaign_id,
        campaigns.campaign_name

    from campaign_ids
    left join campaigns
        on campaign_ids.campaign_id = campaigns.campaign_id

)

select * from final
