{#-
    definitions §5 Leads and MQLs, split by channel or campaign: a person's Lead (MQL)
    is credited by first touch, to the channel and campaign of the person's first
    session in [stage time - attribution_lookback_days, stage time] (definitions §4
    window, macro in_lookback_window; ties by session_id), Unattributed without one. One row
    per person with a Lead or an MQL time; the marts count these rows.
-#}

with

person_stages as (

    select * from {{ ref('int_person_stages') }}

),

sessions as (

    select * from {{ ref('int_web_sessions_persons_linked') }}

),

-- one row per person and credited stage, with the stage time the window ends at
credited_stages as (

    select
        person_id,
        'lead' as credited_stage,
        lead_at as credited_at
    from person_stages
    where lead_at is not null

    union all

    select
        person_id,
        'mql' as credited_stage,
        mql_at as credited_at
    from person_stages
    where mql_at is not null

),

sessions_in_window as (

    select
        credited_stages.person_id,
        credited_stages.credited_stage,
        sessions.session_id,
        sessions.channel,
        sessions.campaign_platform,
        sessions.campaign_id,
        sessions.campaign_name,
        row_number() over (
            partition by credited_stages.person_id, credited_stages.credited_stage
            order by sessions.session_started_at, sessions.session_id
        ) as touch_number
    from credited_stages
    inner join sessions
        on
            credited_stages.person_id = sessions.person_id
            and {{ in_lookback_window(
                'sessions.session_started_at', 'credited_stages.credited_at'
            ) }}

),

first_touches as (

    select
        credited_stages.person_id,
        credited_stages.credited_stage,
        credited_stages.credited_at,
        sessions_in_window.session_id,
        coalesce(sessions_in_window.channel, 'Unattributed') as channel,
        sessions_in_window.campaign_platform,
        sessions_in_window.campaign_id,
        sessions_in_window.campaign_name
    from credited_stages
    left join sessions_in_window
        on
            credited_stages.person_id = sessions_in_window.person_id
            and credited_stages.credited_stage = sessions_in_window.credited_stage
            and sessions_in_window.touch_number = 1

),

credited_persons as (

    select distinct person_id
    from credited_stages

),

lead_touches as (

    select * from first_touches
    where credited_stage = 'lead'

),

mql_touches as (

    select * from first_touches
    where credited_stage = 'mql'

),

final as (

    select
        -- ids
        credited_persons.person_id,
        lead_touches.session_id as lead_session_id,
        lead_touches.campaign_id as lead_campaign_id,
        mql_touches.session_id as mql_session_id,
        mql_touches.campaign_id as mql_campaign_id,

        -- strings
        lead_touches.channel as lead_channel,
        lead_touches.campaign_platform as lead_campaign_platform,
        lead_touches.campaign_name as lead_campaign_name,
        mql_touches.channel as mql_channel,
        mql_touches.campaign_platform as mql_campaign_platform,
        mql_touches.campaign_name as mql_campaign_name,

        -- timestamps
        lead_touches.credited_at as lead_at,
        mql_touches.credited_at as mql_at

    from credited_persons
    left join lead_touches
        on credited_persons.person_id = lead_touches.person_id
    left join mql_touches
        on credited_persons.person_id = mql_touches.person_id

)

select * from final
