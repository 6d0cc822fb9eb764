-- to_reporting_date: the date of a UTC timestamp in the reporting time zone, across
-- midnight both ways and on both sides of a daylight-saving change. The default (UTC)
-- is a plain cast; the other zones go through the engine's own spelling, called here
-- directly with the zone.
{%- set zoned = adapter.dispatch('to_reporting_date', 'journey_warehouse') %}
with cases as (
    select
        'UTC' as time_zone,
        'late evening' as case_name,
        timestamp '2026-03-01 23:30:00' as ts,
        date '2026-03-01' as expected
    union all
    select 'Europe/Berlin', 'winter, after 23:00 UTC', timestamp '2026-03-01 23:30:00', date '2026-03-02'
    union all
    select 'Europe/Berlin', 'summer, after 22:00 UTC', timestamp '2026-07-01 22:30:00', date '2026-07-02'
    union all
    select 'Europe/Berlin', 'summer, before 22:00 UTC', timestamp '2026-07-01 21:30:00', date '2026-07-01'
    union all
    select 'America/New_York', 'early morning UTC', timestamp '2026-03-01 03:00:00', date '2026-02-28'
    union all
    select 'America/New_York', 'noon UTC', timestamp '2026-03-01 12:00:00', date '2026-03-01'
    union all
    select 'Europe/Berlin', 'null', cast(null as timestamp), cast(null as date)
),

results as (
    select
        time_zone,
        case_name,
        ts,
        expected,
        case time_zone
            when 'UTC' then {{ to_reporting_date('ts') }}
            when 'Europe/Berlin' then {{ zoned('ts', 'Europe/Berlin') }}
            when 'America/New_York' then {{ zoned('ts', 'America/New_York') }}
        end as actual
    from cases
)

select *
from results
where not {{ same_value('actual', 'expected') }}
