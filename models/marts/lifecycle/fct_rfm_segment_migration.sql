-- grain: one row per pair of consecutive snapshots, from-segment and to-segment
--
-- Who moved between RFM segments from one snapshot of fct_rfm_segment_history to the next:
-- the customers of the later snapshot by their segment at the earlier one (New: they had not
-- bought yet) and at the later one, and their net revenue in the month after the later snapshot
-- (up to the next snapshot; NULL after the latest, whose next month is still to come).
-- A customer, once they have bought, is in every later snapshot (the metrics are running
-- totals), so their previous row is the previous snapshot and the change in monetary to their
-- next row is their net revenue in between.

with

history as (

    select * from {{ ref('fct_rfm_segment_history') }}

),

snapshot_dates as (

    select distinct snapshot_date from history

),

snapshot_pairs as (

    select
        lag(snapshot_date) over (order by snapshot_date) as from_snapshot_date,
        snapshot_date as to_snapshot_date
    from snapshot_dates

),

moves as (

    select
        snapshot_date as to_snapshot_date,
        customer_id,
        coalesce(lag(rfm_segment) over by_customer, 'New') as from_segment,
        rfm_segment as to_segment,
        lead(monetary) over by_customer - monetary as net_revenue_next_month
    from history
    window by_customer as (partition by customer_id order by snapshot_date)

),

final as (

    select
        snapshot_pairs.from_snapshot_date,
        moves.to_snapshot_date,
        cast(moves.from_segment as {{ dbt.type_string() }}) as from_segment,
        cast(moves.to_segment as {{ dbt.type_string() }}) as to_segment,
        cast(count(*) as bigint) as customers,
        cast(sum(moves.net_revenue_next_month) as decimal(18, 2)) as net_revenue_next_month
    from moves
    inner join snapshot_pairs on moves.to_snapshot_date = snapshot_pairs.to_snapshot_date
    where snapshot_pairs.from_snapshot_date is not null
    group by snapshot_pairs.from_snapshot_date, moves.to_snapshot_date, moves.from_segment, moves.to_segment

)

select * from final
