{{
    config(
        materialized='incremental',
        unique_key='attribution_conversion_id',
        post_hook="{{ remove_tombstones(this, 'attribution_credit_id') }}",
    )
}}

{#-
    definitions §4 Models: every eligible touchpoint's credit under first_touch,
    last_touch, linear, position_based and time_decay; a conversion without touchpoints
    gets one Unattributed row per model. The last touch takes 1 - the others' credits,
    so the credits of a conversion and model sum to 1. No money: fct_attribution
    multiplies a won deal's credit by its revenue.

    Incremental by conversion: a conversion's rows depend only on its own row in
    int_attribution_conversions and its touchpoints in
    int_attribution_touchpoints_eligible, every column of which the rows carry. An
    incremental build compares each conversion's touchpoints (with the conversion's
    columns) to its stored first_touch rows, which list every touchpoint, and rebuilds
    the conversions that differ, are new or are gone (changed_conversions); a tombstone
    row per rebuilt conversion (attribution_credit_id null) makes delete+insert remove
    its old rows even when it has none left, and the post-hook removes the tombstones.
    The weights and the half-life are variables: a change of one changes the project's
    fingerprint, and the next refresh rebuilds this model in full.
-#}

{%- set first_weight = var('position_based_first_weight') %}
{%- set last_weight = var('position_based_last_weight') %}
{%- set half_life_days = var('time_decay_half_life_days') %}

