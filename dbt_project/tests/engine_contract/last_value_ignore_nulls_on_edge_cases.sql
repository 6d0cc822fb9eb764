-- last_value_ignore_nulls: the last non-null value so far in a running frame; null
-- before the first value and in a partition of nulls.
with events as (
    select 'p1' as person_id, 1 as seq, cast(null as string) as channel, cast(null as string) as expected
    union all
    select 'p1', 2, 'Email', 'Email'
    union all
    select 'p1', 3, cast(null as string), 'Email'
    union all
    select 'p1', 4, 'Paid Search', 'Paid Search'
    union all
    select 'p1', 5, cast(null as string), 'Paid Search'
    union all
    select 'p2', 1, cast(null as string), cast(null as string)
    union all
    select 'p2', 2, cast(null as string), cast(null as string)
),

results as (
    select
        person_id,
        seq,
        expected,
        {{ last_value_ignore_nulls('channel') }} over (
            partition by person_id
            order by seq
            rows between unbounded preceding and current row
        ) as actual
    from events
)

select *
from results
where not {{ same_value('actual', 'expected') }}
