{{
    config(
        materialized='incremental',
        unique_key='ad_analytic_id',
    )
}}

{#-
    Incremental (macro versions_to_rebuild): the latest version still wins however
    many days back a platform restates.
-#}

with

source as (

    select * from {{ source('linkedin_ads', 'ad_analytics') }}

),

renamed as (

    select
        -- ids: the pivot value is the creative URN, urn:li:sponsoredCreative:<id>
        {{ urn_to_id('creative_urn') }} as creative_id,

        -- strings: costInUsd is the spend, so its currency is USD whatever the account's
        'USD' as currency_code,

        -- numbers
        coalesce(cast(impressions as bigint), 0) as impressions,
        coalesce(cast(clicks as bigint), 0) as clicks,
        coalesce(cast(external_website_conversions as bigint), 0) as external_website_conversions,
        -- long tails such as 99.99999999999996: rounded to cents per creative and day
        coalesce(
            cast(round(cast(cost_in_usd as decimal(38, 18)), 2) as decimal(18, 2)),
            0
        ) as spend,

        -- dates
        cast(date_start as date) as report_date,
        cast(date_end as date) as report_end_date,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- on an incremental build: the keys with a version loaded since the last build
versions as (

    {{ versions_to_rebuild('renamed', ['creative_id', 'report_date']) }}

),

-- Platforms restate recent days: the latest version of a creative's day wins.
deduplicated as (

    {{ deduplicate(
        'versions',
        partition_by='creative_id, report_date',
        order_by=arrival_order('desc')
    ) }}

),

final as (

    select
        {{ surrogate_key(['creative_id', 'report_date']) }} as ad_analytic_id,
        creative_id,
        currency_code,
        impressions,
        clicks,
        external_website_conversions,
        spend,
        report_date,
        report_end_date,
        _source_file,
        _loaded_at

    from deduplicated

)

select * from final
