{#-
    One row per member of a dimension (store, product) from fct_sales, with lifetime figures:
    orders, customers, quantity, net revenue, margin, average discount, rank by net revenue
    (ties broken by the member id), first and last order. `extra_columns` are carried through
    with max() (e.g. a product's description).
-#}
{% macro member_lifetime(sales_relation, member_column, extra_columns=[]) %}

with

sales as (

    select * from {{ sales_relation }}
    where {{ member_column }} is not null

),

lifetime as (

    select
        {{ member_column }},
        {%- for column in extra_columns %}
        max({{ column }}) as {{ column }},
        {%- endfor %}
        count(distinct order_id) as orders,
        count(distinct customer_id) as customers,
        sum(quantity) as quantity,
        sum(net_revenue) as net_revenue,
        sum(gross_margin) as gross_margin,
        {{ exact_average("discount_rate") }} as average_discount_rate,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from sales
    group by {{ member_column }}

),

final as (

    select
        {{ member_column }},
        {%- for column in extra_columns %}
        {{ column }},
        {%- endfor %}
        cast(orders as bigint) as orders,
        cast(customers as bigint) as customers,
        cast(quantity as bigint) as quantity,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(gross_margin as decimal(18, 2)) as gross_margin,
        cast(average_discount_rate as double) as average_discount_rate,
        cast(row_number() over (order by net_revenue desc, {{ member_column }}) as bigint) as net_revenue_rank,
        first_order_date,
        last_order_date
    from lifetime

)

select * from final

{% endmacro %}
