with

source as (

    select * from {{ source('linkedin_ads', 'campaigns') }}

),

renamed as (

    select
        -- ids: the account and the campaign group arrive as URNs
        {{ urn_to_id('id') }} as campaign_id,
        {{ urn_to_id('account') }} as ad_account_id,
        {{ urn_to_id('campaign_group') }} as campaign_group_id,

        -- strings
        name as campaign_name,
        status as campaign_status,
        daily_budget_currency_code,

        -- numbers
        cast(daily_budget_amount as decimal(18, 2)) as daily_budget_amount,

        -- lineage
        _source_file,
        _source_position,
        _loaded_at

    from source

),

-- Metadata is re-exported when it changes: the latest version wins.
deduplicated as (

    {{ deduplicate('renamed', partition_by='campaign_id', order_by=arrival_order('desc')) }}

),

final as (

    select
        campaign_id,
        ad_account_id,
        campaign_group_id,
        campaign_name,
        campaign_status,
        daily_budget_currency_code,
        daily_budget_amount,
        _source_file,
        _loaded_at

    from deduplicated

)

select * from final
