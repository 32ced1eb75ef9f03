-- grain: one row per month and channel with at least one clean order line

with

sales as (

    select * from {{ ref('fct_sales') }}
    where sales_channel is not null

),

by_month_and_channel as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        sales_channel,
        count(distinct order_id) as orders,
        count(distinct customer_id) as customers,
        count(*) as order_lines,
        sum(quantity) as quantity,
        sum(gross_revenue) as gross_revenue,
        sum(discount_amount) as discount_amount,
        sum(net_revenue) as net_revenue,
        sum(cost_amount) as cost_amount,
        sum(gross_margin) as gross_margin,
        {{ exact_average('discount_rate') }} as average_discount_rate
    from sales
    group by
        cast({{ dbt.date_trunc('month', 'order_date') }} as date),
        sales_channel

),

final as (

    select
        month_start_date,
        sales_channel,
        cast(orders as bigint) as orders,
        cast(customers as bigint) as customers,
        cast(order_lines as bigint) as order_lines,
        cast(quantity as bigint) as quantity,
        cast(gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(discount_amount as decimal(18, 2)) as discount_amount,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(cost_amount as decimal(18, 2)) as cost_amount,
        cast(gross_margin as decimal(18, 2)) as gross_margin,
        cast(average_discount_rate as double) as average_discount_rate,
        cast(gross_margin as double) / nullif(cast(net_revenue as double), 0) as gross_margin_rate,
        cast(net_revenue as double)
        / nullif(cast(sum(net_revenue) over (partition by month_start_date) as double), 0)
            as share_of_month_net_revenue
    from by_month_and_channel

)

select * from final
