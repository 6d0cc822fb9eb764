-- seconds_between: fractional seconds, exact to the microsecond, negative when the
-- end is earlier, across a month end.
with cases as (
    select
        'a minute and a quarter second' as case_name,
        timestamp '2026-01-01 00:00:00' as start_at,
        timestamp '2026-01-01 00:01:00.25' as end_at,
        cast('60.25' as {{ type_double() }}) as expected
    union all
    select
        'end before start',
        timestamp '2026-01-01 00:01:00.25',
        timestamp '2026-01-01 00:00:00',
        cast('-60.25' as {{ type_double() }})
    union all
    select
        'one microsecond',
        timestamp '2026-01-01 00:00:00',
        timestamp '2026-01-01 00:00:00.000001',
        cast('0.000001' as {{ type_double() }})
    union all
    select
        'across a month end',
        timestamp '2026-01-31 23:00:00',
        timestamp '2026-02-01 01:00:00',
        cast('7200' as {{ type_double() }})
    union all
    select
        'null end',
        timestamp '2026-01-01 00:00:00',
        cast(null as timestamp),
        cast(null as {{ type_double() }})
)

{{ contract_failures(seconds_between('start_at', 'end_at')) }}
