{#-
    The mean of an exact column (integer or decimal) as DOUBLE, summed exactly before dividing.
    avg() over doubles depends on the order a parallel aggregation adds them in, so two builds
    of the same input could differ in the last bit; this does not.
-#}
{% macro exact_average(expr) -%}
    cast(sum({{ expr }}) as double) / nullif(count({{ expr }}), 0)
{%- endmacro %}


{#-
    An amount in cents (DECIMAL, 2 places) divided by a whole number, rounded half away from
    zero to the cent, as DECIMAL(18, 2); NULL when the count is 0 or NULL. Computed in whole
    cents: dividing a DECIMAL by an integer is DOUBLE on DuckDB and exact on Spark, so a
    quotient ending in half a cent would round one way on one engine and the other on the
    other.
-#}
{% macro amount_per(amount, count) -%}
    cast(
        cast(
            case when {{ amount }} < 0 then -1 else 1 end
            * {{ integer_divide(
                '(abs(cast((' ~ amount ~ ') * 100 as bigint)) * 2 + nullif(' ~ count ~ ', 0))',
                '(2 * nullif(' ~ count ~ ', 0))'
            ) }}
            as decimal(18, 0)
        ) * 0.01 as decimal(18, 2)
    )
{%- endmacro %}
