{#-
    The model's key is these columns together: no two rows share their values. Named and
    called as dbt_utils' test is, so tools that look for a model's primary-key test (dbt-score,
    dbt-project-evaluator) find it.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
