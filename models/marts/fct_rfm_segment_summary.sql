-- grain: one row per RFM segment (every segment of the map, including empty ones)

with

customer_rfm as (

    select * from {{ ref('fct_customer_rfm') }}

),

segments as (

    select * from {{ ref('rfm_segments') }}

),

by_segment as (

    select
        rfm_segment,
        count(*) as customers,
        sum(monetary) as net_revenue,
        {{ exact_average("recency_days") }} as average_recency_days,
        {{ exact_average("frequency") }} as average_frequency,
        {{ exact_average("monetary") }} as average_monetary
    from customer_rfm
    group by rfm_segment

),

totals as (

    select
        count(*) as customers,
        sum(monetary) as net_revenue
    from customer_rfm

),

final as (

    select
        segments.rfm_segment,
        segments.segment_description,
        segments.recommended_action,
        cast(segments.segment_order as integer) as segment_order,
        cast(coalesce(by_segment.customers, 0) as bigint) as customers,
        cast(coalesce(by_segment.customers, 0) as double)
        / nullif(cast(totals.customers as double), 0) as share_of_customers,
        cast(coalesce(by_segment.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        cast(coalesce(by_segment.net_revenue, 0) as double)
        / nullif(cast(totals.net_revenue as double), 0) as share_of_net_revenue,
        by_segment.average_recency_days,
        by_segment.average_frequency,
        by_segment.average_monetary
    from segments
    cross join totals
    left join by_segment on segments.rfm_segment = by_segment.rfm_segment

)

select * from final
