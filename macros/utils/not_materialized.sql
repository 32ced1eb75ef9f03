{#-
    `with orders as {{ not_materialized() }} (...)`: read this CTE where it is used instead of
    holding a copy. DuckDB (since 1.3) materializes every CTE referenced more than once; for a
    CTE that only selects a big table that is a full copy of it (at 100M lines, a 100M-row copy
    spilled to disk). Other warehouses inline CTEs already and may not know the keyword: empty.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
