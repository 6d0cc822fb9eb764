-- epoch_seconds_to_timestamp: Unix seconds (text holding a number, as SendGrid writes
-- them in its JSON) as UTC wall-clock time, fractions kept.
with cases as (
    select 'epoch' as case_name, '0' as epoch_seconds, timestamp '1970-01-01 00:00:00' as expected
    union all
    select 'new year 2026', '1767225600', timestamp '2026-01-01 00:00:00'
    union all
    select 'half a second', '1767225600.5', timestamp '2026-01-01 00:00:00.5'
    union all
    select 'a day before', '1767139200', timestamp '2025-12-31 00:00:00'
    union all
    select 'null', cast(null as string), cast(null as timestamp)
)

{{ contract_failures(epoch_seconds_to_timestamp('epoch_seconds')) }}
