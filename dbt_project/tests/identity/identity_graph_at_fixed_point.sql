{{
    config(
        severity='error',
        meta={
            "description": "Identity resolution is complete: identifiers seen together in one record always belong to the same person.",
            "dagster": {"ref": {"name": "int_identifiers_resolved"}},
        },
    )
}}

{#-
    definitions §1 Person: the identity resolution reached its fixed point. Fails with
    every identity edge whose two identifiers have different persons (the contraction
    rounds, var identity_resolution_max_rounds, were too few) and every identifier of
    the graph that has no person at all. Passing proves the components exact: no edge
    crosses two persons, and persons are built from edges only.

    Checks int_identifiers_resolved (meta dagster ref): the person of each
    identifier is what it proves; int_identity_edges is the graph it is proved
    against.
-#}

with

identity_edges as (

    select * from {{ ref('int_identity_edges') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

edge_persons as (

    select
        identity_edges.identity_edge_id,
        identity_edges.edge_source,
        identity_edges.identifier_type,
        identity_edges.identifier_value,
        identity_edges.linked_identifier_type,
        identity_edges.linked_identifier_value,
        side_a.person_id as person_id,
        side_b.person_id as linked_person_id

    from identity_edges
    left join identifiers as side_a
        on
            identity_edges.identifier_type = side_a.identifier_type
            and identity_edges.identifier_value = side_a.identifier_value
    left join identifiers as side_b
        on
            identity_edges.linked_identifier_type = side_b.identifier_type
            and identity_edges.linked_identifier_value = side_b.identifier_value

),

final as (

    select
        identity_edge_id,
        edge_source,
        identifier_type,
        identifier_value,
        linked_identifier_type,
        linked_identifier_value,
        person_id,
        linked_person_id

    from edge_persons
    where
        person_id is null
        or (linked_identifier_type is not null and linked_person_id is null)
        or person_id <> linked_person_id

)

select * from final
