{#-
    definitions §1 Person and Account: one row per person (identity-graph component),
    with its email (PII: intermediate only), email_hash and CRM account.
-#}

with

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

salesforce_accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

person_identifiers as (

    select
        person_id,
        min(case when identifier_type = 'email' then identifier_value end) as email_normalized,
        count(*) as identifier_count,
        count(*) filter (where identifier_type = 'anonymous_id') as anonymous_id_count,
        count(*) filter (where identifier_type = 'user_id') as user_id_count,
        count(*) filter (where identifier_type = 'email') as email_count,
        count(*) filter (where identifier_type = 'lead_id') as lead_count,
        count(*) filter (where identifier_type = 'contact_id') as contact_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at

    from identifiers
    group by person_id

),

-- the accounts of the person's contacts (an account deleted in the CRM is none)
contact_accounts as (

    select
        identifiers.person_id,
        salesforce_accounts.account_id,
        salesforce_accounts.created_at as account_created_at

    from identifiers
    inner join salesforce_contacts
        on identifiers.identifier_value = salesforce_contacts.contact_id
    inner join salesforce_accounts
        on salesforce_contacts.account_id = salesforce_accounts.account_id
    where identifiers.identifier_type = 'contact_id'

),

-- several accounts: the most recently created one (ties: the larger account id)
ranked_accounts as (

    select
        person_id,
        account_id,
        row_number() over (
            partition by person_id
            order by account_created_at desc, account_id desc
        ) as account_rank

    from contact_accounts

),

person_accounts as (

    select
        person_id,
        account_id

    from ranked_accounts
    where account_rank = 1

),

final as (

    select
        -- ids
        person_identifiers.person_id,
        person_accounts.account_id,

        -- strings
        person_identifiers.email_normalized,
        {{ sha256_hex('person_identifiers.email_normalized') }} as email_hash,

        -- numbers
        person_identifiers.identifier_count,
        person_identifiers.anonymous_id_count,
        person_identifiers.user_id_count,
        person_identifiers.email_count,
        person_identifiers.lead_count,
        person_identifiers.contact_count,

        -- timestamps
        person_identifiers.first_seen_at,
        person_identifiers.last_seen_at

    from person_identifiers
    left join person_accounts
        on person_identifiers.person_id = person_accounts.person_id

)

select * from final
