-- grain: one row per pair of consecutive snapshots, from-segment and to-segment
--
-- Who moved between RFM segments from one snapshot of fct_rfm_segment_history to the next:
-- the customers of the later snapshot by their segment at the earlier one (New: they had not
-- bought yet) and at the later one, and their net revenue in the month after the later snapshot
-- (up to the next snapshot; NULL after the latest, whose next month is still to come).

with

history as (

    select * from {{ ref('fct_rfm_segment_history') }}

),

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

snapshot_numbers as (

    select
        snapshot_date,
        row_number() over (order by snapshot_date) as snapshot_number
    from (select distinct snapshot_date from history) as snapshot_dates

),

snapshot_pairs as (

    select
        from_snapshot.snapshot_date as from_snapshot_date,
        to_snapshot.snapshot_date as to_snapshot_date,
        next_snapshot.snapshot_date as next_snapshot_date
    from snapshot_numbers as to_snapshot
    inner join snapshot_numbers as from_snapshot on to_snapshot.snapshot_number = from_snapshot.snapshot_number + 1
    left join snapshot_numbers as next_snapshot on next_snapshot.snapshot_number = to_snapshot.snapshot_number + 1

),

moves as (

    select
        snapshot_pairs.from_snapshot_date,
        snapshot_pairs.to_snapshot_date,
        snapshot_pairs.next_snapshot_date,
        to_history.customer_id,
        coalesce(from_history.rfm_segment, 'New') as from_segment,
        to_history.rfm_segment as to_segment
    from snapshot_pairs
    inner join history as to_history on snapshot_pairs.to_snapshot_date = to_history.snapshot_date
    left join history as from_history
        on snapshot_pairs.from_snapshot_date = from_history.snapshot_date
        and to_history.customer_id = from_history.customer_id

),

next_month_revenue as (

    select
        snapshot_pairs.to_snapshot_date,
        orders.customer_id,
        sum(orders.net_revenue) as net_revenue
    from orders
    inner join snapshot_pairs
        on orders.order_date > snapshot_pairs.to_snapshot_date
        and orders.order_date <= snapshot_pairs.next_snapshot_date
    group by snapshot_pairs.to_snapshot_date, orders.customer_id

),

final as (

    select
        moves.from_snapshot_date,
        moves.to_snapshot_date,
        cast(moves.from_segment as {{ dbt.type_string() }}) as from_segment,
        cast(moves.to_segment as {{ dbt.type_string() }}) as to_segment,
        cast(count(*) as bigint) as customers,
        cast(
            case
                when max(moves.next_snapshot_date) is not null then coalesce(sum(next_month_revenue.net_revenue), 0)
            end as decimal(18, 2)
        ) as net_revenue_next_month
    from moves
    left join next_month_revenue
        on moves.to_snapshot_date = next_month_revenue.to_snapshot_date
        and moves.customer_id = next_month_revenue.customer_id
    group by moves.from_snapshot_date, moves.to_snapshot_date, moves.from_segment, moves.to_segment

)

select * from final
