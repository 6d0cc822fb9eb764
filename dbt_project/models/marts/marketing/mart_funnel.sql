{#-
    definitions §3 Conversion rate and Stage velocity: one row per cohort month and
    stage. A stage's cohort is the month its previous stage was reached; the Visitor
    row, first of the chain, is its own cohort. Cohort months are reporting-time-zone
    months (to_reporting_date).
-#}

{%- set stages = ['visitor', 'lead', 'mql', 'sql', 'opportunity', 'customer'] %}

with

person_stages as (

    select * from {{ ref('int_person_stages') }}

),

stage_pairs as (

    {%- for stage in stages %}
    {%- set previous = stages[loop.index0 - 1] if not loop.first else none %}
    {%- set cohort_at = (previous if previous else stage) ~ '_at' %}

    select
        '{{ stage }}' as stage,
        {{ loop.index }} as stage_number,
        {% if previous -%}
        '{{ previous }}' as previous_stage,
        cast({{ dbt.date_trunc('month', to_reporting_date(cohort_at)) }} as date) as cohort_month,
        case when {{ stage }}_at is not null then 1 else 0 end as has_reached_stage,
        case when customer_at is not null then 1 else 0 end as has_reached_customer,
        -- divided by a double: 86400.0 would be a DECIMAL literal, and Spark's decimal
        -- division rounds
        {{ dbt.datediff(previous ~ '_at', stage ~ '_at', 'second') }}
        / cast(86400 as {{ ratio_type() }}) as days_from_previous
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as previous_stage,
        cast({{ dbt.date_trunc('month', to_reporting_date(cohort_at)) }} as date) as cohort_month,
        1 as has_reached_stage,
        case when customer_at is not null then 1 else 0 end as has_reached_customer,
        cast(null as {{ ratio_type() }}) as days_from_previous
        {%- endif %}
    from person_stages
    where {{ previous if previous else stage }}_at is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

cohorts as (

    select
        cohort_month,
        stage,
        stage_number,
        previous_stage,
        count(*) as previous_stage_persons,
        sum(has_reached_stage) as persons,
        sum(has_reached_customer) as cohort_customers,
        percentile_cont(0.5) within group (order by days_from_previous)
            as median_days_from_previous,
        avg(days_from_previous) as mean_days_from_previous
    from stage_pairs
    group by cohort_month, stage, stage_number, previous_stage

),

final as (

    select
        -- ids
        {{ surrogate_key(['cohort_month', 'stage']) }} as funnel_cohort_id,
        -- strings
        stage,
        previous_stage,
        -- numbers
        stage_number,
        -- counts are BIGINT: a sum of integers is HUGEINT in DuckDB, which BI drivers
        -- mishandle
        case
            when previous_stage is not null
                then cast(previous_stage_persons as {{ dbt.type_bigint() }})
        end as previous_stage_persons,
        cast(persons as {{ dbt.type_bigint() }}) as persons,
        case
            when previous_stage is not null
                then {{ safe_ratio('persons', 'previous_stage_persons') }}
        end as conversion_rate_from_previous,
        case
            when previous_stage is not null
                then cast(previous_stage_persons - persons as {{ dbt.type_bigint() }})
        end as drop_off,
        cast(cohort_customers as {{ dbt.type_bigint() }}) as cohort_customers,
        {{ safe_ratio('cohort_customers', 'previous_stage_persons') }} as conversion_to_customer,
        cast(median_days_from_previous as {{ ratio_type() }}) as median_days_from_previous,
        cast(mean_days_from_previous as {{ ratio_type() }}) as mean_days_from_previous,
        -- dates
        cohort_month
    from cohorts

)

select * from final
