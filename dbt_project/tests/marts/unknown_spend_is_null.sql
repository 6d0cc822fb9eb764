{{
    config(
        severity='error',
        meta={
            "description": "mart_marketing_daily shows spend as null on every day before the first ad statistics (unknown spend is not zero spend) and as a number on every day from then on.",
            "dagster": {"ref": {"name": "mart_marketing_daily"}},
        },
    )
}}

{#-
    definitions §5 Unknown spend is not zero spend: before the first day for which any
    ad source has statistics, spend is null, never 0; from that day on a row without
    ad spend shows 0. Returns the rows on the wrong side, with the first ad day.
-#}

with

marketing_daily as (

    select * from {{ ref('mart_marketing_daily') }}

),

spend_known as (

    {{ spend_known_from(ref('int_ad_performance_unioned')) }}

)

select
    marketing_daily.marketing_daily_id,
    marketing_daily.date,
    marketing_daily.channel,
    marketing_daily.spend,
    spend_known.spend_known_from
from marketing_daily
cross join spend_known
where
    (
        (spend_known.spend_known_from is null or marketing_daily.date < spend_known.spend_known_from)
        and marketing_daily.spend is not null
    )
    or (
        marketing_daily.date >= spend_known.spend_known_from
        and marketing_daily.spend is null
    )
