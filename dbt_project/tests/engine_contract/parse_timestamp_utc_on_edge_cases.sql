-- parse_timestamp_utc: every ISO-8601 spelling of the landing contract as UTC wall-clock
-- time: 'Z', '+hh:mm', '+hhmm' and a negative offset moved to UTC (across midnight
-- too), microseconds kept, an offset-less value taken as UTC.
with cases as (
    select
        'zulu with milliseconds' as case_name,
        '2026-03-01T10:00:00.000Z' as text_value,
        timestamp '2026-03-01 10:00:00' as expected
    union all
    select 'offset +02:00', '2026-03-01T10:00:00.000+02:00', timestamp '2026-03-01 08:00:00'
    union all
    select 'offset +0000', '2026-11-01T10:00:00.000+0000', timestamp '2026-11-01 10:00:00'
    union all
    select 'offset +0530', '2026-11-01T10:00:00+0530', timestamp '2026-11-01 04:30:00'
    union all
    select 'negative offset across midnight', '2026-03-01T23:30:00-05:00', timestamp '2026-03-02 04:30:00'
    union all
    select 'microseconds', '2026-03-01T10:00:00.123456Z', timestamp '2026-03-01 10:00:00.123456'
    union all
    select 'space, no offset', '2026-03-01 10:00:00', timestamp '2026-03-01 10:00:00'
    union all
    select 'T, no offset', '2026-03-01T10:00:00', timestamp '2026-03-01 10:00:00'
    union all
    select 'leap day', '2028-02-29T00:00:00Z', timestamp '2028-02-29 00:00:00'
    union all
    select 'null', cast(null as string), cast(null as timestamp)
)

{{ contract_failures(parse_timestamp_utc('text_value')) }}
