{#-
    No two rows share the same values of `combination_of_columns` (a list of column
    names): the model's grain. Fails with one row per repeated combination.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- set columns_csv = combination_of_columns | join(', ') %}

select
    {{ columns_csv }},
    count(*) as row_count
from {{ model }}
group by {{ columns_csv }}
having count(*) > 1

{% endtest %}
