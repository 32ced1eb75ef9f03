-- The latest snapshot of fct_rfm_segment_history is the RFM as-of date, scored the same way:
-- every customer of fct_customer_rfm with the same metrics, scores and segment, and no other.
-- Returns the rows that differ, from either side.

with

latest as (

    select
        customer_id,
        rfm_cell,
        rfm_segment,
        recency_days,
        frequency,
        monetary,
        r_score,
        f_score,
        m_score
    from {{ ref('fct_rfm_segment_history') }}
    where snapshot_date = (select max(history.snapshot_date) from {{ ref('fct_rfm_segment_history') }} as history)

),

current_rfm as (

    select
        customer_id,
        rfm_cell,
        rfm_segment,
        recency_days,
        frequency,
        monetary,
        r_score,
        f_score,
        m_score
    from {{ ref('fct_customer_rfm') }}

),

only_in_history as (

    select * from latest
    except
    select * from current_rfm

),

only_in_rfm as (

    select * from current_rfm
    except
    select * from latest

),

differences as (

    select
        'only in fct_rfm_segment_history' as side,
        customer_id,
        rfm_segment
    from only_in_history
    union all
    select
        'only in fct_customer_rfm' as side,
        customer_id,
        rfm_segment
    from only_in_rfm

)

select * from differences
