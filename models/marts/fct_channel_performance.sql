-- grain: one row per month and channel with at least one clean order line
--
-- The month's sums per channel come from int_monthly_sales_aggregated (summed once for the
-- three monthly performance marts, and on a daily load only for the months it changes); the
-- averages, rates and the channel's share of the month are derived here.

with

monthly_sales as (

    select * from {{ ref('int_monthly_sales_aggregated') }}
    where member_type = 'sales_channel'

),

final as (

    select
        month_start_date,
        sales_channel,
        orders,
        customers,
        order_lines,
        quantity,
        gross_revenue,
        discount_amount,
        net_revenue,
        cost_amount,
        gross_margin,
        cast(discount_rate_sum as double) / nullif(discount_rates, 0) as average_discount_rate,
        cast(gross_margin as double) / nullif(cast(net_revenue as double), 0) as gross_margin_rate,
        cast(net_revenue as double)
        / nullif(cast(sum(net_revenue) over (partition by month_start_date) as double), 0)
            as share_of_month_net_revenue
    from monthly_sales

)

select * from final
