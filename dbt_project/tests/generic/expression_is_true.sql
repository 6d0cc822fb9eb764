{#-
    Every row satisfies `expression` (a boolean SQL expression over the model's
    columns). A row where it is false or null fails. Example:
        data_tests:
          - expression_is_true:
              arguments:
                expression: "is_closed or not is_won"
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
