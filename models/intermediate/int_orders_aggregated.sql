-- grain: one row per order and customer
--
-- Order lines rolled up to orders: the unit frequency counts. A cancellation invoice
-- (online_retail) is its own order with negative revenue; it nets against monetary value but is
-- not a purchase. A table: dim_customers, fct_customer_rfm and fct_monthly_sales all read it, and
-- as a view each of them would re-aggregate every order line.
{{ config(materialized='table') }}

with

order_lines as (

    select * from {{ ref('stg_sales__order_lines') }}

),

final as (

    select
        order_id,
        customer_id,
        min(sales_channel) as sales_channel,
        cast(count(*) as bigint) as order_lines,
        cast(sum(quantity) as bigint) as quantity,
        cast(sum(gross_revenue) as decimal(18, 2)) as gross_revenue,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue,
        bool_and(is_cancellation) as is_cancellation,
        min(order_date) as order_date
    from order_lines
    group by order_id, customer_id

)

select * from final
