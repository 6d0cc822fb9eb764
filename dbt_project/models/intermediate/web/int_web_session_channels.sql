{{
    config(
        materialized='incremental',
        unique_key=['browser_id_type', 'browser_id'],
    )
}}

{#-
    definitions §2 Channel: every session's channel, one row per session, by the seeds
    channel_rules (tried in priority order, the first that matches wins),
    channel_click_ids, channel_medium_groups and channel_source_categories, over the
    session's landing attributes (int_web_sessions_aggregated).

    Incremental by browser, as int_web_sessions_aggregated is: a session's channel
    depends on its aggregated row and the seeds alone, so an incremental build
    classifies again every session of each browser with a session aggregated since this
    model's last build (_loaded_at, the watermark), and delete+insert on the browser
    replaces all of that browser's rows (a session a late event split or joined leaves
    no stale row). A change of a seed changes the project's fingerprint, so the next
    refresh rebuilds this model in full (orchestration/build_state.py).
-#}

with

sessions as (

    {{ versions_to_rebuild(
        ref('int_web_sessions_aggregated'), ['browser_id_type', 'browser_id']
    ) }}

),

channel_rules as (

    select * from {{ ref('channel_rules') }}

),

channel_click_ids as (

    select * from {{ ref('channel_click_ids') }}

),

channel_medium_groups as (

    select * from {{ ref('channel_medium_groups') }}

),

channel_source_categories as (

    select * from {{ ref('channel_source_categories') }}

),

-- What the channel rules test, in the form they compare (definitions §2: matching is
-- case-insensitive; a value of only spaces is not set). A referrer without a host
-- (about:blank) counts as none. utm_source is also read as a host name, so that
-- 'facebook.com' is recognised as facebook.
channel_inputs_derived as (

    select
        session_id,
        browser_id_type,
        browser_id,
        _loaded_at,
        {{ match_key('utm_medium') }} as utm_medium_key,
        {{ match_key('utm_source') }} as utm_source_key,
        {{ host_site_name(match_key('utm_source')) }} as utm_source_site_name,
        {{ host_site_name('referrer_host') }} as referrer_site_name,
        coalesce(
            {{ match_key('utm_source') }},
            {{ match_key('utm_medium') }},
            {{ match_key('utm_campaign') }},
            {{ match_key('utm_term') }},
            {{ match_key('utm_content') }}
        ) is not null as has_utm,
        referrer_host is not null as has_external_referrer
        {%- for click_id in web_click_id_params() %},
        {{ click_id }} is not null as has_{{ click_id }}{% endfor %}

    from sessions

),

-- Sessions with the same inputs get the same channel: the rules are evaluated once per
-- distinct combination of inputs (tens to hundreds), not once per session, and the
-- channels joined back on all of them.
{%- set channel_input_columns = [
    'utm_medium_key', 'utm_source_key', 'utm_source_site_name', 'referrer_site_name',
    'has_utm', 'has_external_referrer'
] -%}
{%- for click_id in web_click_id_params() -%}
{%- do channel_input_columns.append('has_' ~ click_id) -%}
{%- endfor %}
channel_profiles as (

    select distinct
        {{ channel_input_columns | join(',\n        ') }}

    from channel_inputs_derived

),

-- "no paid medium" (rule 6): the medium is none of those flagged paid in the seed
paid_mediums as (

    select distinct lower(utm_medium) as utm_medium_key
    from channel_medium_groups
    where is_paid_medium

),

paid_mediums_flagged as (

    select
        channel_profiles.*,
        paid_mediums.utm_medium_key is not null as has_paid_medium

    from channel_profiles
    left join paid_mediums
        on channel_profiles.utm_medium_key = paid_mediums.utm_medium_key

),

