{{ config(materialized='view') }}

{#-
    definitions §3 Linked to the person and §5 Sales: the opportunity_created, deal_won
    and deal_lost activities of the customer journey, one row per Opportunity, person
    linked to it (int_opportunity_persons_linked: contact role, else account) and
    activity, so a deal with three linked persons gives three rows of each.
    opportunity_created is at the Opportunity's CreatedDate; deal_won and deal_lost at
    its CloseDate 00:00 UTC, for closed deals only. A deal_won carries the deal's
    amount in the reporting currency as revenue_impact (null as 0); every other
    activity 0. The account is the Opportunity's. Its features are the Opportunity's
    id, type, lead source or stage, link type, amount in the reporting currency and,
    when closed, the sales cycle in days. A view: the columns fct_customer_journey
    unions, computed when the fact reads them.
-#}

with

opportunities as (

    select * from {{ ref('int_opportunities_converted') }}

),

opportunity_persons as (

    select * from {{ ref('int_opportunity_persons_linked') }}

),

opportunity_links as (

    select
        opportunity_persons.person_id,
        opportunity_persons.link_type,
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.opportunity_type,
        opportunities.stage_name,
        opportunities.lead_source,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.amount_in_reporting_currency,
        opportunities.created_at,
        opportunities.close_date
    from opportunity_persons
    inner join opportunities
        on opportunity_persons.opportunity_id = opportunities.opportunity_id

),

created_activities as (

    select
        opportunity_id as source_record_id,
        person_id,
        account_id,
        created_at as activity_ts,
        'opportunity_created' as activity_type,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        'salesforce' as source_system,
        cast(0 as decimal(18, 6)) as revenue_impact,
        {{ json_object_text([
            ['opportunity_id', 'opportunity_id'],
            ['opportunity_type', 'opportunity_type'],
            ['lead_source', 'lead_source'],
            ['link_type', 'link_type'],
            ['amount_in_reporting_currency', 'amount_in_reporting_currency'],
        ]) }} as feature_json
    from opportunity_links

),

closed_activities as (

    select
        opportunity_id as source_record_id,
        person_id,
        account_id,
        cast(close_date as timestamp) as activity_ts,
        case when is_won then 'deal_won' else 'deal_lost' end as activity_type,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        'salesforce' as source_system,
        case
            when is_won then cast(coalesce(amount_in_reporting_currency, 0) as decimal(18, 6))
            else cast(0 as decimal(18, 6))
        end as revenue_impact,
        {{ json_object_text([
            ['opportunity_id', 'opportunity_id'],
            ['opportunity_type', 'opportunity_type'],
            ['stage_name', 'stage_name'],
            ['link_type', 'link_type'],
            ['amount_in_reporting_currency', 'amount_in_reporting_currency'],
            ['sales_cycle_days', dbt.datediff(
                to_reporting_date('created_at'), 'close_date', 'day'
            )],
        ]) }} as feature_json
    from opportunity_links
    where is_won or is_lost

),

final as (

    select * from created_activities
    union all
    select * from closed_activities

)

select * from final
