with

source as (

    select * from {{ source('linkedin_ads', 'creatives') }}

),

renamed as (

    select
        -- ids: both arrive as URNs (urn:li:sponsoredCreative:<id>, urn:li:sponsoredCampaign:<id>)
        {{ urn_to_id('id') }} as creative_id,
        {{ urn_to_id('campaign') }} as campaign_id,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- Metadata is re-exported when it changes: the latest version wins.
deduplicated as (

    {{ deduplicate('renamed', partition_by='creative_id', order_by=arrival_order('desc')) }}

),

final as (

    select
        creative_id,
        campaign_id,
        _source_file,
        _loaded_at

    from deduplicated

)

select * from final
