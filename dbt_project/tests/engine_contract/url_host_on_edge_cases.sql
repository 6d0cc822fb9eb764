-- url_host: the same host on every engine for the URLs the landing zone can hold.
-- Returns the cases whose answer differs from the one worked out by hand.
with cases as (
    select
        'scheme, user info and port' as case_name,
        'HTTPS://user@WWW.Example.com:8080/a?b=1' as url,
        'www.example.com' as expected
    union all
    select 'trailing dot', 'https://example.com./path', 'example.com'
    union all
    select 'leading space, query after host', '  http://Shop.Example.CO.UK?x=1', 'shop.example.co.uk'
    union all
    select 'app scheme', 'android-app://com.google.android.gm/', 'com.google.android.gm'
    union all
    select 'fragment after host', 'https://example.com#top', 'example.com'
    union all
    select 'bare path', '/just/a/path', cast(null as string)
    union all
    select 'no scheme', 'example.com/a', cast(null as string)
    union all
    select 'empty', '', cast(null as string)
    union all
    select 'null', cast(null as string), cast(null as string)
)

{{ contract_failures(url_host('url')) }}
