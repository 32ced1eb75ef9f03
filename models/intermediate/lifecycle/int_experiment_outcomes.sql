-- grain: one row per customer and experiment in stg_sales__experiment_assignments
--
-- What each assigned customer did in the experiment_window_days after the day of assignment
-- (from the next day: the day's own orders may precede the assignment): whether they bought
-- (a purchase order; cancellations are not purchases) and their net revenue (cancellations
-- netted). Their RFM segment at assignment is the one of the latest RFM snapshot on or before
-- the assignment day (int_customers_rfm_history_scored: at most a month old), New when they had
-- not bought by then, and Unknown when the assignment precedes the RFM history.

{%- set window_days = var('experiment_window_days') %}

with

assignments as (

    select * from {{ ref('stg_sales__experiment_assignments') }}

),

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

history as (

    select * from {{ ref('int_customers_rfm_history_scored') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

snapshot_dates as (

    select distinct snapshot_date from history

),

assignment_snapshots as (

    select
        assignments.customer_id,
        assignments.experiment_id,
        max(snapshot_dates.snapshot_date) as snapshot_date
    from assignments
    left join snapshot_dates on assignments.assigned_date >= snapshot_dates.snapshot_date
    group by assignments.customer_id, assignments.experiment_id

),

segments_at_assignment as (

    select
        assignment_snapshots.customer_id,
        assignment_snapshots.experiment_id,
        case
            when assignment_snapshots.snapshot_date is null then 'Unknown'
            else coalesce(segment_map.rfm_segment, 'New')
        end as rfm_segment
    from assignment_snapshots
    left join history
        on assignment_snapshots.customer_id = history.customer_id
        and assignment_snapshots.snapshot_date = history.snapshot_date
    left join segment_map
        on history.r_score = segment_map.r_score
        and history.f_score = segment_map.f_score

),

window_orders as (

    select
        assignments.customer_id,
        assignments.experiment_id,
        count(case when not orders.is_cancellation then orders.order_id end) as purchase_orders,
        sum(orders.net_revenue) as net_revenue
    from assignments
    inner join orders
        on assignments.customer_id = orders.customer_id
        and assignments.assigned_date < orders.order_date
        and cast({{ dbt.dateadd('day', window_days, 'assignments.assigned_date') }} as date) >= orders.order_date
    group by assignments.customer_id, assignments.experiment_id

),

final as (

    select
        assignments.experiment_id,
        assignments.variant,
        assignments.customer_id,
        assignments.assigned_date,
        segments_at_assignment.rfm_segment,
        coalesce(window_orders.purchase_orders, 0) > 0 as is_converted,
        cast(coalesce(window_orders.net_revenue, 0) as decimal(18, 2)) as net_revenue
    from assignments
    inner join segments_at_assignment
        on assignments.customer_id = segments_at_assignment.customer_id
        and assignments.experiment_id = segments_at_assignment.experiment_id
    left join window_orders
        on assignments.customer_id = window_orders.customer_id
        and assignments.experiment_id = window_orders.experiment_id

)

select * from final
