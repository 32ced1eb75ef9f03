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
        cast({{ dbt.dateadd('month', '1 - months_back.generated_number', 'as_of.rfm_as_of_date') }} as date)
            as snapshot_date
    from as_of
    cross join months_back

),

snapshot_intervals as (

    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date
    from snapshots

),

-- orders to one row per customer and interval between snapshots first, so each snapshot sums
-- a dozen rows per customer rather than every order
customer_intervals as (

    select
        orders.customer_id,
        snapshot_intervals.snapshot_date as interval_end_date,
        count(case when not orders.is_cancellation then orders.order_id end) as purchase_orders,
        sum(orders.net_revenue) as net_revenue,
        min(case when not orders.is_cancellation then orders.order_date end) as first_order_date,
        max(case when not orders.is_cancellation then orders.order_date end) as last_order_date
    from orders
    inner join snapshot_intervals
        on orders.order_date <= snapshot_intervals.snapshot_date
        and (
            snapshot_intervals.previous_snapshot_date is null
            or orders.order_date > snapshot_intervals.previous_snapshot_date
        )
    group by orders.customer_id, snapshot_intervals.snapshot_date

),

customer_metrics as (

    select
        snapshots.snapshot_date,
        customer_intervals.customer_id,
        sum(customer_intervals.purchase_orders) as frequency,
        sum(customer_intervals.net_revenue) as monetary,
        min(customer_intervals.first_order_date) as first_order_date,
        max(customer_intervals.last_order_date) as last_order_date
    from customer_intervals
    inner join snapshots on customer_intervals.interval_end_date <= snapshots.snapshot_date
    group by snapshots.snapshot_date, customer_intervals.customer_id
    having sum(customer_intervals.purchase_orders) > 0

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
