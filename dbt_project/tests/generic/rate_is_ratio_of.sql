{#-
    definitions §5 Metrics (a ratio whose denominator is zero is null): a row-level rate is its counts' ratio, numerator / denominator,
    so it lies between 0 and 1 when the numerator counts a subset of the denominator,
    and it is null (never 0) when the denominator is 0 or unknown. Equal means equal up
    to float rounding (`tolerance`). Returns each row that breaks it, with the ratio it
    should have been. Example:
        - name: ctr
          data_tests:
            - rate_is_ratio_of:
                arguments:
                  numerator: clicks
                  denominator: impressions
-#}
{% test rate_is_ratio_of(model, column_name, numerator, denominator, tolerance=1e-9) %}

with

rates as (

    select
        {{ column_name }} as stored_rate,
        {{ numerator }} as numerator_count,
        {{ denominator }} as denominator_count,
        cast({{ numerator }} as double)
        / nullif(cast({{ denominator }} as double), 0) as rate_from_counts
    from {{ model }}

)

select *
from rates
where
    (rate_from_counts is null and stored_rate is not null)
    or (rate_from_counts is not null and stored_rate is null)
    or stored_rate < 0
    or stored_rate > 1
    or abs(stored_rate - rate_from_counts) > {{ tolerance }}

{% endtest %}
