{{
    config(
        severity='error',
        meta={
            "description": "Every conversion hands out exactly 100% of its credit under every attribution model.",
            "dagster": {"ref": {"name": "fct_attribution"}},
        },
    )
}}

{#-
    definitions §4 Models: the credits of one conversion under one model sum to exactly
    1 (up to floating-point noise). Returns the conversions and models that do not.
-#}

select
    conversion_type,
    conversion_id,
    model,
    sum(credit) as credit_sum
from {{ ref('fct_attribution') }}
group by conversion_type, conversion_id, model
having abs(sum(credit) - 1) > 1e-9
