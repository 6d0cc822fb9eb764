{{
    config(
        severity='error',
        meta={
            "description": "Every ad platform the models read (the var ad_platforms) has its channel in the seed ad_platform_channels, and the seed names no platform the models do not read.",
            "dagster": {"ref": {"name": "int_ad_performance_unioned"}},
        },
    )
}}

{#-
    definitions §2 Channel of ad-platform statistics: a platform's spend counts under the
    channel the seed gives it. The list of platforms is the var ad_platforms
    (docs/extending.md); a platform missing from the seed would show spend without a
    channel, a seed row without a platform would never be read. Returns each platform
    found on one side only.

    Checks int_ad_performance_unioned (meta dagster ref), the model whose rows would
    lack a channel: the platforms read are the var's and those in its rows. With both
    the model and the seed as parents, a failure holds back only what is built from
    the ad statistics (spend marts), not every model the seed reaches.
-#}

with

ad_platform_channels as (

    select * from {{ ref('ad_platform_channels') }}

),

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}

),

platforms_declared as (

    {% for platform in ad_platforms() %}
    select '{{ platform }}' as platform
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}

),

platforms_read as (

    select platform from platforms_declared
    union
    select distinct platform from ad_performance

),

compared as (

    select
        coalesce(platforms_read.platform, ad_platform_channels.platform) as platform,
        platforms_read.platform is not null as is_read,
        ad_platform_channels.platform is not null as has_channel

    from platforms_read
    full outer join ad_platform_channels
        on platforms_read.platform = ad_platform_channels.platform

)

select *
from compared
where not is_read or not has_channel
