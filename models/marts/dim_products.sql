-- grain: one row per product with at least one clean order line
--
-- Lifetime figures per product, ranked by net revenue (ties broken by product_id).

with

sales as (

    select * from {{ ref('fct_sales') }}
    where product_id is not null

),

lifetime as (

    select
        product_id,
        max(product_description) as product_description,
        count(distinct order_id) as orders,
        count(distinct customer_id) as customers,
        sum(quantity) as quantity,
        sum(net_revenue) as net_revenue,
        sum(gross_margin) as gross_margin,
        {{ exact_average('discount_rate') }} as average_discount_rate,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from sales
    group by product_id

),

final as (

    select
        product_id,
        product_description,
        cast(orders as bigint) as orders,
        cast(customers as bigint) as customers,
        cast(quantity as bigint) as quantity,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(gross_margin as decimal(18, 2)) as gross_margin,
        cast(average_discount_rate as double) as average_discount_rate,
        cast(row_number() over (order by net_revenue desc, product_id asc) as bigint) as net_revenue_rank,
        first_order_date,
        last_order_date
    from lifetime

)

select * from final
