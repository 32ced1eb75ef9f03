{#-
    The mean of an exact column (integer or decimal) as DOUBLE, summed exactly before dividing.
    avg() over doubles depends on the order a parallel aggregation adds them in, so two builds
    of the same input could differ in the last bit; this does not.
-#}
{% macro exact_average(expr) -%}
    cast(sum({{ expr }}) as double) / nullif(count({{ expr }}), 0)
{%- endmacro %}
