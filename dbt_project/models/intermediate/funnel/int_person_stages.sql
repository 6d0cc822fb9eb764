{#-
    definitions §3: one row per person with the raw and the effective time of every
    funnel stage (effective time of stage k = earliest raw time of stages k and after).
-#}

with

persons_resolved as (

    select * from {{ ref('int_persons_resolved') }}

),

funnel_stage_events as (

    select * from {{ ref('int_funnel_stage_events') }}

),

web_sessions_persons_linked as (

    select * from {{ ref('int_web_sessions_persons_linked') }}

),

visits as (

    select
        person_id,
        min(session_started_at) as visitor_at
    from web_sessions_persons_linked
    where person_id is not null
    group by person_id

),

raw_stage_times as (

    select
        person_id,
        min(case when stage = 'lead' then reached_at end) as raw_lead_at,
        min(case when stage = 'mql' then reached_at end) as raw_mql_at,
        min(case when stage = 'sql' then reached_at end) as raw_sql_at,
        min(case when stage = 'opportunity' then reached_at end) as raw_opportunity_at,
        min(case when stage = 'customer' then reached_at end) as raw_customer_at
    from funnel_stage_events
    group by person_id

),

-- first opportunity by CreatedDate, first won one by CloseDate; ties go to the smaller id
ranked_opportunities as (

    select
        person_id,
        stage,
        source_record_id as opportunity_id,
        row_number() over (
            partition by person_id, stage
            order by reached_at, source_record_id
        ) as opportunity_rank
    from funnel_stage_events
    where
        (stage = 'opportunity' and source = 'opportunity_created')
        or (stage = 'customer' and source = 'deal_won')

),

first_opportunities as (

    select
        person_id,
        max(case when stage = 'opportunity' then opportunity_id end) as first_opportunity_id,
        max(case when stage = 'customer' then opportunity_id end) as first_won_opportunity_id
    from ranked_opportunities
    where opportunity_rank = 1
    group by person_id

),

effective_customer as (

    select
        person_id,
        raw_lead_at,
        raw_mql_at,
        raw_sql_at,
        raw_opportunity_at,
        raw_customer_at,
        raw_customer_at as customer_at
    from raw_stage_times

),

effective_opportunity as (

    select
        *,
        {{ earlier_of('raw_opportunity_at', 'customer_at') }} as opportunity_at
    from effective_customer

),

effective_sql as (

    select
        *,
        {{ earlier_of('raw_sql_at', 'opportunity_at') }} as sql_at
    from effective_opportunity

),

effective_mql as (

    select
        *,
        {{ earlier_of('raw_mql_at', 'sql_at') }} as mql_at
    from effective_sql

),

effective_lead as (

    select
        *,
        {{ earlier_of('raw_lead_at', 'mql_at') }} as lead_at
    from effective_mql

),

final as (

    select
        -- ids
        persons_resolved.person_id,
        first_opportunities.first_opportunity_id,
        first_opportunities.first_won_opportunity_id,

        -- strings
        case
            when effective_lead.customer_at is not null then 'Customer'
            when effective_lead.opportunity_at is not null then 'Opportunity'
            when effective_lead.sql_at is not null then 'SQL'
            when effective_lead.mql_at is not null then 'MQL'
            when effective_lead.lead_at is not null then 'Lead'
            when visits.visitor_at is not null then 'Visitor'
            else 'Known'
        end as current_stage,

        -- timestamps
        visits.visitor_at,
        effective_lead.raw_lead_at,
        effective_lead.raw_mql_at,
        effective_lead.raw_sql_at,
        effective_lead.raw_opportunity_at,
        effective_lead.raw_customer_at,
        effective_lead.lead_at,
        effective_lead.mql_at,
        effective_lead.sql_at,
        effective_lead.opportunity_at,
        effective_lead.customer_at

    from persons_resolved
    left join effective_lead
        on persons_resolved.person_id = effective_lead.person_id
    left join visits
        on persons_resolved.person_id = visits.person_id
    left join first_opportunities
        on persons_resolved.person_id = first_opportunities.person_id

)

select * from final
