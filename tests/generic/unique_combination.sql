{#- No two rows share the same values of these columns (a compound primary key). -#}
{% test unique_combination(model, combination) %}

select {{ combination | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1

{% endtest %}