{#- the columns a row takes from its touchpoint and from its conversion -#}
{%- set touch_columns = [
    'person_id', 'channel', 'campaign_id', 'campaign_name', 'campaign_platform',
    'touch_number', 'touch_count', 'days_before_conversion', 'session_started_at',
] %}
{%- set conversion_columns = [
    'conversion_type', 'conversion_id', 'converted_at', 'window_anchor_at',
] %}

{#- an Unattributed row's touchpoint columns after its person_id -#}
{%- set unattributed_touch -%}
        'Unattributed' as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        cast(null as {{ dbt.type_string() }}) as campaign_platform,
        cast(null as {{ dbt.type_bigint() }}) as touch_number,
        cast(0 as {{ dbt.type_bigint() }}) as touch_count,
        cast(null as {{ type_double() }}) as days_before_conversion,
        cast(null as {{ dbt.type_timestamp() }}) as session_started_at,
{%- endset %}

with

all_conversions as (

    select * from {{ ref('int_attribution_conversions') }}

),

all_touchpoints as (

    select * from {{ ref('int_attribution_touchpoints_eligible') }}

),

{%- if is_incremental() %}

-- every touchpoint of every conversion as its rows carry it, and a conversion without
-- touchpoints as its Unattributed row does
current_touches as (

    select
        all_touchpoints.attribution_conversion_id,
        all_touchpoints.session_id,
        {%- for column in touch_columns %}
        all_touchpoints.{{ column }},
        {%- endfor %}
        {%- for column in conversion_columns %}
        all_conversions.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from all_touchpoints
    inner join all_conversions
        on all_touchpoints.attribution_conversion_id = all_conversions.attribution_conversion_id

    union all

    select
        all_conversions.attribution_conversion_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        all_conversions.person_id,
        {{ unattributed_touch }}
        {%- for column in conversion_columns %}
        all_conversions.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from all_conversions
    where not exists (
        select 1
        from all_touchpoints
        where all_touchpoints.attribution_conversion_id = all_conversions.attribution_conversion_id
    )

),

-- the stored touchpoints: every model lists every touch, first_touch included
stored_touches as (

    select
        attribution_conversion_id,
        session_id,
        {%- for column in touch_columns + conversion_columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ this }}
    where model = 'first_touch'

),

changed_conversions as (

    select distinct
        coalesce(
            current_touches.attribution_conversion_id, stored_touches.attribution_conversion_id
        ) as attribution_conversion_id
    from current_touches
    full outer join stored_touches
        on
            current_touches.attribution_conversion_id = stored_touches.attribution_conversion_id
            and current_touches.session_id is not distinct from stored_touches.session_id
    where
        current_touches.attribution_conversion_id is null
        or stored_touches.attribution_conversion_id is null
        {%- for column in touch_columns + conversion_columns %}
        or current_touches.{{ column }} is distinct from stored_touches.{{ column }}
        {%- endfor %}

),

conversions as (

    select *
    from all_conversions
    where attribution_conversion_id in (
        select attribution_conversion_id from changed_conversions
    )

),

touchpoints_eligible as (

    select *
    from all_touchpoints
    where attribution_conversion_id in (
        select attribution_conversion_id from changed_conversions
    )

),

{%- else %}

conversions as (

    select * from all_conversions

),

touchpoints_eligible as (

    select * from all_touchpoints

),

{%- endif %}

-- each touch's share before the last-touch remainder; the last touch's value is unused
touch_shares as (

    select
        attribution_conversion_id,
        session_id,
        touch_number,
        touch_count,
        case when touch_number = 1 then 1.0 else 0.0 end as first_touch_share,
        case when touch_number = touch_count then 1.0 else 0.0 end as last_touch_share,
        1.0 / touch_count as linear_share,
        case
            when touch_count = 1 then 1.0
            when touch_count = 2
                then {{ first_weight }} / ({{ first_weight }} + {{ last_weight }})
            when touch_number = 1 then {{ first_weight }}
            when touch_number = touch_count then {{ last_weight }}
            else (1.0 - {{ first_weight }} - {{ last_weight }}) / (touch_count - 2)
        end as position_based_share,
        power(2.0, -days_before_conversion / {{ half_life_days }})
        / sum(power(2.0, -days_before_conversion / {{ half_life_days }})) over (
            partition by attribution_conversion_id
        ) as time_decay_share
    from touchpoints_eligible

),

touch_shares_long as (

    {%- for model in ['first_touch', 'last_touch', 'linear', 'position_based', 'time_decay'] %}

    select
        attribution_conversion_id,
        session_id,
        touch_number,
        touch_count,
        '{{ model }}' as model,
        cast({{ model }}_share as {{ type_double() }}) as share
    from touch_shares
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- the last touch gets 1 minus the other touches' credits: sums are exactly 1
touch_credits as (

    select
        attribution_conversion_id,
        session_id,
        model,
        case
            when touch_number = touch_count
                then 1.0 - coalesce(sum(case when touch_number < touch_count then share end) over (
                    partition by attribution_conversion_id, model
                ), 0.0)
            else share
        end as credit
    from touch_shares_long

),

attributed as (

    select
        touchpoints_eligible.attribution_conversion_id,
        touch_credits.model,
        touchpoints_eligible.session_id,
        touchpoints_eligible.person_id,
        touchpoints_eligible.channel,
        touchpoints_eligible.campaign_id,
        touchpoints_eligible.campaign_name,
        touchpoints_eligible.campaign_platform,
        touchpoints_eligible.touch_number,
        touchpoints_eligible.touch_count,
        touchpoints_eligible.days_before_conversion,
        touchpoints_eligible.session_started_at,
        cast(touch_credits.credit as {{ type_double() }}) as credit
    from touchpoints_eligible
    inner join touch_credits
        on
            touchpoints_eligible.attribution_conversion_id = touch_credits.attribution_conversion_id
            and touchpoints_eligible.session_id = touch_credits.session_id

),

conversions_with_touches as (

    select distinct attribution_conversion_id
    from touchpoints_eligible

),

unattributed as (

    {%- for model in ['first_touch', 'last_touch', 'linear', 'position_based', 'time_decay'] %}

    select
        conversions.attribution_conversion_id,
        '{{ model }}' as model,
        cast(null as {{ dbt.type_string() }}) as session_id,
        conversions.person_id,
        {{ unattributed_touch }}
        cast(1.0 as {{ type_double() }}) as credit
    from conversions
    left join conversions_with_touches
        on
            conversions.attribution_conversion_id
            = conversions_with_touches.attribution_conversion_id
    where conversions_with_touches.attribution_conversion_id is null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

credits as (

    select * from attributed
    union all
    select * from unattributed

),

final as (

    select
        -- ids
        {{ surrogate_key([
            'credits.attribution_conversion_id', 'credits.model', 'credits.session_id',
        ]) }} as attribution_credit_id,
        credits.attribution_conversion_id,
        conversions.conversion_type,
        conversions.conversion_id,
        credits.session_id,
        credits.person_id,
        credits.campaign_id,

        -- strings
        credits.model,
        credits.channel,
        credits.campaign_name,
        credits.campaign_platform,

        -- numbers
        credits.touch_number,
        credits.touch_count,
        credits.days_before_conversion,
        credits.credit,

        -- timestamps
        credits.session_started_at,
        conversions.converted_at,
        conversions.window_anchor_at

    from credits
    inner join conversions
        on credits.attribution_conversion_id = conversions.attribution_conversion_id

)

select * from final
{%- if is_incremental() %}

-- a tombstone per rebuilt conversion: deletes its stored rows even when none is rebuilt
union all

select
    cast(null as {{ dbt.type_string() }}) as attribution_credit_id,
    attribution_conversion_id,
    cast(null as {{ dbt.type_string() }}) as conversion_type,
    cast(null as {{ dbt.type_string() }}) as conversion_id,
    cast(null as {{ dbt.type_string() }}) as session_id,
    cast(null as {{ dbt.type_string() }}) as person_id,
    cast(null as {{ dbt.type_string() }}) as campaign_id,
    cast(null as {{ dbt.type_string() }}) as model,
    cast(null as {{ dbt.type_string() }}) as channel,
    cast(null as {{ dbt.type_string() }}) as campaign_name,
    cast(null as {{ dbt.type_string() }}) as campaign_platform,
    cast(null as {{ dbt.type_bigint() }}) as touch_number,
    cast(null as {{ dbt.type_bigint() }}) as touch_count,
    cast(null as {{ type_double() }}) as days_before_conversion,
    cast(null as {{ type_double() }}) as credit,
    cast(null as {{ dbt.type_timestamp() }}) as session_started_at,
    cast(null as {{ dbt.type_timestamp() }}) as converted_at,
    cast(null as {{ dbt.type_timestamp() }}) as window_anchor_at
from changed_conversions
{%- endif %}
