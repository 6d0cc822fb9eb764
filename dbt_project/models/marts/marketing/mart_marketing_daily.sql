{#-
    definitions §5 Marketing: one row per date, channel, platform and campaign, the ad
    platforms' statistics beside the warehouse's own sessions, visitors, leads and MQLs
    (a full outer join, written as a union of the four sides then one group by, so
    null keys match). Leads and MQLs are credited by first touch: the channel and
    campaign of the person's first session in the lookback window before the Lead (MQL)
    time, on the reporting date (to_reporting_date) of the Lead (MQL); Unattributed without one.
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

attribution_credits as (

    select * from {{ ref('int_attribution_credits') }}

),

person_stages as (

    select * from {{ ref('int_person_stages') }}

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

-- definitions §5: leads by the first_touch model's credit
lead_daily as (

    select
        {{ to_reporting_date('converted_at') }} as date,
        channel,
        campaign_platform as platform,
        campaign_id,
        campaign_name,
        sum(credit) as leads
    from attribution_credits
    where
        model = 'first_touch'
        and conversion_type = 'lead'
    group by
        {{ to_reporting_date('converted_at') }},
        channel,
        campaign_platform,
        campaign_id,
        campaign_name

),

-- the same rule for MQLs: the person's first session in
-- [mql_at - attribution_lookback_days, mql_at]
mql_sessions as (

    select
        person_stages.person_id,
        person_stages.mql_at,
        sessions.channel,
        sessions.campaign_platform,
        sessions.campaign_id,
        sessions.campaign_name,
        row_number() over (
            partition by person_stages.person_id
            order by sessions.session_started_at, sessions.session_id
        ) as touch_number
    from person_stages
    inner join sessions
        on
            person_stages.person_id = sessions.person_id
            and person_stages.mql_at >= sessions.session_started_at
            and {{ dbt.dateadd(
                'day', -1 * var('attribution_lookback_days'), 'person_stages.mql_at'
            ) }} <= sessions.session_started_at
    where person_stages.mql_at is not null

),

mql_first_touches as (

    select
        person_stages.person_id,
        person_stages.mql_at,
        coalesce(mql_sessions.channel, 'Unattributed') as channel,
        mql_sessions.campaign_platform,
        mql_sessions.campaign_id,
        mql_sessions.campaign_name
    from person_stages
    left join mql_sessions
        on
            person_stages.person_id = mql_sessions.person_id
            and mql_sessions.touch_number = 1
    where person_stages.mql_at is not null

),

mql_daily as (

    select
        {{ to_reporting_date('mql_at') }} as date,
        channel,
        campaign_platform as platform,
        campaign_id,
        campaign_name,
        count(*) as mqls
    from mql_first_touches
    group by
        {{ to_reporting_date('mql_at') }},
        channel,
        campaign_platform,
        campaign_id,
        campaign_name

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
        impressions,
        clicks,
        cast(spend as decimal(18, 6)) as spend,
        {{ safe_ratio('clicks', 'impressions') }} as ctr,
        {{ safe_ratio('spend', 'clicks') }} as cpc,
        1000 * {{ safe_ratio('spend', 'impressions') }} as cpm,
        sessions,
        visitors,
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        mqls,
        -- dates
        date
    from aggregated

)

select * from final
