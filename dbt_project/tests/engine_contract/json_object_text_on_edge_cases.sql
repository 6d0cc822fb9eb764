-- json_object_text: the same text on every engine (the journey fact's feature_json is
-- compared as text): keys in order, nulls kept, quotes escaped, doubles and integers as
-- numbers, timestamps as 'yyyy-MM-dd HH:mm:ss' with the fraction's trailing zeros
-- dropped.
with cases as (
    select
        'x' as text_field,
        cast(1 as integer) as count_field,
        cast(null as string) as null_field,
        timestamp '2026-01-01 10:00:00' as whole_second,
        timestamp '2026-01-01 10:00:00.5' as half_second,
        cast('0.1' as {{ type_double() }}) as fraction,
        cast('1' as {{ type_double() }}) as whole_double,
        'say "hi"' as quoted,
        '{"text_field":"x","count_field":1,"null_field":null,"whole_second":"2026-01-01 10:00:00",'
        || '"half_second":"2026-01-01 10:00:00.5","fraction":0.1,"whole_double":1.0,'
        || '"quoted":"say \"hi\""}' as expected
),

results as (
    select
        expected,
        {{ json_object_text([
            ['text_field', 'text_field'],
            ['count_field', 'count_field'],
            ['null_field', 'null_field'],
            ['whole_second', 'whole_second'],
            ['half_second', 'half_second'],
            ['fraction', 'fraction'],
            ['whole_double', 'whole_double'],
            ['quoted', 'quoted'],
        ]) }} as actual
    from cases
)

select *
from results
where not {{ same_value('actual', 'expected') }}
