-- grain: one row per snapshot date and customer with a purchase order on or before it
--
-- Each customer's RFM metrics and scores as they stood at each snapshot: the RFM as-of date and
-- the first days of the rfm_history_months - 1 months before it (macros/marts/rfm.sql,
-- rfm_history_snapshots). A snapshot counts the orders on or before its day, as an as-of date
-- does: a month start's snapshot is the RFM as the month closed plus that first day. Scored as
-- int_customers_rfm_scored is (macros/marts/rfm.sql), each snapshot ranked on its own: a score
-- says where the customer stood among that day's customers. The as-of snapshot counts the same
-- orders as int_customers_rfm_scored, so its rows are taken from there rather than computed
-- twice; this model computes the month starts. fct_rfm_segment_history adds the segment names;
-- the experiment readout reads each customer's segment at assignment from here.
--
-- On DuckDB an incremental table, by snapshot. Each snapshot's rows carry orders_fingerprint,
-- a hash of the orders it counts (their count and the sum of their order_hash); a build scores
-- again only the snapshots whose fingerprint is new (a new as-of date, or orders on or before
-- the snapshot added, changed or gone), replaces them by snapshot_date, and the post-hook drops
-- the snapshots no longer in the history. A daily load of new orders scores the as-of snapshot
-- again, and the latest month start when the day is one. Rows depend only on the orders and on
-- this code: after changing the code, build with --full-refresh.
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key='snapshot_date',
    on_schema_change='append_new_columns',
    post_hook=[
        "{% if is_incremental() %}delete from {{ this }} where snapshot_date not in (select snapshot_date from ("
        ~ "{{ rfm_history_snapshots(rfm_as_of_date(ref('int_orders_aggregated'))) }})){% endif %}",
    ],
) }}

{%- set incremental = is_incremental() and relation_has_column(this, 'orders_fingerprint') %}
{%- set last_snapshot = var('rfm_history_months') - 1 %}

with

-- read where used: the snapshots' fingerprints and their metrics each read every order
orders as {{ not_materialized() }} (

    select * from {{ ref('int_orders_aggregated') }}

),

rfm_scored as (

    select * from {{ ref('int_customers_rfm_scored') }}

),

as_of as (

    select {{ rfm_as_of_date(ref('int_orders_aggregated')) }} as rfm_as_of_date

),

snapshots as (

    {{ rfm_history_snapshots('(select rfm_as_of_date from as_of)') }}

),

-- the days with orders up to the as-of date, each with the first month start on or after it
order_days as (

    select
        order_date,
        latest_month_start,
        case
            when order_date = {{ dbt.date_trunc('month', 'order_date') }} then order_date
            else cast({{ dbt.dateadd('month', 1, dbt.date_trunc('month', 'order_date')) }} as date)
        end as next_month_start
    from (
        select distinct
            orders.order_date,
            {{ rfm_history_latest_month_start('as_of.rfm_as_of_date') }} as latest_month_start
        from orders
        cross join as_of
        where orders.order_date <= as_of.rfm_as_of_date
    ) as distinct_days

),

-- each order day's snapshot: the first on or after it. After the latest month start that is
-- the as-of snapshot; else the first month start on or after the day, counted in months back
-- from the latest. Days older than the earliest snapshot count in it. Worked out once per day.
day_snapshots as (

    select
        order_date,
        case
            when order_date > latest_month_start then 0
            else least({{ last_snapshot }}, 1 + {{ dbt.datediff('next_month_start', 'latest_month_start', 'month') }})
        end as months_back
    from order_days

),

orders_by_snapshot as {{ not_materialized() }} (

    select
        orders.customer_id,
        orders.order_id,
        orders.is_cancellation,
        orders.net_revenue,
        orders.order_date,
        orders.order_hash,
        day_snapshots.months_back
    from orders
    inner join day_snapshots on orders.order_date = day_snapshots.order_date

),

-- what each snapshot counts: the orders of its own months_back and every earlier one
months_back_fingerprints as (

    select
        months_back,
        count(*) as orders,
        sum(order_hash) as order_hashes
    from orders_by_snapshot
    group by months_back

),

