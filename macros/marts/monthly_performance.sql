{#-
    One row per month and member of a dimension (channel, store, product) from fct_sales:
    orders, customers, quantity, gross and net revenue, average discount, margin, and the
    member's share of the month's net revenue. Lines with no member (e.g. no store in the
    online_retail layout) are left out.
-#}
{% macro monthly_member_performance(sales_relation, member_column) %}

with

sales as (

    select * from {{ sales_relation }}
    where {{ member_column }} is not null

),

by_month_and_member as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        {{ member_column }},
        count(distinct order_id) as orders,
        count(distinct customer_id) as customers,
        count(*) as order_lines,
        sum(quantity) as quantity,
        sum(gross_revenue) as gross_revenue,
        sum(discount_amount) as discount_amount,
        sum(net_revenue) as net_revenue,
        sum(cost_amount) as cost_amount,
        sum(gross_margin) as gross_margin,
        {{ exact_average("discount_rate") }} as average_discount_rate
    from sales
    group by 1, 2

),

final as (

    select
        month_start_date,
        {{ member_column }},
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
    from by_month_and_member

)

select * from final

{% endmacro %}
