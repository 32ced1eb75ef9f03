-- grain: one row per customer and day with at least one purchase order
--
-- The transactions the lifetime-value models count: every purchase order of a customer on one
-- day is one transaction (Fader, Hardie & Lee count days, not orders), cancellations excluded.
-- All days, also those after the RFM as-of date: each reader cuts at its own date.
-- first_purchase_date is the customer's first purchase day, on every row: the repeat days
-- (after it) are what Gamma-Gamma averages.
{{ config(materialized='table') }}

with

orders as (

    select * from {{ ref('int_orders_aggregated') }}
    where not is_cancellation

),

days as (

    select
        customer_id,
        order_date as purchase_date,
        cast(count(*) as bigint) as purchase_orders,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue
    from orders
    group by customer_id, order_date

),

final as (

    select
        *,
        min(purchase_date) over (partition by customer_id) as first_purchase_date
    from days

)

select * from final
