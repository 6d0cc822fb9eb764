-- url_query_parameter: decoding ('+' and %XX, UTF-8), a malformed escape kept as
-- written (Spark's decoder would fail on it), the first occurrence, a case-insensitive
-- name, a name with a dot taken literally, the fragment left out.
with cases as (
    select
        'decoded' as case_name,
        'https://example.com/?utm_campaign=Spring%20Sale+2026&gclid=abc' as url,
        'utm_campaign' as parameter_name,
        'Spring Sale 2026' as expected
    union all
    select 'utf-8 escape', 'https://example.com/?utm_campaign=caf%C3%A9', 'utm_campaign', 'café'
    union all
    select 'name in upper case', 'https://example.com/?UTM_CAMPAIGN=x', 'utm_campaign', 'x'
    union all
    select
        'first occurrence wins',
        'https://example.com/?a=1&utm_campaign=first&utm_campaign=second',
        'utm_campaign',
        'first'
    union all
    select 'malformed escape at the end', 'https://example.com/?utm_campaign=100%', 'utm_campaign', '100%'
    union all
    select 'short escape', 'https://example.com/?utm_campaign=a%2', 'utm_campaign', 'a%2'
    union all
    select 'malformed escape inside', 'https://example.com/?utm_campaign=50%off', 'utm_campaign', '50%off'
    union all
    select 'empty value', 'https://example.com/?utm_campaign=&x=1', 'utm_campaign', cast(null as string)
    union all
    select 'only in the fragment', 'https://example.com/#utm_campaign=x', 'utm_campaign', cast(null as string)
    union all
    select 'a longer name', 'https://example.com/?xutm_campaign=1', 'utm_campaign', cast(null as string)
    union all
    select 'dot taken literally', 'https://example.com/?axb=1&a.b=2', 'a.b', '2'
    union all
    select 'no query', 'https://example.com/', 'utm_campaign', cast(null as string)
    union all
    select 'null url', cast(null as string), 'utm_campaign', cast(null as string)
)

{{ contract_failures(url_query_parameter('url', 'parameter_name')) }}
