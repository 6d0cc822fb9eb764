{{
    config(
        severity='error',
        meta={
            "description": "No funnel stage has more people than the stage before it in any cohort month of mart_funnel.",
            "dagster": {"ref": {"name": "mart_funnel"}},
        },
    )
}}

{#-
    definitions §3: from Lead on, the number of persons at a stage never exceeds the
    number at the stage before it. Returns the cohort x stage rows of mart_funnel that
    grow. The same rule over all persons is funnel/int_person_stages_counts_never_grow
    on int_person_stages, the stage times dim_persons shows; it is not repeated here.
-#}

with

funnel as (

    select * from {{ ref('mart_funnel') }}

)

select
    cohort_month,
    stage,
    previous_stage_persons as previous_count,
    persons as stage_count
from funnel
where previous_stage_persons is not null
    and persons > previous_stage_persons
