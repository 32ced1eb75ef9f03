{#-
    `with orders as {{ not_materialized() }} (...)`: read this CTE where it is used instead of
    holding a copy. DuckDB 2.0 materializes a CTE referenced more than once; for a CTE that only
    selects a big table that is a full copy of it (at 100M lines, a copy that spills to disk). Other engines may not know the keyword: there it renders nothing.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}


{#-
    The opposite: a CTE computed once and read from its result, for a small CTE whose expensive
    expressions DuckDB would otherwise copy into every expression that reads them.
-#}
{% macro materialized() -%}
    {{ return(adapter.dispatch('materialized')()) }}
{%- endmacro %}

{% macro default__materialized() -%}
{%- endmacro %}

{% macro duckdb__materialized() -%}
    materialized
{%- endmacro %}
