-- grain: one row per customer with at least one purchase order on or before the as-of date
--
-- The RFM metrics and scores both fct_customer_rfm and the segmentation read.
-- recency_days: as-of date minus the last purchase date, in days.
-- frequency: distinct purchase orders (all of them: the first one counts, unlike lifetimes'
--   repeat-purchase frequency, so one-time buyers have frequency 1 and can be scored).
-- monetary: total net revenue, cancellations netted.
-- Scores: see macros/marts/rfm.sql (percent-rank quintiles, equal values share a score).
-- A table: several models read it, and each would repeat the three rank windows.
{{ config(materialized='table') }}

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
        {{ days_between('customer_metrics.last_order_date', 'as_of.rfm_as_of_date') }} as recency_days,
        cast(customer_metrics.frequency as bigint) as frequency,
        cast(customer_metrics.monetary as decimal(18, 2)) as monetary,
        {{ amount_per('customer_metrics.monetary', 'customer_metrics.frequency') }} as average_order_value,
        {{ days_between('customer_metrics.first_order_date', 'as_of.rfm_as_of_date') }} as tenure_days,
        customer_metrics.first_order_date,
        customer_metrics.last_order_date,
        as_of.rfm_as_of_date
    from customer_metrics
    cross join as_of

),

final as (

    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        average_order_value,
        tenure_days,
        {{ rfm_score('recency_days', better='lower') }} as r_score,
        {{ rfm_score('frequency', better='higher') }} as f_score,
        {{ rfm_score('monetary', better='higher') }} as m_score,
        first_order_date,
        last_order_date,
        rfm_as_of_date
    from measured

)

select * from final
