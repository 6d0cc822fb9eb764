{#-
    definitions intro and §5 Currency: for every calendar day and currency, the last ECB
    rate published on or before that day (weekends and TARGET holidays carry the last
    business day's rate), EUR = 1 on every day, and the reporting currency's rate of the
    same day beside it. Choices (span of days, carry-forward) are in the model docs.
-#}

with

ecb_rates as (

    select * from {{ ref('stg_fx__ecb_rates') }}

),

{% for platform in ad_platforms() %}
{{ platform }}_performance as (

    select * from {{ ref('stg_' ~ platform ~ '__ad_performance') }}

),

{% endfor %}
salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

-- from the first published rate to the last day any money needs one: the last rate,
-- the last ad statistics day of every platform (the var ad_platforms), the last close
-- date of a closed opportunity
date_bounds as (

    select
        min(first_date) as first_date,
        max(last_date) as last_date

    from (
        select
            min(rate_date) as first_date,
            max(rate_date) as last_date
        from ecb_rates

        union all

        {% for platform in ad_platforms() %}
        select
            cast(null as date) as first_date,
            max(report_date) as last_date
        from {{ platform }}_performance

        union all

        {% endfor %}
        select
            cast(null as date) as first_date,
            max(close_date) as last_date
        from salesforce_opportunities
        where is_closed
    ) as money_dates

),

calendar as (

    {{ day_series('date_bounds', 'first_date', 'last_date', 'calendar_date') }}

),

-- each published rate holds until the currency's next published rate
rate_validity as (

    select
        currency_code,
        units_per_eur,
        rate_date,
        lead(rate_date) over (
            partition by currency_code
            order by rate_date
        ) as next_rate_date

    from ecb_rates

),

quoted_days as (

    select
        calendar.calendar_date,
        rate_validity.currency_code,
        rate_validity.units_per_eur,
        rate_validity.rate_date as published_rate_date

    from calendar
    inner join rate_validity
        on
            calendar.calendar_date >= rate_validity.rate_date
            and calendar.calendar_date
            < coalesce(rate_validity.next_rate_date, cast('9999-12-31' as date))

),

-- the ECB does not list the euro itself: 1 on every day
euro_days as (

    select
        calendar_date,
        'EUR' as currency_code,
        cast(1 as decimal(18, 6)) as units_per_eur,
        calendar_date as published_rate_date

    from calendar

),

currency_days as (

    select * from quoted_days
    union all
    select * from euro_days

),

reporting_currency_days as (

    select
        calendar_date,
        units_per_eur as reporting_units_per_eur

    from currency_days
    where currency_code = '{{ var("reporting_currency") }}'

),

final as (

    select
        -- ids
        {{ surrogate_key(['currency_days.currency_code', 'currency_days.calendar_date']) }}
            as fx_rate_daily_id,

        -- strings
        currency_days.currency_code,
        '{{ var("reporting_currency") }}' as reporting_currency_code,

        -- numbers
        currency_days.units_per_eur,
        reporting_currency_days.reporting_units_per_eur,

        -- booleans
        currency_days.published_rate_date < currency_days.calendar_date as is_carried_forward,

        -- dates
        currency_days.calendar_date,
        currency_days.published_rate_date

    from currency_days
    left join reporting_currency_days
        on currency_days.calendar_date = reporting_currency_days.calendar_date

)

select * from final
