with

google_ads_stats as (

    select * from {{ ref('stg_google_ads__ad_stats') }}

),

meta_ads_insights as (

    select * from {{ ref('stg_meta_ads__insights') }}

),

linkedin_ads_campaigns as (

    select * from {{ ref('stg_linkedin_ads__campaigns') }}

),

linkedin_ads_creatives as (

    select * from {{ ref('stg_linkedin_ads__creatives') }}

),

sendgrid_events as (

    select * from {{ ref('stg_sendgrid__events') }}

),

-- Statistics rows carry the name the campaign had on that day: the latest day's wins
-- (a later load, then the greater name, on ties).
google_ads_campaign_names_ranked as (

    select
        campaign_id,
        campaign_name,
        row_number() over (
            partition by campaign_id
            order by
                case when campaign_name is null then 1 else 0 end,
                report_date desc,
                _source_file desc,
                campaign_name desc
        ) as name_rank

    from google_ads_stats
    where campaign_id is not null

),

google_ads_campaigns as (

    select
        'google_ads' as platform,
        campaign_id,
        campaign_name

    from google_ads_campaign_names_ranked
    where name_rank = 1

),

meta_ads_campaign_names_ranked as (

    select
        campaign_id,
        campaign_name,
        row_number() over (
            partition by campaign_id
            order by
                case when campaign_name is null then 1 else 0 end,
                report_date desc,
                _source_file desc,
                campaign_name desc
        ) as name_rank

    from meta_ads_insights
    where campaign_id is not null

),

meta_ads_campaigns as (

    select
        'meta_ads' as platform,
        campaign_id,
        campaign_name

    from meta_ads_campaign_names_ranked
    where name_rank = 1

),

-- Campaign metadata is one row per campaign (its latest export); a campaign known only
-- from a creative (metadata not exported yet) still matches by id, without a name.
linkedin_ads_campaign_ids as (

    select campaign_id from linkedin_ads_campaigns
    union
    select campaign_id from linkedin_ads_creatives
    where campaign_id is not null

),

linkedin_ads_campaigns_named as (

    select
        'linkedin_ads' as platform,
        linkedin_ads_campaign_ids.campaign_id,
        linkedin_ads_campaigns.campaign_name

    from linkedin_ads_campaign_ids
    left join linkedin_ads_campaigns
        on linkedin_ads_campaign_ids.campaign_id = linkedin_ads_campaigns.campaign_id

),

-- A single send's name is on some of its events only (SendGrid leaves it off many
-- engagement events): the latest event that carries one gives it.
sendgrid_single_send_names_ranked as (

    select
        single_send_id,
        single_send_name,
        row_number() over (
            partition by single_send_id
            order by
                case when single_send_name is null then 1 else 0 end,
                event_at desc,
                event_id desc
        ) as name_rank

    from sendgrid_events
    where single_send_id is not null

),

sendgrid_single_sends as (

    select
        'sendgrid' as platform,
        single_send_id as campaign_id,
        single_send_name as campaign_name

    from sendgrid_single_send_names_ranked
    where name_rank = 1

),

unioned as (

    select
        platform,
        campaign_id,
        campaign_name
    from google_ads_campaigns
    union all
    select
        platform,
        campaign_id,
        campaign_name
    from meta_ads_campaigns
    union all
    select
        platform,
        campaign_id,
        campaign_name
    from linkedin_ads_campaigns_named
    union all
    select
        platform,
        campaign_id,
        campaign_name
    from sendgrid_single_sends

),

final as (

    select
        -- ids
        {{ surrogate_key(['platform', 'campaign_id']) }} as platform_campaign_id,
        campaign_id,

        -- strings
        platform,
        campaign_name

    from unioned

)

select * from final
