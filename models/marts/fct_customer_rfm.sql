-- grain: one row per customer with at least one purchase order on or before the as-of date
--
-- Each customer's RFM metrics and scores (int_customers_rfm_scored) with the segment their
-- R x F cell maps to (seed rfm_segment_map) and that segment's recommended action (seed
-- rfm_segments).

with

customers_scored as (

    select * from {{ ref('int_customers_rfm_scored') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

segments as (

    select * from {{ ref('rfm_segments') }}

),

final as (

    select
        customers_scored.customer_id,
        cast(customers_scored.r_score as {{ dbt.type_string() }})
        || cast(customers_scored.f_score as {{ dbt.type_string() }})
        || cast(customers_scored.m_score as {{ dbt.type_string() }}) as rfm_cell,
        segment_map.rfm_segment,
        segments.recommended_action,
        customers_scored.recency_days,
        customers_scored.frequency,
        customers_scored.monetary,
        customers_scored.average_order_value,
        customers_scored.tenure_days,
        customers_scored.r_score,
        customers_scored.f_score,
        customers_scored.m_score,
        customers_scored.first_order_date,
        customers_scored.last_order_date,
        customers_scored.rfm_as_of_date
    from customers_scored
    inner join segment_map
        on customers_scored.r_score = segment_map.r_score
        and customers_scored.f_score = segment_map.f_score
    inner join segments on segment_map.rfm_segment = segments.rfm_segment

)

select * from final
