{#-
    ln |Gamma(x)| (of the absolute value, also for negative x), for the lifetime-value series
    (int_customers_clv_scored). DuckDB and most warehouses name it lgamma; an engine without it
    gets its own dispatched version.
-#}
{% macro log_gamma(expr) -%}
    {{ return(adapter.dispatch('log_gamma')(expr)) }}
{%- endmacro %}

{% macro default__log_gamma(expr) -%}
    lgamma({{ expr }})
{%- endmacro %}

{#-
    How many of the factors x, x + 1, ..., x + k - 1 of the rising factorial (x)_k are negative:
    the sign of (x)_k is minus when that count is odd. 0 for x >= 0.
-#}
{% macro negative_factors(x, k) -%}
    (case when {{ x }} < 0 then least({{ k }}, cast(ceil(-({{ x }})) as integer)) else 0 end)
{%- endmacro %}
