-- day_series: every day between two bounds, both included (across February's end in a
-- common year); a single day; nothing for an end before its start or a null bound.
-- Returns each day whose count differs from the one expected (0 means none).
with bounds as (
    select date '2026-02-27' as start_date, date '2026-03-02' as end_date
    union all
    select date '2026-03-10', date '2026-03-10'
    union all
    select date '2026-03-05', date '2026-03-04'
    union all
    select cast(null as date), date '2026-03-01'
    union all
    select date '2026-03-20', cast(null as date)
),

series as (
    {{ day_series('bounds', 'start_date', 'end_date', 'calendar_date') }}
),

actual as (
    select calendar_date, count(*) as days
    from series
    group by calendar_date
),

expected as (
    select date '2026-02-27' as calendar_date, 1 as days
    union all
    select date '2026-02-28', 1
    union all
    select date '2026-03-01', 1
    union all
    select date '2026-03-02', 1
    union all
    select date '2026-03-10', 1
)

select
    coalesce(actual.calendar_date, expected.calendar_date) as calendar_date,
    coalesce(actual.days, 0) as actual_days,
    coalesce(expected.days, 0) as expected_days
from actual
full outer join expected
    on actual.calendar_date = expected.calendar_date
where coalesce(actual.days, 0) <> coalesce(expected.days, 0)
