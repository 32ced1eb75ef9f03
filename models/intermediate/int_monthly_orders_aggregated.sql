-- grain: one row per month with at least one clean order
--
-- fct_monthly_sales' figures: each month's orders summed and their customers counted, new and
-- returning. A customer is new in the month of their first purchase order and returning in
-- every later month they buy in.
--
-- On DuckDB an incremental table, by month. A month's row depends on its orders and on which of
-- its customers bought for the first time in it, and its orders_fingerprint hashes both: the
-- count and the sum of the order_hash of the month's orders, and the count and the sum of a
-- hash of the customer_id of the customers whose first purchase month it is. A build computes
-- again only the months whose fingerprint is new and replaces them by month_start_date: a daily
-- load the month of its days, and an order dated before a customer's first purchase also the
-- month that was their first. A month with no order left comes out as one row without a
-- fingerprint, so the replace deletes its row, and the post-hook drops that row. Rows depend
-- only on the orders and on this code: after changing the code, build with --full-refresh.
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key='month_start_date',
    post_hook=[
        "{% if is_incremental() %}delete from {{ this }} where orders_fingerprint is null{% endif %}",
    ],
) }}

with

-- read where used: the first purchases and the fingerprints read every order, the figures
-- those of the months they redo
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

order_months as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        count(*) as orders,
        sum(order_hash) as order_hashes
    from orders
    group by cast({{ dbt.date_trunc('month', 'order_date') }} as date)

),

first_purchase_months as (

    select
        first_purchase_month as month_start_date,
        count(*) as customers,
        sum({{ text_hash('customer_id') }}) as customer_hashes
    from first_purchases
    group by first_purchase_month

),

month_fingerprints as (

    select
        order_months.month_start_date,
        {{ text_hash(
            'order_months.orders, order_months.order_hashes, coalesce(first_purchase_months.customers, 0),'
            ~ ' coalesce(first_purchase_months.customer_hashes, 0)'
        ) }} as orders_fingerprint
    from order_months
    left join first_purchase_months on order_months.month_start_date = first_purchase_months.month_start_date

),

-- the months this build computes: every one, or in an incremental build those whose orders or
-- new customers this table has not counted
months_to_aggregate as (

    select * from month_fingerprints
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as aggregated
        where aggregated.month_start_date = month_fingerprints.month_start_date
            and aggregated.orders_fingerprint = month_fingerprints.orders_fingerprint
    )
    {%- endif %}

),

-- the months this table holds that have no order left (their files were removed): none in a
-- full build
months_gone as (

    {% if is_incremental() %}
        select aggregated.month_start_date
        from {{ this }} as aggregated
        where not exists (
            select 1
            from month_fingerprints
            where month_fingerprints.month_start_date = aggregated.month_start_date
        )
    {% else %}
        select cast(null as date) as month_start_date
        where false
    {% endif %}

),

orders_by_month as (

    select
        months_to_aggregate.month_start_date,
        months_to_aggregate.orders_fingerprint,
        orders.order_id,
        orders.customer_id,
        orders.order_lines,
        orders.quantity,
        orders.net_revenue,
        orders.is_cancellation,
        coalesce(months_to_aggregate.month_start_date = first_purchases.first_purchase_month, false) as is_new_customer
    from orders
    inner join months_to_aggregate
        on cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) = months_to_aggregate.month_start_date
    left join first_purchases on orders.customer_id = first_purchases.customer_id
    {%- if is_incremental() %}
    -- the same orders: a bound on the column itself lets the scan skip the row groups before
    -- the first month to compute (a full build computes every month, and the bound would only
    -- cost)
    where orders.order_date >= (select min(month_start_date) from months_to_aggregate)
    {%- endif %}

),

aggregated as (

    select
        month_start_date,
        orders_fingerprint,
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
    group by month_start_date, orders_fingerprint

),

final as (

    select
        coalesce(aggregated.month_start_date, months_gone.month_start_date) as month_start_date,
        aggregated.orders,
        aggregated.order_lines,
        aggregated.quantity,
        aggregated.net_revenue,
        aggregated.active_customers,
        aggregated.average_order_value,
        aggregated.new_customers,
        aggregated.returning_customers,
        aggregated.new_customer_net_revenue,
        aggregated.returning_customer_net_revenue,
        aggregated.orders_fingerprint
    from aggregated
    -- a month gone comes out as one row without a fingerprint: replacing the month deletes its
    -- row
    full join months_gone on aggregated.month_start_date = months_gone.month_start_date

)

select * from final
