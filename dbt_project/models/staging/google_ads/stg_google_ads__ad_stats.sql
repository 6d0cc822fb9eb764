{{
    config(
        materialized='incremental',
        unique_key='ad_stat_id',
    )
}}

{#-
    Incremental (macro versions_to_rebuild): the latest version still wins however
    many days back a platform restates.
-#}

with

source as (

    select * from {{ source('google_ads', 'ad_stats') }}

),

renamed as (

    select
        -- ids
        customer_id as ad_account_id,
        campaign_id,
        ad_group_id,
        ad_id,

        -- strings
        campaign_name,
        ad_group_name,
        customer_currency_code as currency_code,
        customer_time_zone as account_time_zone,

        -- numbers: an unset metric is absent from the response and means 0
        coalesce(cast(metrics_impressions as bigint), 0) as impressions,
        coalesce(cast(metrics_clicks as bigint), 0) as clicks,
        coalesce(
            cast(cast(metrics_cost_micros as decimal(38, 0)) * 0.000001 as decimal(18, 6)),
            0
        ) as spend,
        coalesce(cast(metrics_conversions as decimal(18, 6)), 0) as conversions,
        coalesce(cast(metrics_conversions_value as decimal(18, 6)), 0) as conversions_value,

        -- dates
        cast(segments_date as date) as report_date,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- on an incremental build: the keys with a version loaded since the last build
versions as (

    {{ versions_to_rebuild('renamed', ['ad_account_id', 'ad_group_id', 'ad_id', 'report_date']) }}

),

-- Platforms restate recent days: the latest version of an ad's day wins.
deduplicated as (

    {{ deduplicate(
        'versions',
        partition_by='ad_account_id, ad_group_id, ad_id, report_date',
        order_by=arrival_order('desc')
    ) }}

),

final as (

    select
        {{ surrogate_key(['ad_account_id', 'ad_group_id', 'ad_id', 'report_date']) }} as ad_stat_id,
        ad_account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        campaign_name,
        ad_group_name,
        currency_code,
        account_time_zone,
        impressions,
        clicks,
        spend,
        conversions,
        conversions_value,
        report_date,
        _source_file,
        _loaded_at

    from deduplicated

)

select * from final
