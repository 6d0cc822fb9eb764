-- json_array_sum_where: Meta's `actions` arrays. Values as strings or numbers, only the
-- matching elements, a value that is not a number skipped, null where nothing matches.
with cases as (
    select
        'strings and numbers' as case_name,
        '[{"action_type": "lead", "value": "3"}, {"action_type": "click", "value": "7"},'
        || ' {"action_type": "lead", "value": 2}]' as actions,
        cast(5 as double) as expected
    union all
    select 'fraction', '[{"action_type": "lead", "value": "2.5"}]', cast(2.5 as double)
    union all
    select
        'a value that is not a number',
        '[{"action_type": "lead", "value": "n/a"}, {"action_type": "lead", "value": "1"}]',
        cast(1 as double)
    union all
    select 'no element matches', '[{"action_type": "click", "value": "1"}]', cast(null as double)
    union all
    select 'empty array', '[]', cast(null as double)
    union all
    select 'null', cast(null as string), cast(null as double)
)

{{ contract_failures(json_array_sum_where('actions', 'action_type', 'lead', 'value')) }}
