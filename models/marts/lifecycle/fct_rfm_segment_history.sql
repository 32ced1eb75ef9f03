-- grain: one row per snapshot date and customer with a purchase order on or before it
--
-- Each customer's RFM metrics, scores (int_customers_rfm_history_scored) and segment at each
-- snapshot: the RFM as-of date and the first days of the rfm_history_months - 1 months before
-- it, the segment their R x F cell maps to (seed rfm_segment_map), as fct_customer_rfm
-- does. The latest snapshot is the as-of date itself, so it equals fct_customer_rfm (a test
-- checks it). A view in the build (its rows are written once, by the intermediate model); a
-- table in the published warehouse, where DuckDB enforces its not_null constraints and its key.
{{ config(materialized='view') }}

with

history as (

    select * from {{ ref('int_customers_rfm_history_scored') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

final as (

    select
        history.snapshot_date,
        history.customer_id,
        cast(history.r_score as {{ dbt.type_string() }})
        || cast(history.f_score as {{ dbt.type_string() }})
        || cast(history.m_score as {{ dbt.type_string() }}) as rfm_cell,
        segment_map.rfm_segment,
        history.recency_days,
        history.frequency,
        history.monetary,
        history.r_score,
        history.f_score,
        history.m_score
    from history
    inner join segment_map
        on history.r_score = segment_map.r_score
        and history.f_score = segment_map.f_score

)

select * from final
