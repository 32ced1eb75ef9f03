-- grain: one row per month with at least one clean order line
--
-- A customer is new in the month of their first purchase order and returning in every later
-- month they buy in.

with

orders as {{ not_materialized() }} (

    select * from {{ ref('int_orders_aggregated') }}

),

first_purchases as (

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'min(order_date)') }} as date) as first_purchase_month
    from orders
    where not is_cancellation
    group by customer_id

),

orders_by_month as (

    select
        orders.*,
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as month_start_date,
        coalesce(
            cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) = first_purchases.first_purchase_month,
            false
        ) as is_new_customer
    from orders
    left join first_purchases on orders.customer_id = first_purchases.customer_id

),

final as (

    select
        month_start_date,
        cast(count(case when not is_cancellation then order_id end) as bigint) as orders,
        cast(sum(order_lines) as bigint) as order_lines,
        cast(sum(quantity) as bigint) as quantity,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue,
        cast(count(distinct customer_id) as bigint) as active_customers,
        {{ amount_per('sum(net_revenue)', 'count(case when not is_cancellation then order_id end)') }}
            as average_order_value,
        cast(count(distinct case when is_new_customer then customer_id end) as bigint) as new_customers,
        cast(count(distinct case when not is_new_customer then customer_id end) as bigint) as returning_customers,
        cast(coalesce(sum(case when is_new_customer then net_revenue end), 0) as decimal(18, 2))
            as new_customer_net_revenue,
        cast(coalesce(sum(case when not is_new_customer then net_revenue end), 0) as decimal(18, 2))
            as returning_customer_net_revenue
    from orders_by_month
    group by month_start_date

)

select * from final
