{{
    config(
        severity='error',
        meta={
            "description": "No funnel stage has more people than the stage before it (Lead, MQL, SQL, Opportunity, Customer).",
            "dagster": {"ref": {"name": "int_person_stages"}},
        },
    )
}}

{#-
    definitions §3: funnel order is enforced, so the number of persons with a stage time
    never grows from Lead down to Customer. Returns the pair of stages that breaks it.
-#}

with

person_stages as (

    select * from {{ ref('int_person_stages') }}

),

stage_counts as (

    select
        count(lead_at) as lead_count,
        count(mql_at) as mql_count,
        count(sql_at) as sql_count,
        count(opportunity_at) as opportunity_count,
        count(customer_at) as customer_count
    from person_stages

),

violations as (

    select 'mql > lead' as violation from stage_counts where mql_count > lead_count
    union all
    select 'sql > mql' as violation from stage_counts where sql_count > mql_count
    union all
    select 'opportunity > sql' as violation from stage_counts where opportunity_count > sql_count
    union all
    select 'customer > opportunity' as violation from stage_counts where customer_count > opportunity_count

)

select * from violations