-- Every rule row whose conditions all hold (an empty condition holds); seed rows
-- sharing a priority are alternatives of one rule. Click ids: the landing URL carries
-- a parameter of the rule's group (channel_click_ids).
rule_matches as (

    select
        {%- for column in channel_input_columns %}
        paid_mediums_flagged.{{ column }},
        {%- endfor %}
        channel_rules.priority

    from paid_mediums_flagged
    cross join channel_rules
    where
        (
            channel_rules.click_id_group is null
            or exists (
                select 1 as found
                from channel_click_ids
                where
                    channel_click_ids.click_id_group = channel_rules.click_id_group
                    and (
                        {%- for click_id in web_click_id_params() %}
                        (
                            lower(channel_click_ids.click_id_param) = '{{ click_id }}'
                            and paid_mediums_flagged.has_{{ click_id }}
                        )
                        {{ 'or' if not loop.last }}
                        {%- endfor %}
                    )
            )
        )
        and (
            channel_rules.utm_medium_group is null
            or exists (
                select 1 as found
                from channel_medium_groups
                where
                    channel_medium_groups.medium_group = channel_rules.utm_medium_group
                    and lower(channel_medium_groups.utm_medium)
                    = paid_mediums_flagged.utm_medium_key
            )
        )
        and (
            channel_rules.utm_source_category is null
            or exists (
                select 1 as found
                from channel_source_categories
                where
                    channel_source_categories.category = channel_rules.utm_source_category
                    and (
                        (
                            channel_source_categories.match_type = 'exact'
                            and lower(channel_source_categories.source_name) in (
                                paid_mediums_flagged.utm_source_key,
                                paid_mediums_flagged.utm_source_site_name
                            )
                        )
                        or (
                            channel_source_categories.match_type = 'contains'
                            and position(
                                lower(channel_source_categories.source_name)
                                in paid_mediums_flagged.utm_source_key
                            ) > 0
                        )
                    )
            )
        )
        and (
            channel_rules.referrer_category is null
            or exists (
                select 1 as found
                from channel_source_categories
                where
                    channel_source_categories.category = channel_rules.referrer_category
                    and (
                        (
                            channel_source_categories.match_type = 'exact'
                            and lower(channel_source_categories.source_name)
                            = paid_mediums_flagged.referrer_site_name
                        )
                        or (
                            channel_source_categories.match_type = 'contains'
                            and position(
                                lower(channel_source_categories.source_name)
                                in paid_mediums_flagged.referrer_site_name
                            ) > 0
                        )
                    )
            )
        )
        and (channel_rules.has_utm is null or channel_rules.has_utm = paid_mediums_flagged.has_utm)
        and (
            channel_rules.has_paid_medium is null
            or channel_rules.has_paid_medium = paid_mediums_flagged.has_paid_medium
        )
        and (
            channel_rules.has_external_referrer is null
            or channel_rules.has_external_referrer = paid_mediums_flagged.has_external_referrer
        )

),

-- The first rule that matches wins.
first_rule_matches as (

    select
        {{ channel_input_columns | join(',\n        ') }},
        min(priority) as channel_priority

    from rule_matches
    group by {{ channel_input_columns | join(', ') }}

),

rule_channels as (

    select
        priority,
        min(channel) as channel

    from channel_rules
    group by priority

),

profile_channels as (

    select
        {%- for column in channel_input_columns %}
        first_rule_matches.{{ column }},
        {%- endfor %}
        rule_channels.channel

    from first_rule_matches
    inner join rule_channels
        on first_rule_matches.channel_priority = rule_channels.priority

),

sessions_classified as (

    select
        channel_inputs_derived.session_id,
        channel_inputs_derived.browser_id_type,
        channel_inputs_derived.browser_id,
        channel_inputs_derived._loaded_at,
        profile_channels.channel

    from channel_inputs_derived
    left join profile_channels
        on
        {%- for column in channel_input_columns %}
            {{ 'and ' if not loop.first }}channel_inputs_derived.{{ column }}
            is not distinct from profile_channels.{{ column }}
        {%- endfor %}

),

final as (

    select
        -- ids
        session_id,
        browser_id,

        -- strings
        browser_id_type,
        channel,

        -- lineage
        _loaded_at

    from sessions_classified

)

select * from final
