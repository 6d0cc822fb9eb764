{{ config(materialized='view') }}

{#-
    definitions §3 Linked to the person: the opportunity_stage_changed activities of
    the customer journey, one row per OpportunityHistory row whose stage differs from
    the Opportunity's previous history row (by CreatedDate, then Id; its first row has
    no previous stage and is no change) and person linked to the Opportunity, at the
    history row's CreatedDate. The account is the Opportunity's. Its features are
    the Opportunity, the new and the previous stage and the amount on the history row
    (in the Opportunity's own currency). A view: the columns fct_customer_journey
    unions, computed when the fact reads them.
-#}

with

opportunity_histories as (

    select * from {{ ref('stg_salesforce__opportunity_histories') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

opportunity_persons as (

    select * from {{ ref('int_opportunity_persons_linked') }}

),

stage_changes as (

    select
        opportunity_history_id,
        opportunity_id,
        stage_name,
        previous_stage_name,
        amount,
        created_at
    from (
        select
            opportunity_history_id,
            opportunity_id,
            stage_name,
            amount,
            created_at,
            lag(stage_name) over (
                partition by opportunity_id
                order by created_at, opportunity_history_id
            ) as previous_stage_name
        from opportunity_histories
    ) as ordered_histories
    where
        previous_stage_name is not null
        and stage_name != previous_stage_name

),

final as (

    select
        stage_changes.opportunity_history_id as source_record_id,
        opportunity_persons.person_id,
        opportunities.account_id,
        stage_changes.created_at as activity_ts,
        'opportunity_stage_changed' as activity_type,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        'salesforce' as source_system,
        cast(0 as decimal(18, 6)) as revenue_impact,
        {{ json_object_text([
            ['opportunity_id', 'stage_changes.opportunity_id'],
            ['stage_name', 'stage_changes.stage_name'],
            ['previous_stage_name', 'stage_changes.previous_stage_name'],
            ['amount', 'stage_changes.amount'],
        ]) }} as feature_json
    from stage_changes
    inner join opportunity_persons
        on stage_changes.opportunity_id = opportunity_persons.opportunity_id
    inner join opportunities
        on stage_changes.opportunity_id = opportunities.opportunity_id

)

select * from final
