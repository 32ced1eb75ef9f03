{#-
    Whole days from start_date to end_date (negative when end_date is earlier), as an integer.
    dbt.datediff everywhere but DuckDB, where date_diff on the dates themselves says the same in
    one short line of compiled SQL.
-#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    cast({{ dbt.datediff(start_date, end_date, 'day') }} as integer)
{%- endmacro %}

{% macro duckdb__days_between(start_date, end_date) -%}
    cast(date_diff('day', {{ start_date }}, {{ end_date }}) as integer)
{%- endmacro %}
