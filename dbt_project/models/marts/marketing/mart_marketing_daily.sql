{#-
    definitions §5 Marketing: one row per date, channel, platform and campaign, the ad
    platforms' statistics beside the warehouse's own sessions, visitors, leads and MQLs
    (a full outer join, written as a union of the four sides then one group by, so
    null keys match). Leads and MQLs are credited by first touch in
    int_first_touch_credits (the rule lives there) and counted on the reporting date
    (to_reporting_date) of the Lead (MQL) time. Spend, CPC and CPM are null, not 0, on
    the days before any ad source has statistics (macro known_spend, definitions §5
    Unknown spend is not zero spend); impressions and clicks stay 0 there.
-#}

with

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}

),

campaigns as (

    select * from {{ ref('int_campaigns_unioned') }}

),

sessions as (

    select * from {{ ref('int_web_sessions_persons_linked') }}

),

first_touch_credits as (

    select * from {{ ref('int_first_touch_credits') }}

),

attribution_credits as (

    select * from {{ ref('int_attribution_credits') }}

),

spend_known as (

    {{ spend_known_from('ad_performance') }}

),

ad_daily as (

    select
        ad_performance.report_date as date,
        ad_performance.channel,
        ad_performance.platform,
        ad_performance.campaign_id,
        coalesce(campaigns.campaign_name, ad_performance.campaign_name) as campaign_name,
        ad_performance.impressions,
        ad_performance.clicks,
        ad_performance.spend_in_reporting_currency as spend
    from ad_performance
    left join campaigns
        on
            ad_performance.platform = campaigns.platform
            and ad_performance.campaign_id = campaigns.campaign_id

),

session_daily as (

    select
        {{ to_reporting_date('session_started_at') }} as date,
        channel,
        campaign_platform as platform,
        campaign_id,
        campaign_name,
        count(*) as sessions,
        count(distinct person_id) as visitors
    from sessions
    group by
        {{ to_reporting_date('session_started_at') }},
        channel,
        campaign_platform,
        campaign_id,
        campaign_name

),

-- definitions §5: leads and MQLs by first touch
lead_daily as (

    select
        {{ to_reporting_date('lead_at') }} as date,
        lead_channel as channel,
        lead_campaign_platform as platform,
        lead_campaign_id as campaign_id,
        lead_campaign_name as campaign_name,
        count(*) as leads
    from first_touch_credits
    where lead_at is not null
    group by
        {{ to_reporting_date('lead_at') }},
        lead_channel,
        lead_campaign_platform,
        lead_campaign_id,
        lead_campaign_name

),

-- Kept so the mart's rows stay as they were when it summed the first_touch credits of
-- int_attribution_credits: a lead's later touches (credit 0 under first_touch) make a
-- row of their own at the lead's date, 0 leads and nothing else. Not a crediting rule;
-- delete this side to drop those empty rows.
lead_later_touches as (

    select distinct
        {{ to_reporting_date('converted_at') }} as date,
        channel,
        campaign_platform as platform,
        campaign_id,
        campaign_name,
        0 as leads
    from attribution_credits
    where
        model = 'first_touch'
        and conversion_type = 'lead'
        and touch_number > 1

),

mql_daily as (

    select
        {{ to_reporting_date('mql_at') }} as date,
        mql_channel as channel,
        mql_campaign_platform as platform,
        mql_campaign_id as campaign_id,
        mql_campaign_name as campaign_name,
        count(*) as mqls
    from first_touch_credits
    where mql_at is not null
    group by
        {{ to_reporting_date('mql_at') }},
        mql_channel,
        mql_campaign_platform,
        mql_campaign_id,
        mql_campaign_name

),

combined as (

    select
        date,
        channel,
        platform,
        campaign_id,
        campaign_name,
        impressions,
        clicks,
        spend,
        0 as sessions,
        0 as visitors,
        cast(0 as {{ ratio_type() }}) as leads,
        0 as mqls
    from ad_daily

    union all

    select
        date,
        channel,
        platform,
        campaign_id,
        campaign_name,
        0 as impressions,
        0 as clicks,
        0 as spend,
        sessions,
        visitors,
        0 as leads,
        0 as mqls
    from session_daily

    union all

    select
        date,
        channel,
        platform,
        campaign_id,
        campaign_name,
        0 as impressions,
        0 as clicks,
        0 as spend,
        0 as sessions,
        0 as visitors,
        leads,
        0 as mqls
    from lead_daily

    union all

    select
        date,
        channel,
        platform,
        campaign_id,
        campaign_name,
        0 as impressions,
        0 as clicks,
        0 as spend,
        0 as sessions,
        0 as visitors,
        leads,
        0 as mqls
    from lead_later_touches

    union all

    select
        date,
        channel,
        platform,
        campaign_id,
        campaign_name,
        0 as impressions,
        0 as clicks,
        0 as spend,
        0 as sessions,
        0 as visitors,
        0 as leads,
        mqls
    from mql_daily

),

aggregated as (

    select
        date,
        channel,
        platform,
        campaign_id,
        campaign_name,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(spend) as spend,
        sum(sessions) as sessions,
        sum(visitors) as visitors,
        sum(leads) as leads,
        sum(mqls) as mqls
    from combined
    group by date, channel, platform, campaign_id, campaign_name

),

spend_classified as (

    select
        aggregated.date,
        aggregated.channel,
        aggregated.platform,
        aggregated.campaign_id,
        aggregated.campaign_name,
        aggregated.impressions,
        aggregated.clicks,
        {{ known_spend('aggregated.spend', 'aggregated.date') }} as spend,
        aggregated.sessions,
        aggregated.visitors,
        aggregated.leads,
        aggregated.mqls
    from aggregated
    cross join spend_known

),

final as (

    select
        -- ids
        {{ surrogate_key(['date', 'channel', 'platform', 'campaign_id', 'campaign_name']) }}
            as marketing_daily_id,
        campaign_id,
        -- strings
        channel,
        platform,
        campaign_name,
        -- numbers
        -- counts are BIGINT: a sum of integers is HUGEINT in DuckDB, which BI drivers
        -- mishandle
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(spend as decimal(18, 6)) as spend,
        {{ safe_ratio('clicks', 'impressions') }} as ctr,
        {{ safe_ratio('spend', 'clicks') }} as cpc,
        1000 * {{ safe_ratio('spend', 'impressions') }} as cpm,
        cast(sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(visitors as {{ dbt.type_bigint() }}) as visitors,
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast(mqls as {{ dbt.type_bigint() }}) as mqls,
        -- dates
        date
    from spend_classified

)

select * from final
