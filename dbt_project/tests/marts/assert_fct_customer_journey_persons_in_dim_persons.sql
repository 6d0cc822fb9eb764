{#-
    Every person of the journey is a person of dim_persons. Returns the orphans.
-#}
{{ config(severity='error') }}

select distinct journey.person_id
from {{ ref('fct_customer_journey') }} as journey
left join {{ ref('dim_persons') }} as persons
    on journey.person_id = persons.person_id
where persons.person_id is null
