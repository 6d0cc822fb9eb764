{#-
    The ad platforms, in one place: the var `ad_platforms` (dbt_project.yml). Each has,
    in its staging folder, `stg_<platform>__ad_performance` (one row per ad and day) and
    `stg_<platform>__ad_campaigns` (one row per campaign) in the shared shape
    (docs/extending.md, "Add an ad platform"). The models that combine platforms loop
    over this list; the seed ad_platform_channels gives each platform its channel.
-#}

{% macro ad_platforms() -%}
    {{ return(var('ad_platforms')) }}
{%- endmacro %}


{#- The columns of stg_<platform>__ad_performance, in order. -#}
{% macro ad_performance_columns() -%}
    {{ return([
        'ad_account_id', 'campaign_id', 'ad_group_id', 'ad_id', 'campaign_name',
        'ad_group_name', 'ad_name', 'currency_code', 'impressions', 'clicks', 'spend',
        'platform_leads', 'report_date', '_source_file',
    ]) }}
{%- endmacro %}


{#-
    stg_<platform>__ad_campaigns from a platform's ad statistics: every campaign id
    with the name of its latest reported day (a later file, then the greater name, on
    ties); statistics rows carry the name the campaign had that day.
-#}
{% macro campaign_names_from_ad_performance(relation) -%}
    select
        campaign_id,
        campaign_name

    from (
        select
            campaign_id,
            campaign_name,
            row_number() over (
                partition by campaign_id
                order by
                    case when campaign_name is null then 1 else 0 end,
                    report_date desc,
                    _source_file desc,
                    campaign_name desc
            ) as name_rank

        from {{ relation }}
        where campaign_id is not null
    ) as ranked

    where name_rank = 1
{%- endmacro %}
