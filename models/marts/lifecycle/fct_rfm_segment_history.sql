-- grain: one row per snapshot date and customer with a purchase order on or before it
--
-- Each customer's RFM metrics, scores and segment as they stood at each snapshot: the RFM
-- as-of date and the same day of each of the rfm_history_months - 1 months before it (a day
-- the month lacks becomes its last). With the default as-of date, the day after the latest
-- order, these are first days of months: the RFM as it stood when each month had closed, on
-- the same convention as the as-of date. The latest snapshot is the as-of date itself, so it
-- equals fct_customer_rfm (a test checks it). Scored as
-- fct_customer_rfm is (macros/marts/rfm.sql), each snapshot ranked on its own: a customer's
-- score says where they stood among the customers of that day.

with

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

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
        {{ dbt.datediff('orders.order_date', 'as_of.rfm_as_of_date', 'month') }} as months_to_as_of
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
        min(case when not is_cancellation then order_date end) as first_order_date,
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
        min(customer_snapshot_orders.first_order_date) over running as first_order_date,
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
        cast(monetary as decimal(18, 2)) as monetary,
        first_order_date,
        last_order_date
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
        scored.snapshot_date,
        scored.customer_id,
        cast(scored.r_score as {{ dbt.type_string() }})
        || cast(scored.f_score as {{ dbt.type_string() }})
        || cast(scored.m_score as {{ dbt.type_string() }}) as rfm_cell,
        segment_map.rfm_segment,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        scored.first_order_date,
        scored.last_order_date
    from scored
    inner join segment_map
        on scored.r_score = segment_map.r_score
        and scored.f_score = segment_map.f_score

)

select * from final
