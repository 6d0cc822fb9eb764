{#-
    definitions §5 Sales, "open pipeline by stage as of a date", taken at every month
    end of the sales calendar (int_sales_months, the months of mart_sales_monthly). One
    row per month-end date, stage and opportunity owner with at least one open
    opportunity; a stage and owner with nothing open that day has no row. Which
    opportunity is open at a month end, in which stage and for how much, is decided
    once, in int_opportunity_month_end_states; mart_sales_monthly's open pipeline adds
    up the same rows.
-#}

with

month_end_states as (

    select * from {{ ref('int_opportunity_month_end_states') }}

),

aggregated as (

    select
        as_of_date,
        stage_name,
        owner_id,
        count(*) as open_opportunities,
        sum(amount_in_reporting_currency) as open_pipeline,
        -- in decimals throughout (times 0.01, not divided by 100, which DuckDB does in
        -- doubles): a sum of doubles depends on the order the threads add them in and
        -- can round to another last digit from one build to the next. Widened first:
        -- DuckDB keeps a product of decimal(18, 6) and decimal(5, 2) at precision 18,
        -- which an amount of 10^8 times a probability of 100 would overflow
        sum(
            case
                when probability is null then amount_in_reporting_currency
                else
                    cast(amount_in_reporting_currency as decimal(38, 6))
                    * probability * 0.01
            end
        ) as weighted_pipeline
    from month_end_states
    group by as_of_date, stage_name, owner_id

),

final as (

    select
        -- ids
        {{ surrogate_key([
            'aggregated.as_of_date', 'aggregated.stage_name', 'aggregated.owner_id',
        ]) }} as pipeline_stage_owner_id,
        aggregated.owner_id,
        -- strings
        aggregated.stage_name,
        -- dates
        aggregated.as_of_date,
        -- numbers
        aggregated.open_opportunities,
        cast(aggregated.open_pipeline as decimal(18, 6)) as open_pipeline,
        cast(aggregated.weighted_pipeline as decimal(18, 6)) as weighted_pipeline
    from aggregated

)

select * from final
