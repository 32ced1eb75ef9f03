-- grain: one row per customer with at least one clean order line

with

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

customers_file as (

    select * from {{ ref('stg_sales__customers') }}

),

lifetime as (

    select
        customer_id,
        min(case when not is_cancellation then order_date end) as first_order_date,
        max(case when not is_cancellation then order_date end) as last_order_date,
        count(case when not is_cancellation then order_id end) as orders,
        count(case when is_cancellation then order_id end) as cancellations,
        sum(quantity) as quantity,
        sum(net_revenue) as net_revenue
    from orders
    group by customer_id

),

final as (

    select
        lifetime.customer_id,
        customers_file.gender,
        customers_file.country,
        customers_file.age,
        customers_file.income,
        cast(lifetime.orders as bigint) as orders,
        cast(lifetime.cancellations as bigint) as cancellations,
        cast(lifetime.quantity as bigint) as quantity,
        cast(lifetime.net_revenue as decimal(18, 2)) as net_revenue,
        {{ amount_per('lifetime.net_revenue', 'lifetime.orders') }} as average_order_value,
        cast(row_number() over (order by lifetime.net_revenue desc, lifetime.customer_id asc) as bigint)
            as net_revenue_rank,
        lifetime.first_order_date,
        lifetime.last_order_date
    from lifetime
    left join customers_file on lifetime.customer_id = customers_file.customer_id

)

select * from final
