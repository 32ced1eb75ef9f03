{#-
    Whether `relation` (an existing table or view) has a column `name`: an incremental model
    asks before reading a column of its own table that tables built by older code lack.
-#}
{% macro relation_has_column(relation, name) -%}
    {{ return(name in adapter.get_columns_in_relation(relation) | map(attribute='name') | list) }}
{%- endmacro %}
