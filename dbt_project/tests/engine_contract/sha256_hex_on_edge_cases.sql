-- sha256_hex: lowercase hex of the UTF-8 bytes (FIPS 180-2's 'abc' vector, the empty
-- string, a non-ASCII character), null as null.
with cases as (
    select
        'abc' as case_name,
        'abc' as text_value,
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' as expected
    union all
    select 'empty', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    union all
    select 'utf-8', 'café', '850f7dc43910ff890f8879c0ed26fe697c93a067ad93a7d50f466a7028a9bf4e'
    union all
    select 'null', cast(null as string), cast(null as string)
)

{{ contract_failures(sha256_hex('text_value')) }}
