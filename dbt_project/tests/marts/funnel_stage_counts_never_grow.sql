{{
    config(
        severity='error',
        meta={
            "description": "No funnel stage has more people than the stage before it, overall and in every cohort month of mart_funnel.",
            "dagster": {"ref": {"name": "mart_funnel"}},
        },
    )
}}

{#-
    definitions §3: from Lead on, the number of persons at a stage never exceeds the
    number at the stage before it, overall (dim_persons) and per cohort (mart_funnel).
    Returns the stage pairs that grow.

    Checks mart_funnel (meta dagster ref): the per-cohort stage counts BI shows; the
    overall counts of dim_persons are its denominator.
-#}

with

stage_counts as (

    select
        count(lead_at) as leads,
        count(mql_at) as mqls,
        count(sql_at) as sqls,
        count(opportunity_at) as opportunities,
        count(customer_at) as customers
    from {{ ref('dim_persons') }}

),

growing_overall as (

    select
        'dim_persons' as relation_name,
        cast(null as date) as cohort_month,
        'lead -> customer' as stage,
        leads as previous_count,
        customers as stage_count
    from stage_counts
    where mqls > leads
        or sqls > mqls
        or opportunities > sqls
        or customers > opportunities

),

growing_cohorts as (

    select
        'mart_funnel' as relation_name,
        cohort_month,
        stage,
        previous_stage_persons as previous_count,
        persons as stage_count
    from {{ ref('mart_funnel') }}
    where previous_stage_persons is not null
        and persons > previous_stage_persons

)

select * from growing_overall
union all
select * from growing_cohorts
