{#-
    definitions §4 Eligible touchpoints: every session of a conversion's persons that
    starts within [anchor - attribution_lookback_days, anchor], both ends included.
-#}

with

conversions as (

    select * from {{ ref('int_attribution_conversions') }}

),

opportunity_persons_linked as (

    select * from {{ ref('int_opportunity_persons_linked') }}

),

web_sessions_persons_linked as (

    select * from {{ ref('int_web_sessions_persons_linked') }}

),

-- a lead belongs to its person, a deal to every person linked to the Opportunity
conversion_persons as (

    select
        attribution_conversion_id,
        person_id
    from conversions
    where conversion_type = 'lead'

    union all

    select
        conversions.attribution_conversion_id,
        opportunity_persons_linked.person_id
    from conversions
    inner join opportunity_persons_linked
        on conversions.opportunity_id = opportunity_persons_linked.opportunity_id
    where conversions.conversion_type = 'deal_won'

),

sessions_in_window as (

    select
        conversions.attribution_conversion_id,
        conversions.conversion_type,
        conversions.conversion_id,
        conversions.converted_at,
        conversions.window_anchor_at,
        web_sessions_persons_linked.session_id,
        web_sessions_persons_linked.person_id,
        web_sessions_persons_linked.channel,
        web_sessions_persons_linked.campaign_id,
        web_sessions_persons_linked.campaign_name,
        web_sessions_persons_linked.campaign_platform,
        web_sessions_persons_linked.session_started_at
    from conversions
    inner join conversion_persons
        on conversions.attribution_conversion_id = conversion_persons.attribution_conversion_id
    inner join web_sessions_persons_linked
        on conversion_persons.person_id = web_sessions_persons_linked.person_id
    where
        {{ in_lookback_window(
            'web_sessions_persons_linked.session_started_at', 'conversions.window_anchor_at'
        ) }}

),

final as (

    select
        -- ids
        {{ surrogate_key(['attribution_conversion_id', 'session_id']) }}
            as attribution_touchpoint_id,
        attribution_conversion_id,
        conversion_type,
        conversion_id,
        session_id,
        person_id,
        campaign_id,

        -- strings
        channel,
        campaign_name,
        campaign_platform,

        -- numbers
        row_number() over (
            partition by attribution_conversion_id
            order by session_started_at, session_id
        ) as touch_number,
        count(*) over (partition by attribution_conversion_id) as touch_count,
        cast({{ seconds_between('session_started_at', 'window_anchor_at') }} as {{ type_double() }})
        / 86400 as days_before_conversion,

        -- timestamps
        session_started_at,
        converted_at,
        window_anchor_at

    from sessions_in_window

)

select * from final
