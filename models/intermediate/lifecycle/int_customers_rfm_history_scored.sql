-- grain: one row per snapshot date and customer with a purchase order on or before it
--
-- Each customer's RFM metrics and scores as they stood at each snapshot: the RFM as-of date and
-- the same day of each of the rfm_history_months - 1 months before it (a day the month lacks
-- becomes its last). With the default as-of date, the day after the latest order, these are
-- first days of months: the RFM as it stood when each month had closed, on the same convention
-- as the as-of date. Scored as int_customers_rfm_scored is (macros/marts/rfm.sql), each snapshot
-- ranked on its own: a score says where the customer stood among that day's customers.
-- fct_rfm_segment_history adds the segment names; the experiment readout reads each
-- customer's segment at assignment from here.
{{ config(materialized='table') }}

with

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

as_of as (

    select {{ rfm_as_of_date(ref('int_orders_aggregated')) }} as rfm_as_of_date

),

months_back as (

    {{ dbt.generate_series(var('rfm_history_months')) }}

),

-- the as-of date (0 months back) and the same day of each earlier month
snapshots as (

    select
        months_back.generated_number - 1 as months_back,
        cast({{ dbt.dateadd('month', '1 - months_back.generated_number', 'as_of.rfm_as_of_date') }} as date)
            as snapshot_date
    from as_of
    cross join months_back

),

-- each order's snapshot: the first on or after its day. The snapshot m months back lies in the
-- order's calendar month when m = the months from the order's month to the as-of date's; the
-- order belongs to it when it is on or before that day, else to the one a month later. Orders
-- older than the earliest snapshot count in it.
orders_placed as (

    select
        orders.*,
        as_of.rfm_as_of_date,
        {{ dbt.datediff('orders.order_date', 'as_of.rfm_as_of_date', 'month') }} as months_to_as_of  -- noqa: LT05
    from orders
    cross join as_of
    where orders.order_date <= as_of.rfm_as_of_date

),

orders_by_snapshot as (

    select
        customer_id,
        order_id,
        is_cancellation,
        net_revenue,
        order_date,
        least(
            {{ var('rfm_history_months') - 1 }},
            case
                when order_date <= cast({{ dbt.dateadd('month', '-months_to_as_of', 'rfm_as_of_date') }} as date)
                    then months_to_as_of
                else months_to_as_of - 1
            end
        ) as months_back
    from orders_placed

),

-- one row per customer and snapshot they have orders in
customer_snapshot_orders as (

    select
        customer_id,
        months_back,
        count(case when not is_cancellation then order_id end) as purchase_orders,
        sum(net_revenue) as net_revenue,
        max(case when not is_cancellation then order_date end) as last_order_date
    from orders_by_snapshot
    group by customer_id, months_back

),

customer_spans as (

    select
        customer_id,
        max(months_back) as earliest_months_back
    from customer_snapshot_orders
    group by customer_id

),

-- every snapshot from a customer's first order on, the running totals up to each
customer_metrics as (

    select
        snapshots.snapshot_date,
        customer_spans.customer_id,
        sum(customer_snapshot_orders.purchase_orders) over running as frequency,
        sum(customer_snapshot_orders.net_revenue) over running as monetary,
        max(customer_snapshot_orders.last_order_date) over running as last_order_date
    from customer_spans
    inner join snapshots on customer_spans.earliest_months_back >= snapshots.months_back
    left join customer_snapshot_orders
        on customer_spans.customer_id = customer_snapshot_orders.customer_id
        and snapshots.months_back = customer_snapshot_orders.months_back
    window running as (
        partition by customer_spans.customer_id
        order by snapshots.months_back desc
        rows between unbounded preceding and current row
    )

),

measured as (

    select
        snapshot_date,
        customer_id,
        {{ days_between('last_order_date', 'snapshot_date') }} as recency_days,
        cast(frequency as bigint) as frequency,
        cast(monetary as decimal(18, 2)) as monetary
    from customer_metrics
    where frequency > 0

),

scored as (

    select
        *,
        {{ rfm_score('recency_days', better='lower', partition_by='snapshot_date') }} as r_score,
        {{ rfm_score('frequency', better='higher', partition_by='snapshot_date') }} as f_score,
        {{ rfm_score('monetary', better='higher', partition_by='snapshot_date') }} as m_score
    from measured

),

final as (

    select
        snapshot_date,
        customer_id,
        recency_days,
        frequency,
        monetary,
        r_score,
        f_score,
        m_score
    from scored

)

select * from final
