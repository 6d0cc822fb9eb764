{#-
    The calendar: one row per day from 2015-01-01 to 2035-12-31. It is the semantic
    layer's time spine (models/semantic/), which MetricFlow joins to for metric_time
    and offset metrics such as revenue growth; it is published with the marts so that
    `journey metrics` answers from the published file alone.
-#}

with

bounds as (

    select
        cast('2015-01-01' as date) as first_day,
        cast('2035-12-31' as date) as last_day

),

days as (

    {{ day_series('bounds', 'first_day', 'last_day', 'date_day') }}

),

final as (

    select
        -- dates
        date_day,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
    from days

)

select * from final
