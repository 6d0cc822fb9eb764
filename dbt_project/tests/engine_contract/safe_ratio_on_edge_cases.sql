-- safe_ratio: integers divide as fractions on every engine (no integer division), a
-- zero or null denominator gives null, never 0 and never an error.
with cases as (
    select 'integers' as case_name, 7 as numerator, 2 as denominator, cast('3.5' as {{ type_double() }}) as expected
    union all
    select 'a quarter', 1, 4, cast('0.25' as {{ type_double() }})
    union all
    select 'zero numerator', 0, 5, cast('0' as {{ type_double() }})
    union all
    select 'zero denominator', 1, 0, cast(null as {{ type_double() }})
    union all
    select 'null denominator', 1, cast(null as integer), cast(null as {{ type_double() }})
    union all
    select 'null numerator', cast(null as integer), 2, cast(null as {{ type_double() }})
)

{{ contract_failures(safe_ratio('numerator', 'denominator')) }}
