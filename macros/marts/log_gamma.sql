{#-
    ln |Gamma(x)|, for the lifetime-value series (int_customers_clv_scored). DuckDB and most
    warehouses name it lgamma; an engine without it gets its own dispatched version.
-#}
{% macro log_gamma(expr) -%}
    {{ return(adapter.dispatch('log_gamma')(expr)) }}
{%- endmacro %}

{% macro default__log_gamma(expr) -%}
    lgamma({{ expr }})
{%- endmacro %}
