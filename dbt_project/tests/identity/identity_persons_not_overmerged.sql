{{
    config(
        severity='warn',
        meta={
            "description": "No person has more than 10 email addresses (that many usually means several people were merged by a shared id).",
            "dagster": {"ref": {"name": "int_persons_resolved"}},
        },
    )
}}

{#-
    A warning, not a rule of the glossary: a person with more than 10 distinct emails
    is most likely an over-merge (a shared or placeholder userId such as "guest", a
    junk email on many CRM records) rather than one human. Lists such persons.
-#}

select
    person_id,
    identifier_count,
    email_count,
    anonymous_id_count,
    user_id_count

from {{ ref('int_persons_resolved') }}
where email_count > 10
