-- grain: one row per customer with at least one purchase order on or before the as-of date
--
-- recency_days: as-of date minus the last purchase date, in days.
-- frequency: distinct purchase orders (all of them: the first one counts, unlike lifetimes'
--   repeat-purchase frequency, so one-time buyers have frequency 1 and can be scored).
-- monetary: total net revenue, cancellations netted.
-- Scores: see macros/marts/rfm.sql (percent-rank quintiles, equal values share a score).

with

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

segments as (

    select * from {{ ref('rfm_segments') }}

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

customer_metrics as (

    select
        customer_id,
        count(case when not is_cancellation then order_id end) as frequency,
        sum(net_revenue) as monetary,
        min(case when not is_cancellation then order_date end) as first_order_date,
        max(case when not is_cancellation then order_date end) as last_order_date
    from orders_as_of
    group by customer_id
    having count(case when not is_cancellation then order_id end) > 0

),

measured as (

    select
        customer_metrics.customer_id,
        cast({{ dbt.datediff('customer_metrics.last_order_date', 'as_of.rfm_as_of_date', 'day') }} as integer) as recency_days,
        cast(customer_metrics.frequency as bigint) as frequency,
        cast(customer_metrics.monetary as decimal(18, 2)) as monetary,
        cast(customer_metrics.monetary / customer_metrics.frequency as decimal(18, 2)) as average_order_value,
        cast({{ dbt.datediff('customer_metrics.first_order_date', 'as_of.rfm_as_of_date', 'day') }} as integer) as tenure_days,
        customer_metrics.first_order_date,
        customer_metrics.last_order_date,
        as_of.rfm_as_of_date
    from customer_metrics
    cross join as_of

),

scored as (

    select
        *,
        {{ rfm_score('recency_days', better='lower') }} as r_score,
        {{ rfm_score('frequency', better='higher') }} as f_score,
        {{ rfm_score('monetary', better='higher') }} as m_score
    from measured

),

final as (

    select
        scored.customer_id,
        cast(scored.r_score as {{ dbt.type_string() }})
            || cast(scored.f_score as {{ dbt.type_string() }})
            || cast(scored.m_score as {{ dbt.type_string() }}) as rfm_cell,
        segment_map.rfm_segment,
        segments.recommended_action,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.average_order_value,
        scored.tenure_days,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        scored.first_order_date,
        scored.last_order_date,
        scored.rfm_as_of_date
    from scored
    inner join segment_map
        on scored.r_score = segment_map.r_score
        and scored.f_score = segment_map.f_score
    inner join segments on segment_map.rfm_segment = segments.rfm_segment

)

select * from final
