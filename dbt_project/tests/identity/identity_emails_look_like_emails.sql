{{
    config(
        severity='warn',
        meta={
            "description": "Every email address used to link records to a person contains an @ (a placeholder such as 'n/a' would merge strangers).",
            "dagster": {"ref": {"name": "int_identity_edges"}},
        },
    )
}}

{#-
    A warning: the glossary normalizes emails with lower(trim()) and nothing else, so a
    placeholder such as "n/a" typed into many forms or CRM records would be one
    identifier joining their persons. Lists normalized emails without an `@`. Warn,
    not error: the persons are as the glossary defines them; a human decides whether
    the value is junk.
-#}

select
    edge_source,
    identifier_type,
    identifier_value,
    linked_identifier_type,
    linked_identifier_value,
    record_count

from {{ ref('int_identity_edges') }}
where
    (identifier_type = 'email' and identifier_value not like '%@%')
    or (linked_identifier_type = 'email' and linked_identifier_value not like '%@%')
