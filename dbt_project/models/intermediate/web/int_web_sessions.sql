with

sessionized_events as (

    select * from {{ ref('int_web_events_sessionized') }}

),

parsed_events as (

    select * from {{ ref('int_web_events_parsed') }}

),

campaigns as (

    select * from {{ ref('int_campaigns_unioned') }}

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

ad_platform_channels as (

    select * from {{ ref('ad_platform_channels') }}

),

session_aggregates as (

    select
        session_id,
        count(*) as event_count,
        count(*) filter (where event_type = 'page') as pageview_count,
        min(event_at) as session_started_at,
        max(event_at) as session_ended_at

    from sessionized_events
    group by session_id

),

-- The first userId the session carries (a shared browser may sign in to two accounts).
user_events_ranked as (

    select
        session_id,
        user_id,
        row_number() over (
            partition by session_id
            order by event_at, event_id
        ) as user_event_rank

    from sessionized_events
    where user_id is not null

),

session_user_ids as (

    select
        session_id,
        user_id

    from user_events_ranked
    where user_event_rank = 1

),

-- definitions §2: landing page, referrer, UTM values and click ids come from the first
-- event; an internal referrer counts as no referrer
landing_events as (

    select
        sessionized_events.session_id,
        sessionized_events.session_start_event_id,
        sessionized_events.browser_id,
        sessionized_events.browser_id_type,
        sessionized_events.anonymous_id,
        sessionized_events.browser_session_number,
        parsed_events.page_url as landing_page_url,
        parsed_events.page_path as landing_page_path,
        parsed_events.page_host as landing_page_host,
        case
            when not parsed_events.is_internal_referrer then parsed_events.referrer_url
        end as referrer_url,
        case
            when not parsed_events.is_internal_referrer then parsed_events.referrer_host
        end as referrer_host,
        parsed_events.utm_source,
        parsed_events.utm_medium,
        parsed_events.utm_campaign,
        parsed_events.utm_term,
        parsed_events.utm_content,
        {%- for click_id in web_click_id_params() %}
        parsed_events.{{ click_id }},
        {%- endfor %}
        parsed_events.is_internal_referrer

    from sessionized_events
    inner join parsed_events
        on sessionized_events.event_id = parsed_events.event_id
    where sessionized_events.is_session_start

),

sessions_joined as (

    select
        landing_events.*,
        session_user_ids.user_id,
        session_aggregates.event_count,
        session_aggregates.pageview_count,
        session_aggregates.session_started_at,
        session_aggregates.session_ended_at

    from landing_events
    inner join session_aggregates
        on landing_events.session_id = session_aggregates.session_id
    left join session_user_ids
        on landing_events.session_id = session_user_ids.session_id

),

-- What the channel rules test, in the form they compare (definitions §2: matching is
-- case-insensitive; a value of only spaces is not set). A referrer without a host
-- (about:blank) counts as none. utm_source is also read as a host name, so that
-- 'facebook.com' is recognised as facebook.
channel_inputs_derived as (

    select
        *,
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

    from sessions_joined

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
        channel_inputs_derived.*,
        profile_channels.channel

    from channel_inputs_derived
    left join profile_channels
        on
        {%- for column in channel_input_columns %}
            {{ 'and ' if not loop.first }}channel_inputs_derived.{{ column }}
            is not distinct from profile_channels.{{ column }}
        {%- endfor %}

),

-- definitions §2 Campaign of a session: an ad platform's campaign id (rank 1), else its
-- name (2), else an email campaign's id (3) or name (4). Ad platforms are those of the
-- ad_platform_channels seed; every other platform of int_campaigns_unioned is email.
campaign_platforms_typed as (

    select
        campaigns.platform,
        campaigns.campaign_id,
        campaigns.campaign_name,
        ad_platform_channels.channel as platform_channel,
        ad_platform_channels.platform is not null as is_ad_platform

    from campaigns
    left join ad_platform_channels
        on campaigns.platform = ad_platform_channels.platform

),

campaign_match_keys as (

    select
        platform,
        campaign_id,
        campaign_name,
        platform_channel,
        {{ match_key('campaign_id') }} as campaign_match_key,
        case when is_ad_platform then 1 else 3 end as match_rank

    from campaign_platforms_typed

    union all

    select
        platform,
        campaign_id,
        campaign_name,
        platform_channel,
        {{ match_key('campaign_name') }} as campaign_match_key,
        case when is_ad_platform then 2 else 4 end as match_rank

    from campaign_platforms_typed
    where {{ match_key('campaign_name') }} is not null

),

-- Every session once with each campaign it matches (once, without, when none). A value
-- matching several campaigns of the best rank (the same name on two platforms, or twice
-- on one): the platform whose channel is the session's wins, then platform, then
-- campaign id, in text order.
campaign_candidates_ranked as (

    select
        sessions_classified.*,
        campaign_match_keys.platform as campaign_platform,
        campaign_match_keys.campaign_id,
        campaign_match_keys.campaign_name as matched_campaign_name,
        row_number() over (
            partition by sessions_classified.session_id
            order by
                campaign_match_keys.match_rank,
                case
                    when campaign_match_keys.platform_channel = sessions_classified.channel then 0
                    else 1
                end,
                campaign_match_keys.platform,
                campaign_match_keys.campaign_id
        ) as campaign_candidate_rank

    from sessions_classified
    left join campaign_match_keys
        on
            {{ match_key('sessions_classified.utm_campaign') }}
            = campaign_match_keys.campaign_match_key

),

sessions_with_campaigns as (

    select *
    from campaign_candidates_ranked
    where campaign_candidate_rank = 1

),

final as (

    select
        -- ids
        session_id,
        session_start_event_id,
        browser_id,
        anonymous_id,
        user_id,
        campaign_id,

        -- strings
        browser_id_type,
        landing_page_url,
        landing_page_path,
        landing_page_host,
        referrer_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        {%- for click_id in web_click_id_params() %}
        {{ click_id }},
        {%- endfor %}
        channel,
        -- unmatched: the utm value as it came (so is a campaign known only by id)
        coalesce(matched_campaign_name, utm_campaign) as campaign_name,
        campaign_platform,

        -- numbers
        browser_session_number,
        event_count,
        pageview_count,

        -- timestamps
        session_started_at,
        session_ended_at

    from sessions_with_campaigns

)

select * from final
