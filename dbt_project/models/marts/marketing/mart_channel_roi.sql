{#-
    definitions §5 CPL and ROAS: per month, channel and attribution model, the ad
    spend of the channel beside the leads and won deals (and their revenue) the model
    credits to it. Conversions count in the month of their conversion time (a lead's
    effective Lead time, in the reporting time zone; a deal's CloseDate); spend in the
    month of its report date. Spend is null, not 0, in the months before any ad source
    has statistics (macro known_spend, definitions §5 Unknown spend is not zero spend),
    and so are CPL, cost per MQL, cost per won deal and ROAS.

    MQLs are credited by one model only, first_touch (int_first_touch_credits; MQLs
    are not attributed conversions, definitions §4): `mqls` and `cost_per_mql` are set
    on the first_touch rows and null on the other models' rows.
-#}

with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}

),

first_touch_credits as (

    select * from {{ ref('int_first_touch_credits') }}

),

-- definitions §5 Cost per MQL: MQLs credited to their first eligible session's channel
-- (Unattributed without one), in the month of the MQL time
mqls_monthly as (

    select
        cast({{ dbt.date_trunc('month', to_reporting_date('mql_at')) }} as date) as month,
        mql_channel as channel,
        'first_touch' as model,
        count(*) as mqls
    from first_touch_credits
    where mql_at is not null
    group by
        cast({{ dbt.date_trunc('month', to_reporting_date('mql_at')) }} as date),
        mql_channel

),

credited_monthly as (

    select
        conversion_month as month,
        channel,
        model,
        sum(case when conversion_type = 'lead' then credit else 0 end) as leads,
        sum(case when conversion_type = 'deal_won' then credit else 0 end) as won_deals,
        sum(case when conversion_type = 'deal_won' then attributed_revenue else 0 end)
            as attributed_revenue
    from attribution
    group by conversion_month, channel, model

),

spend_known as (

    {{ spend_known_from('ad_performance') }}

),

spend_monthly as (

    select
        cast({{ dbt.date_trunc('month', 'report_date') }} as date) as month,
        channel,
        sum(spend_in_reporting_currency) as spend
    from ad_performance
    group by cast({{ dbt.date_trunc('month', 'report_date') }} as date), channel

),

-- the models come from the credits, so a new model needs no edit here
models as (

    select distinct model from attribution

),

spend_by_model as (

    select
        spend_monthly.month,
        spend_monthly.channel,
        models.model,
        spend_monthly.spend
    from spend_monthly
    cross join models

),

combined as (

    select
        month,
        channel,
        model,
        spend,
        cast(0 as {{ ratio_type() }}) as leads,
        cast(0 as {{ ratio_type() }}) as won_deals,
        cast(0 as {{ ratio_type() }}) as attributed_revenue,
        0 as mqls
    from spend_by_model

    union all

    select
        month,
        channel,
        model,
        0 as spend,
        leads,
        won_deals,
        attributed_revenue,
        0 as mqls
    from credited_monthly

    union all

    select
        month,
        channel,
        model,
        0 as spend,
        0 as leads,
        0 as won_deals,
        0 as attributed_revenue,
        mqls
    from mqls_monthly

),

aggregated as (

    select
        month,
        channel,
        model,
        sum(spend) as spend,
        sum(leads) as leads,
        sum(won_deals) as won_deals,
        sum(attributed_revenue) as attributed_revenue,
        sum(mqls) as mqls
    from combined
    group by month, channel, model

),

spend_classified as (

    select
        aggregated.month,
        aggregated.channel,
        aggregated.model,
        {{ known_spend('aggregated.spend', 'aggregated.month', grain='month') }} as spend,
        aggregated.leads,
        aggregated.won_deals,
        aggregated.attributed_revenue,
        case
            when aggregated.model = 'first_touch'
                then cast(aggregated.mqls as {{ dbt.type_bigint() }})
        end as mqls
    from aggregated
    cross join spend_known

),

final as (

    select
        -- ids
        {{ surrogate_key(['month', 'channel', 'model']) }} as channel_roi_id,
        -- strings
        channel,
        model,
        -- numbers
        cast(spend as decimal(18, 6)) as spend,
        leads,
        won_deals,
        attributed_revenue,
        mqls,
        {{ safe_ratio('spend', 'leads') }} as cpl,
        {{ safe_ratio('spend', 'mqls') }} as cost_per_mql,
        {{ safe_ratio('spend', 'won_deals') }} as cost_per_won_deal,
        {{ safe_ratio('attributed_revenue', 'spend') }} as roas,
        -- dates
        month
    from spend_classified

)

select * from final
