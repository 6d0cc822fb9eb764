{{
    config(
        severity='error',
        meta={
            "description": "Every conversion hands out exactly 100% of its credit under every attribution model.",
            "dagster": {"ref": {"name": "int_attribution_credits"}},
        },
    )
}}

{#- definitions §4: the credits of one conversion under one model sum to exactly 1. -#}

with

credits as (

    select * from {{ ref('int_attribution_credits') }}

),

credit_sums as (

    select
        attribution_conversion_id,
        model,
        sum(credit) as credit_sum
    from credits
    group by
        attribution_conversion_id,
        model

)

select *
from credit_sums
where abs(credit_sum - 1) >= 1e-9
