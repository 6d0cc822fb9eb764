{#-
    definitions §1 Person: every identifier with the person (connected component of the
    identity graph) it belongs to. The algorithm and its choices are in the model docs
    (_identity__models.yml) and in macros/identity/connected_components.sql.
-#}

{%- set max_rounds = var('identity_resolution_max_rounds', 20) %}

with

identity_edges as (

    select * from {{ ref('int_identity_edges') }}

),

-- both ends of every row: each identifier with when it was seen
sightings as (

    select
        identifier_type,
        identifier_value,
        first_seen_at,
        last_seen_at
    from identity_edges

    union all

    select
        linked_identifier_type as identifier_type,
        linked_identifier_value as identifier_value,
        first_seen_at,
        last_seen_at
    from identity_edges
    where linked_identifier_type is not null

),

identifiers as (

    select
        identifier_type,
        identifier_value,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at

    from sightings
    group by
        identifier_type,
        identifier_value

),

-- integer node ids in the pseudo-random order of a hash: the contraction rounds then
-- shrink every graph geometrically, whatever order the identifiers' values have
nodes as (

    select
        identifier_type,
        identifier_value,
        first_seen_at,
        last_seen_at,
        row_number() over (
            order by
                {{ dbt.hash(dbt.concat(['identifier_type', "':'", 'identifier_value'])) }},
                identifier_type,
                identifier_value
        ) as node_id

    from identifiers

),

graph_edges as (

    select distinct
        least(side_a.node_id, side_b.node_id) as node_a,
        greatest(side_a.node_id, side_b.node_id) as node_b

    from identity_edges
    inner join nodes as side_a
        on
            identity_edges.identifier_type = side_a.identifier_type
            and identity_edges.identifier_value = side_a.identifier_value
    inner join nodes as side_b
        on
            identity_edges.linked_identifier_type = side_b.identifier_type
            and identity_edges.linked_identifier_value = side_b.identifier_value
    where side_a.node_id != side_b.node_id

),

{{ connected_components('graph_edges', 'component_labels', max_rounds) }},

-- a node without edges is a component of its own
components as (

    select
        nodes.identifier_type,
        nodes.identifier_value,
        nodes.first_seen_at,
        nodes.last_seen_at,
        coalesce(component_labels.component_id, nodes.node_id) as component_id

    from nodes
    left join component_labels
        on nodes.node_id = component_labels.node_id

),

-- the smallest normalized email, else the smallest identifier as `<type>:<value>` text
component_keys as (

    select
        component_id,
        min(
            case when identifier_type = 'email' then identifier_value end
        ) as smallest_email,
        min(
            {{ dbt.concat(['identifier_type', "':'", 'identifier_value']) }}
        ) as smallest_identifier

    from components
    group by component_id

),

persons as (

    select
        component_id,
        {{ dbt.hash('coalesce(smallest_email, smallest_identifier)') }} as person_id

    from component_keys

),

final as (

    select
        -- ids
        {{ surrogate_key(['components.identifier_type', 'components.identifier_value']) }}
            as identifier_id,
        persons.person_id,

        -- strings
        components.identifier_type,
        components.identifier_value,

        -- timestamps
        components.first_seen_at,
        components.last_seen_at

    from components
    inner join persons
        on components.component_id = persons.component_id

)

select * from final
