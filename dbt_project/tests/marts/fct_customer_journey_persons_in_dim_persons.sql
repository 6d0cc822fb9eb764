{{
    config(
        severity='error',
        meta={
            "description": "Every person in the customer journey is a person of dim_persons.",
            "dagster": {"ref": {"name": "fct_customer_journey"}},
        },
    )
}}

{#-
    Every person of the journey is a person of dim_persons. Returns the orphans.

    Checks fct_customer_journey (meta dagster ref): its person_id is the reference
    that must resolve.
-#}

select distinct journey.person_id
from {{ ref('fct_customer_journey') }} as journey
left join {{ ref('dim_persons') }} as persons
    on journey.person_id = persons.person_id
where persons.person_id is null
