-- grain: one row per month with at least one clean order line
--
-- A customer is new in the month of their first purchase order and returning in every later
-- month they buy in. The figures come from int_monthly_orders_aggregated (on a daily load
-- computed again only for the months it changes).

with

monthly_orders as (

    select * from {{ ref('int_monthly_orders_aggregated') }}

),

final as (

    select
        month_start_date,
        orders,
        order_lines,
        quantity,
        net_revenue,
        active_customers,
        average_order_value,
        new_customers,
        returning_customers,
        new_customer_net_revenue,
        returning_customer_net_revenue
    from monthly_orders

)

select * from final
