{#-
    definitions §2 and §4: every channel a mart shows is a channel of the channel_rules
    seed, or Unattributed. Returns the unknown channels and where they appear.
-#}
{{ config(severity='error') }}

with

known_channels as (

    select distinct channel from {{ ref('channel_rules') }}
    union all
    select 'Unattributed' as channel

),

mart_channels as (

    select distinct 'fct_attribution' as relation_name, channel
    from {{ ref('fct_attribution') }}
    union all
    select distinct 'mart_channel_roi' as relation_name, channel
    from {{ ref('mart_channel_roi') }}
    union all
    select distinct 'mart_marketing_daily' as relation_name, channel
    from {{ ref('mart_marketing_daily') }}
    union all
    select distinct 'fct_customer_journey' as relation_name, channel
    from {{ ref('fct_customer_journey') }}
    where channel is not null
    union all
    select distinct 'dim_persons' as relation_name, first_touch_channel as channel
    from {{ ref('dim_persons') }}
    where first_touch_channel is not null

)

select
    mart_channels.relation_name,
    mart_channels.channel
from mart_channels
left join known_channels
    on mart_channels.channel = known_channels.channel
where known_channels.channel is null
