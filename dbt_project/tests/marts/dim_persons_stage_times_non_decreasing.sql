{{
    config(
        severity='error',
        meta={
            "description": "Every person moves through the funnel in order: Lead, then MQL, SQL, Opportunity and Customer, never reaching a stage before the one before it.",
            "dagster": {"ref": {"name": "dim_persons"}},
        },
    )
}}

{#-
    definitions §3 Funnel order: a person's stage times from Lead to Customer never
    decrease, and a person who reached a stage reached every earlier one (from Lead
    on). Returns the persons that break it.
-#}

select
    person_id,
    lead_at,
    mql_at,
    sql_at,
    opportunity_at,
    customer_at
from {{ ref('dim_persons') }}
where (mql_at is not null and (lead_at is null or lead_at > mql_at))
    or (sql_at is not null and (mql_at is null or mql_at > sql_at))
    or (opportunity_at is not null and (sql_at is null or sql_at > opportunity_at))
    or (customer_at is not null and (opportunity_at is null or opportunity_at > customer_at))
