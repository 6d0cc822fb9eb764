{{
    config(
        materialized='incremental',
        unique_key='ad_performance_id',
    )
}}

{#-
    Incremental (macro versions_to_rebuild): the latest version still wins however
    many days back a report restates.
-#}

with

source as (

    select * from {{ source('microsoft_ads', 'ad_performance') }}

),

renamed as (

    select
        -- ids
        account_id as ad_account_id,
        campaign_id,
        ad_group_id,
        ad_id,

        -- strings
        account_name as ad_account_name,
        campaign_name,
        ad_group_name,
        currency_code,

        -- numbers: an empty metric is zero
        coalesce(cast(impressions as bigint), 0) as impressions,
        coalesce(cast(clicks as bigint), 0) as clicks,
        coalesce(cast(spend as decimal(18, 6)), 0) as spend,
        -- conversions are the platform's leads
        coalesce(cast(conversions as decimal(18, 6)), 0) as platform_leads,

        -- dates
        cast(time_period as date) as report_date,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- on an incremental build: the keys with a version loaded since the last build
versions as (

    {{ versions_to_rebuild('renamed', ['ad_account_id', 'ad_id', 'report_date']) }}

),

-- Reports restate recent days: the latest version of an ad's day wins.
deduplicated as (

    {{ deduplicate(
        'versions',
        partition_by='ad_account_id, ad_id, report_date',
        order_by=arrival_order('desc')
    ) }}

),

final as (

    -- the shape every ad platform shares (docs/extending.md), then the rest
    select
        ad_account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        campaign_name,
        ad_group_name,
        cast(null as {{ dbt.type_string() }}) as ad_name,
        currency_code,
        impressions,
        clicks,
        spend,
        platform_leads,
        report_date,
        _source_file,
        {{ surrogate_key(['ad_account_id', 'ad_id', 'report_date']) }} as ad_performance_id,
        ad_account_name,
        _loaded_at

    from deduplicated

)

select * from final
