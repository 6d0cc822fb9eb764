-- url_path: the path as written, '/' when there is none, null without scheme://host.
with cases as (
    select
        'path, query and fragment' as case_name,
        'https://example.com/a/b?c=1#d' as url,
        '/a/b' as expected
    union all
    select 'no path', 'https://example.com', '/'
    union all
    select 'query right after host', 'https://example.com?x=1', '/'
    union all
    select 'escape kept as written', 'https://example.com/a%20b/', '/a%20b/'
    union all
    select 'port and user info', 'http://u@example.com:81/p', '/p'
    union all
    select 'bare path', '/a/b', cast(null as string)
    union all
    select 'empty host', 'https:///a', cast(null as string)
    union all
    select 'null', cast(null as string), cast(null as string)
)

{{ contract_failures(url_path('url')) }}