snapshot_fingerprints as (

    select
        snapshots.months_back,
        snapshots.snapshot_date,
        {{ text_hash(
            'coalesce(sum(months_back_fingerprints.orders), 0), coalesce(sum(months_back_fingerprints.order_hashes), 0)'
        ) }} as orders_fingerprint
    from snapshots
    left join months_back_fingerprints on snapshots.months_back <= months_back_fingerprints.months_back
    group by snapshots.months_back, snapshots.snapshot_date

),

-- the snapshots this build scores: every one, or in an incremental build those whose orders
-- this table has not scored
snapshots_to_score as (

    select * from snapshot_fingerprints
    {%- if incremental %}
    where not exists (
        select 1
        from {{ this }} as scored
        where scored.snapshot_date = snapshot_fingerprints.snapshot_date
            and scored.orders_fingerprint = snapshot_fingerprints.orders_fingerprint
    )
    {%- endif %}

),

-- the month starts among them, which this model computes (the as-of snapshot is
-- int_customers_rfm_scored's rows, in as_of_snapshot)
month_starts_to_score as (

    select * from snapshots_to_score
    where months_back > 0

),

-- each order's snapshot among the month starts scored: the first of them on or after its day
-- (none for the orders after the latest month start, which only the as-of snapshot counts)
scored_months_back as (

    select
        snapshots.months_back,
        max(month_starts_to_score.months_back) as scored_months_back
    from snapshots
    inner join month_starts_to_score on snapshots.months_back >= month_starts_to_score.months_back
    group by snapshots.months_back

),

-- one row per customer and scored snapshot they have orders in
customer_snapshot_orders as (

    select
        orders_by_snapshot.customer_id,
        scored_months_back.scored_months_back as months_back,
        count(case when not orders_by_snapshot.is_cancellation then orders_by_snapshot.order_id end) as purchase_orders,
        sum(orders_by_snapshot.net_revenue) as net_revenue,
        max(case when not orders_by_snapshot.is_cancellation then orders_by_snapshot.order_date end) as last_order_date
    from orders_by_snapshot
    inner join scored_months_back on orders_by_snapshot.months_back = scored_months_back.months_back
    group by orders_by_snapshot.customer_id, scored_months_back.scored_months_back

),

customer_spans as (

    select
        customer_id,
        max(months_back) as earliest_months_back
    from customer_snapshot_orders
    group by customer_id

),

-- every scored month start from a customer's first order on, the running totals up to each
customer_metrics as (

    select
        month_starts_to_score.snapshot_date,
        month_starts_to_score.orders_fingerprint,
        customer_spans.customer_id,
        sum(customer_snapshot_orders.purchase_orders) over running as frequency,
        sum(customer_snapshot_orders.net_revenue) over running as monetary,
        max(customer_snapshot_orders.last_order_date) over running as last_order_date
    from customer_spans
    inner join month_starts_to_score on customer_spans.earliest_months_back >= month_starts_to_score.months_back
    left join customer_snapshot_orders
        on customer_spans.customer_id = customer_snapshot_orders.customer_id
        and month_starts_to_score.months_back = customer_snapshot_orders.months_back
    window running as (
        partition by customer_spans.customer_id
        order by month_starts_to_score.months_back desc
        rows between unbounded preceding and current row
    )

),

measured as (

    select
        snapshot_date,
        orders_fingerprint,
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

-- the as-of snapshot, when this build scores it: every customer int_customers_rfm_scored
-- scores, as of the same date over the same orders
as_of_snapshot as (

    select
        snapshots_to_score.snapshot_date,
        rfm_scored.customer_id,
        rfm_scored.recency_days,
        rfm_scored.frequency,
        rfm_scored.monetary,
        rfm_scored.r_score,
        rfm_scored.f_score,
        rfm_scored.m_score,
        snapshots_to_score.orders_fingerprint
    from rfm_scored
    inner join snapshots_to_score on snapshots_to_score.months_back = 0

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
        m_score,
        orders_fingerprint
    from scored
    union all
    select
        snapshot_date,
        customer_id,
        recency_days,
        frequency,
        monetary,
        r_score,
        f_score,
        m_score,
        orders_fingerprint
    from as_of_snapshot

)

select * from final
