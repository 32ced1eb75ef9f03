-- grain: one row per cohort month and month since the first order
--
-- Do new customers stay? A cohort is the customers whose first purchase order fell in one
-- calendar month (cohort_month). For each later calendar month up to the RFM as-of date's
-- (months_since_first_order 0 is the cohort month itself): how many of the cohort bought at
-- least one purchase order that month (cancellations are not purchases), their share of the
-- cohort, the cohort's net revenue that month (cancellations netted) and its cumulative net
-- revenue per cohort customer. Months without a buyer are rows with 0, not gaps.

with

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

as_of as (

    select {{ rfm_as_of_date(ref('int_orders_aggregated')) }} as rfm_as_of_date

),

orders_as_of as (

    select orders.*
    from orders
    cross join as_of
    where orders.order_date <= as_of.rfm_as_of_date

),

cohorts as (

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'min(order_date)') }} as date) as cohort_month
    from orders_as_of
    where not is_cancellation
    group by customer_id

),

customer_months as (

    select
        orders_as_of.customer_id,
        cast({{ dbt.date_trunc('month', 'orders_as_of.order_date') }} as date) as activity_month,
        max(case when orders_as_of.is_cancellation then 0 else 1 end) as has_purchase,
        sum(orders_as_of.net_revenue) as net_revenue
    from orders_as_of
    group by orders_as_of.customer_id, cast({{ dbt.date_trunc('month', 'orders_as_of.order_date') }} as date)

),

cohort_activity as (

    select
        cohorts.cohort_month,
        customer_months.activity_month,
        sum(customer_months.has_purchase) as active_customers,
        sum(customer_months.net_revenue) as net_revenue
    from customer_months
    inner join cohorts on customer_months.customer_id = cohorts.customer_id
    where customer_months.activity_month >= cohorts.cohort_month
    group by cohorts.cohort_month, customer_months.activity_month

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_customers
    from cohorts
    group by cohort_month

),

month_numbers as (

    {{ dbt.generate_series(1200) }}

),

cohort_spans as (

    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        {{ dbt.datediff('cohort_sizes.cohort_month', 'as_of.rfm_as_of_date', 'month') }} as months_to_as_of  -- noqa: LT05
    from cohort_sizes
    cross join as_of

),

-- every month from each cohort's month to the as-of date's
cohort_grid as (

    select
        cohort_spans.cohort_month,
        cohort_spans.cohort_customers,
        month_numbers.generated_number - 1 as months_since_first_order,
        cast({{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'cohort_spans.cohort_month') }} as date)
            as activity_month
    from cohort_spans
    inner join month_numbers on cohort_spans.months_to_as_of >= month_numbers.generated_number - 1

),

final as (

    select
        cohort_grid.cohort_month,
        cast(cohort_grid.months_since_first_order as integer) as months_since_first_order,
        cohort_grid.activity_month,
        cast(cohort_grid.cohort_customers as bigint) as cohort_customers,
        cast(coalesce(cohort_activity.active_customers, 0) as bigint) as active_customers,
        coalesce(cohort_activity.active_customers, 0) / cast(cohort_grid.cohort_customers as double) as retention_rate,
        cast(coalesce(cohort_activity.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        {{ amount_per(
            'sum(coalesce(cohort_activity.net_revenue, 0)) over ('
            ~ 'partition by cohort_grid.cohort_month order by cohort_grid.months_since_first_order'
            ~ ' rows between unbounded preceding and current row)',
            'cohort_grid.cohort_customers'
        ) }} as cumulative_net_revenue_per_customer
    from cohort_grid
    left join cohort_activity
        on cohort_grid.cohort_month = cohort_activity.cohort_month
        and cohort_grid.activity_month = cohort_activity.activity_month

)

select * from final
