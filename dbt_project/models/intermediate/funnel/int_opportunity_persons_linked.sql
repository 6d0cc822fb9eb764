{#- definitions §3 Linked to the person: contact roles first, else the Account's Contacts. -#}

with

opportunities as (

    select * from {{ ref('int_opportunities_classified') }}

),

opportunity_contact_roles as (

    select * from {{ ref('stg_salesforce__opportunity_contact_roles') }}

),

contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

identifiers_resolved as (

    select * from {{ ref('int_identifiers_resolved') }}

),

contact_persons as (

    select
        identifier_value as contact_id,
        person_id
    from identifiers_resolved
    where identifier_type = 'contact_id'

),

role_links as (

    select distinct
        opportunity_contact_roles.opportunity_id,
        contact_persons.person_id
    from opportunity_contact_roles
    inner join opportunities
        on opportunity_contact_roles.opportunity_id = opportunities.opportunity_id
    inner join contact_persons
        on opportunity_contact_roles.contact_id = contact_persons.contact_id

),

opportunities_with_roles as (

    select distinct opportunity_id
    from role_links

),

account_links as (

    select distinct
        opportunities.opportunity_id,
        contact_persons.person_id
    from opportunities
    inner join contacts
        on opportunities.account_id = contacts.account_id
    inner join contact_persons
        on contacts.contact_id = contact_persons.contact_id
    left join opportunities_with_roles
        on opportunities.opportunity_id = opportunities_with_roles.opportunity_id
    where opportunities_with_roles.opportunity_id is null

),

links as (

    select
        opportunity_id,
        person_id,
        'contact_role' as link_type
    from role_links

    union all

    select
        opportunity_id,
        person_id,
        'account' as link_type
    from account_links

),

final as (

    select
        {{ surrogate_key(['opportunity_id', 'person_id']) }} as opportunity_person_id,
        opportunity_id,
        person_id,
        link_type
    from links

)

select * from final
