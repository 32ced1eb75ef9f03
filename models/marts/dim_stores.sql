-- grain: one row per store with at least one clean order line
--
-- Lifetime figures per store, ranked by net revenue (ties broken by store_id). The sums and
-- counts come from int_lifetime_sales_aggregated (on a daily load only the day's lines are
-- added to them); the average discount rate and the rank are derived here.

with

lifetime as (

    select * from {{ ref('int_lifetime_sales_aggregated') }}
    where member_type = 'store_id'

),

final as (

    select
        member_id as store_id,
        orders,
        customers,
        quantity,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(gross_margin as decimal(18, 2)) as gross_margin,
        cast(discount_rate_sum as double) / nullif(discount_rates, 0) as average_discount_rate,
        cast(row_number() over (order by net_revenue desc, member_id asc) as bigint) as net_revenue_rank,
        first_order_date,
        last_order_date
    from lifetime

)

select * from final
