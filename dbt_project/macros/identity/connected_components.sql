{#-
    Connected components of an undirected graph, as CTEs (definitions §1 Person).

    `edges_cte` names a CTE of integer node pairs (node_a, node_b) with node_a < node_b,
    no self-loops. The macro emits the CTEs of up to `max_rounds` contraction rounds and
    a last CTE named `output_cte` (node_id, component_id): one row for every node that
    has an edge, component_id being a node of its component, the same for the whole
    component once the rounds reached the fixed point. Nodes without edges are their own
    components; the caller coalesces them.

    One round contracts the graph:
      1. parent(x) = the smallest node of x's closed neighbourhood (x and its neighbours);
      2. pointer jumping: representative(x) = parent(parent(x)), still in x's component;
      3. every edge becomes an edge between the two representatives, dropped when they
         are equal: the next round works on this smaller quotient graph;
      4. every node's label follows its representative (labels compose round by round).
    Each round keeps exactly the connectivity of the last one, so when a round leaves
    no edge every component has one label. Nodes are local minima of their
    neighbourhood only if no neighbour is smaller: with node ids in a pseudo-random
    order (the caller numbers nodes by a hash) a path keeps about a third of its nodes
    per round, so rounds are logarithmic in the longest path and the work shrinks
    geometrically. Rounds after the fixed point cost one join of the labels each.

    The test identity_graph_at_fixed_point proves the result (no edge joins two
    components); it fails if `max_rounds` was too few.

    Portable SQL: least/greatest, group by, joins; the CTEs referenced twice are
    materialized by DuckDB and PostgreSQL. Spark inlines every CTE at each reference,
    so there a round that reads the last one twice doubles the plan: 20 rounds never
    finish planning. Spark gets spark__connected_components below instead.
-#}
{% macro connected_components(edges_cte, output_cte, max_rounds) -%}
    {%- if max_rounds | int < 1 -%}
        {{ exceptions.raise_compiler_error("connected_components: max_rounds must be at least 1") }}
    {%- endif -%}
    {{ return(adapter.dispatch('connected_components', 'journey_warehouse')(
        edges_cte, output_cte, max_rounds
    )) }}
{%- endmacro %}


{% macro default__connected_components(edges_cte, output_cte, max_rounds) -%}

{%- for round in range(1, max_rounds | int + 1) %}
{%- set previous_edges = edges_cte if round == 1 else 'round_' ~ (round - 1) ~ '_edges' %}

-- round {{ round }}, step 1: the smallest node of each node's closed neighbourhood
round_{{ round }}_parents as (

    select
        node_id,
        min(neighbour_id) as parent_id

    from (
        -- node_a < node_b: only node_b has a smaller neighbour on this edge ...
        select
            node_b as node_id,
            node_a as neighbour_id
        from {{ previous_edges }}

        union all

        -- ... and every node is in its own closed neighbourhood
        select
            node_a as node_id,
            node_a as neighbour_id
        from {{ previous_edges }}
    ) as closed_neighbourhoods

    group by node_id

),

-- round {{ round }}, step 2: pointer jumping, the parent's parent
round_{{ round }}_representatives as (

    select
        child.node_id,
        parent.parent_id as representative_id

    from round_{{ round }}_parents as child
    inner join round_{{ round }}_parents as parent
        on child.parent_id = parent.node_id

),

-- round {{ round }}, step 3: the quotient graph between representatives
round_{{ round }}_edges as (

    select distinct
        least(side_a.representative_id, side_b.representative_id) as node_a,
        greatest(side_a.representative_id, side_b.representative_id) as node_b

    from {{ previous_edges }} as previous_edges
    inner join round_{{ round }}_representatives as side_a
        on previous_edges.node_a = side_a.node_id
    inner join round_{{ round }}_representatives as side_b
        on previous_edges.node_b = side_b.node_id
    where side_a.representative_id <> side_b.representative_id

),

-- round {{ round }}, step 4: every node's label follows its representative
round_{{ round }}_labels as (

    {%- if round == 1 %}

    select
        node_id,
        representative_id as component_id
    from round_1_representatives

    {%- else %}

    select
        labels.node_id,
        coalesce(representatives.representative_id, labels.component_id) as component_id

    from round_{{ round - 1 }}_labels as labels
    left join round_{{ round }}_representatives as representatives
        on labels.component_id = representatives.node_id

    {%- endif %}

),
{%- endfor %}

{{ output_cte }} as (

    select
        node_id,
        component_id
    from round_{{ max_rounds | int }}_labels

)

{%- endmacro %}


{#-
    Spark: minimum-label propagation, each round reading the last round's labels once,
    so the plan grows linearly with the rounds. Round 1 labels every node with the
    smallest node of its closed neighbourhood; round k with the smallest label of its
    closed neighbourhood in round k - 1: after k rounds a node's label is the smallest
    node within k edges, so a component is one label once the rounds reach its
    eccentricity (paths halve per round on the other engines; here they shorten by one).
    The same components, so the same persons: the person is named by its smallest email
    or identifier, not by the label. identity_graph_at_fixed_point proves it on Spark too.
-#}
{% macro spark__connected_components(edges_cte, output_cte, max_rounds) -%}

-- every node's closed neighbourhood: its neighbours both ways and itself
closed_neighbourhoods as (

    select node_a as node_id, node_b as neighbour_id from {{ edges_cte }}
    union all
    select node_b as node_id, node_a as neighbour_id from {{ edges_cte }}
    union all
    select node_a as node_id, node_a as neighbour_id from {{ edges_cte }}
    union all
    select node_b as node_id, node_b as neighbour_id from {{ edges_cte }}

),

round_1_labels as (

    select
        node_id,
        min(neighbour_id) as component_id
    from closed_neighbourhoods
    group by node_id

),
{%- for round in range(2, max_rounds | int + 1) %}

round_{{ round }}_labels as (

    select
        closed_neighbourhoods.node_id,
        min(labels.component_id) as component_id

    from closed_neighbourhoods
    inner join round_{{ round - 1 }}_labels as labels
        on closed_neighbourhoods.neighbour_id = labels.node_id
    group by closed_neighbourhoods.node_id

),
{%- endfor %}

{{ output_cte }} as (

    select
        node_id,
        component_id
    from round_{{ max_rounds | int }}_labels

)

{%- endmacro %}
