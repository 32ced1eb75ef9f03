{#-
    Schemas by name, not prefixed with the target's: staging models land in `staging`, marts in
    the target schema (`main` on DuckDB), so BI tools see `main.fct_sales`, not `main_marts.fct_sales`.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
