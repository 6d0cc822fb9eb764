-- json_extract_text: a string without its quotes (escapes decoded), a nested key, a
-- number, a boolean and an object as JSON text (compact), a JSON null and a missing
-- key as null.
with documents as (
    select
        'string' as case_name,
        '{"email": "ana@example.com", "page": {"url": "https://x.io/a", "n": 1.50}}' as doc,
        'ana@example.com' as expected
    union all
    select 'unicode escape', '{"email": "caf\u00e9@example.com"}', 'café@example.com'
    union all
    select 'missing key', '{"other": 1}', cast(null as string)
    union all
    select 'json null', '{"email": null}', cast(null as string)
    union all
    select 'null document', cast(null as string), cast(null as string)
),

nested as (
    select 'nested key' as case_name, '{"page": {"url": "https://x.io/a"}}' as doc, 'https://x.io/a' as expected
    union all
    select 'object as compact text', '{"page": {"a": 1, "b": [1, 2]}}', '{"a":1,"b":[1,2]}'
),

scalars as (
    select 'number' as case_name, '{"n": 1.50}' as doc, '1.5' as expected
    union all
    select 'integer', '{"n": 7}', '7'
    union all
    select 'boolean', '{"n": true}', 'true'
),

results as (
    select case_name, expected, {{ json_extract_text('doc', 'email') }} as actual from documents
    union all
    select case_name, expected, {{ json_extract_text('doc', 'page') }} from nested
    where case_name = 'object as compact text'
    union all
    select case_name, expected, {{ json_extract_text('doc', 'page.url') }} from nested
    where case_name = 'nested key'
    union all
    select case_name, expected, {{ json_extract_text('doc', 'n') }} from scalars
)

select *
from results
where not {{ same_value('actual', 'expected') }}
