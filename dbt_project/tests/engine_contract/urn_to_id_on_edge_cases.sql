-- urn_to_id: the trailing number of a URN, a bare number as it is, null otherwise.
with cases as (
    select 'creative urn' as case_name, 'urn:li:sponsoredCreative:123' as urn, '123' as expected
    union all
    select 'bare number', '456', '456'
    union all
    select 'leading zeros kept', 'urn:li:sponsoredCampaign:007', '007'
    union all
    select 'no trailing number', 'urn:li:sponsoredCampaign:abc', cast(null as string)
    union all
    select 'letters after the number', 'urn:li:x:12a', cast(null as string)
    union all
    select 'empty', '', cast(null as string)
    union all
    select 'null', cast(null as string), cast(null as string)
)

{{ contract_failures(urn_to_id('urn')) }}
