-- host_site_name: the registrable label before the public suffix (the macro's own
-- examples), a dotless host and an IPv4 address as they are, null as null.
with cases as (
    select 'www' as case_name, 'www.google.com' as host, 'google' as expected
    union all
    select 'country domain', 'google.de', 'google'
    union all
    select 'country second level', 'www.google.co.uk', 'google'
    union all
    select 'com under a country', 'google.com.au', 'google'
    union all
    select 'subdomain', 'mail.google.com', 'google'
    union all
    select 'upper case', 'WWW.Bing.COM', 'bing'
    union all
    select 'one-letter site', 't.co', 't'
    union all
    select 'short link', 'lnkd.in', 'lnkd'
    union all
    select 'one-letter subdomain', 'l.facebook.com', 'facebook'
    union all
    select 'no dot', 'localhost', 'localhost'
    union all
    select 'ipv4', '192.168.0.1', '192.168.0.1'
    union all
    select 'null', cast(null as string), cast(null as string)
)

{{ contract_failures(host_site_name('host')) }}
