{#-
    definitions §2 Web sessions and channels, §4 Touchpoints and attribution: every channel a mart shows is one the
    seed `channel_rules` defines, or 'Unattributed' (a conversion with no touchpoint).
    The list is read from the seed at run time, so a new channel is a seed row and no
    code. Nulls pass (rows without a channel, such as CRM stage changes, have none;
    a not_null test says where a channel is required). Returns each unknown channel
    with the number of rows that carry it.
-#}
{% test channel_in_seed_list(model, column_name) %}

with

known_channels as (

    select distinct channel
    from {{ ref('channel_rules') }}
    where channel is not null

    union all

    select 'Unattributed' as channel

),

mart_channels as (

    select
        {{ column_name }} as channel,
        count(*) as mart_rows
    from {{ model }}
    where {{ column_name }} is not null
    group by {{ column_name }}

)

select mart_channels.*
from mart_channels
left join known_channels
    on mart_channels.channel = known_channels.channel
where known_channels.channel is null

{% endtest %}
