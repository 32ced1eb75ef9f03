-- grain: one row per customer and day with at least one purchase order
--
-- The transactions the lifetime-value models count: every purchase order of a customer on one
-- day is one transaction (Fader, Hardie & Lee count days, not orders), cancellations excluded.
-- All days, also those after the RFM as-of date: each reader cuts at its own date. A view: its
-- one reader, int_customer_purchase_summaries, aggregates it on the fly.

with

orders as (

    select * from {{ ref('int_orders_aggregated') }}
    where not is_cancellation

),

final as (

    select
        customer_id,
        order_date as purchase_date,
        cast(count(*) as bigint) as purchase_orders,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue
    from orders
    group by customer_id, order_date

)

select * from final
