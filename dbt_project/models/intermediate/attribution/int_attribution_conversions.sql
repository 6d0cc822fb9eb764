{#-
    definitions §4 Conversions: every lead (a person's effective Lead time) and every
    closed-won Opportunity, one row per conversion, with the anchor of its touchpoint
    window. No money: a deal's revenue in the reporting currency joins in
    fct_attribution, so a missing exchange rate stops only the marts that show it.
-#}

with

person_stages as (

    select * from {{ ref('int_person_stages') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_classified') }}

),

opportunity_persons_linked as (

    select * from {{ ref('int_opportunity_persons_linked') }}

),

lead_conversions as (

    select
        'lead' as conversion_type,
        person_id as conversion_id,
        person_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        1 as linked_person_count,
        lead_at as converted_at,
        lead_at as window_anchor_at
    from person_stages
    where lead_at is not null

),

linked_person_counts as (

    select
        opportunity_id,
        count(*) as linked_person_count
    from opportunity_persons_linked
    group by opportunity_id

),

deal_conversions as (

    select
        'deal_won' as conversion_type,
        opportunities.opportunity_id as conversion_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        opportunities.opportunity_id,
        coalesce(linked_person_counts.linked_person_count, 0) as linked_person_count,
        cast(opportunities.close_date as {{ dbt.type_timestamp() }}) as converted_at,
        opportunities.created_at as window_anchor_at
    from opportunities
    left join linked_person_counts
        on opportunities.opportunity_id = linked_person_counts.opportunity_id
    where opportunities.is_won

),

conversions as (

    select * from lead_conversions
    union all
    select * from deal_conversions

),

final as (

    select
        -- ids
        {{ surrogate_key(['conversion_type', 'conversion_id']) }} as attribution_conversion_id,
        conversion_type,
        conversion_id,
        person_id,
        opportunity_id,

        -- numbers
        linked_person_count,

        -- timestamps
        converted_at,
        window_anchor_at

    from conversions

)

select * from final
