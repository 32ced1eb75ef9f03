{#-
    The value of `value` on the row with the smallest `ordered_by` (an aggregate), e.g. the net
    revenue of a customer's first purchase day. DuckDB, Spark and Snowflake name it min_by; an
    engine without it gets its own dispatched version.
-#}
{% macro min_by(value, ordered_by) -%}
    {{ return(adapter.dispatch('min_by')(value, ordered_by)) }}
{%- endmacro %}

{% macro default__min_by(value, ordered_by) -%}
    min_by({{ value }}, {{ ordered_by }})
{%- endmacro %}
