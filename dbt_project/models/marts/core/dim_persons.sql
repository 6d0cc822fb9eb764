{#-
    definitions §1 and §3: one row per person with its account, its funnel stage times
    and its first touch. No email or name: email_hash only.
-#}

with

persons_resolved as (

    select * from {{ ref('int_persons_resolved') }}

),

person_stages as (

    select * from {{ ref('int_person_stages') }}

),

sessions as (

    select * from {{ ref('int_web_sessions_persons_linked') }}

),

accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

ranked_sessions as (

    select
        person_id,
        session_id,
        channel,
        campaign_id,
        campaign_name,
        row_number() over (
            partition by person_id
            order by session_started_at, session_id
        ) as session_rank
    from sessions
    where person_id is not null

),

session_counts as (

    select
        person_id,
        count(*) as sessions
    from sessions
    where person_id is not null
    group by person_id

),

first_sessions as (

    select
        person_id,
        session_id as first_session_id,
        channel as first_touch_channel,
        campaign_id as first_touch_campaign_id,
        campaign_name as first_touch_campaign_name
    from ranked_sessions
    where session_rank = 1

),

final as (

    select
        -- ids
        persons_resolved.person_id,
        persons_resolved.email_hash,
        persons_resolved.account_id,
        first_sessions.first_session_id,
        person_stages.first_opportunity_id,
        person_stages.first_won_opportunity_id,
        -- strings
        accounts.account_name,
        accounts.industry as account_industry,
        accounts.billing_country as account_country,
        person_stages.current_stage,
        coalesce(first_sessions.first_touch_channel, 'Unattributed') as first_touch_channel,
        first_sessions.first_touch_campaign_id,
        first_sessions.first_touch_campaign_name,
        -- numbers
        coalesce(session_counts.sessions, 0) as sessions,
        persons_resolved.identifier_count,
        -- timestamps
        persons_resolved.first_seen_at,
        persons_resolved.last_seen_at,
        person_stages.visitor_at,
        person_stages.lead_at,
        person_stages.mql_at,
        person_stages.sql_at,
        person_stages.opportunity_at,
        person_stages.customer_at
    from persons_resolved
    left join person_stages
        on persons_resolved.person_id = person_stages.person_id
    left join accounts
        on persons_resolved.account_id = accounts.account_id
    left join first_sessions
        on persons_resolved.person_id = first_sessions.person_id
    left join session_counts
        on persons_resolved.person_id = session_counts.person_id

)

select * from final
