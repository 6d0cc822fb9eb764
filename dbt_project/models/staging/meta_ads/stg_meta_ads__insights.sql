{{
    config(
        materialized='incremental',
        unique_key='insight_id',
    )
}}

{#-
    Incremental (macro versions_to_rebuild): the latest version still wins however
    many days back a platform restates.
-#}

with

source as (

    select * from {{ source('meta_ads', 'insights') }}

),

renamed as (

    select
        -- ids
        account_id as ad_account_id,
        campaign_id,
        adset_id as ad_set_id,
        ad_id,

        -- strings
        campaign_name,
        adset_name as ad_set_name,
        ad_name,
        account_currency as currency_code,

        -- numbers: Meta omits a metric that is zero
        coalesce(cast(impressions as bigint), 0) as impressions,
        coalesce(cast(clicks as bigint), 0) as clicks,
        coalesce(cast(inline_link_clicks as bigint), 0) as inline_link_clicks,
        coalesce(cast(reach as bigint), 0) as reach,
        coalesce(cast(spend as decimal(18, 6)), 0) as spend,
        -- the action type `lead` only: offsite_conversion.* and omni_* count the same leads again
        coalesce(
            cast({{ json_array_sum_where('actions', 'action_type', 'lead', 'value') }} as bigint),
            0
        ) as leads,

        -- dates
        cast(date_start as date) as report_date,
        cast(date_stop as date) as report_end_date,

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

-- Platforms restate recent days: the latest version of an ad's day wins.
deduplicated as (

    {{ deduplicate(
        'versions',
        partition_by='ad_account_id, ad_id, report_date',
        order_by=arrival_order('desc')
    ) }}

),

final as (

    select
        {{ surrogate_key(['ad_account_id', 'ad_id', 'report_date']) }} as insight_id,
        ad_account_id,
        campaign_id,
        ad_set_id,
        ad_id,
        campaign_name,
        ad_set_name,
        ad_name,
        currency_code,
        impressions,
        clicks,
        inline_link_clicks,
        reach,
        spend,
        leads,
        report_date,
        report_end_date,
        _source_file,
        _loaded_at

    from deduplicated

)

select * from final
