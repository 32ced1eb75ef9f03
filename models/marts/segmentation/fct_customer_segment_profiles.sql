-- grain: one row per customer segment (cluster)
--
-- Who is in each segment: customers and share, net revenue and share, and the centre in
-- original units (mean and median recency, frequency, monetary), with the recommended action.

with

segments as (

    select * from {{ ref('dim_customer_segments') }}

),

customers_scored as (

    select * from {{ ref('int_customers_rfm_scored') }}

),

parameters as (

    select distinct
        cluster_id,
        recommended_action
    from {{ ref('dim_segment_model_parameters') }}
    where parameter_type = 'centroid'

),

by_cluster as (

    select
        segments.cluster_id,
        min(segments.segment_name) as segment_name,
        count(*) as customers,
        sum(customers_scored.monetary) as net_revenue,
        {{ exact_average("customers_scored.recency_days") }} as average_recency_days,
        {{ exact_average("customers_scored.frequency") }} as average_frequency,
        {{ exact_average("customers_scored.monetary") }} as average_monetary,
        percentile_cont(0.5) within group (order by customers_scored.recency_days) as median_recency_days,
        percentile_cont(0.5) within group (order by customers_scored.frequency) as median_frequency,
        percentile_cont(0.5) within group (order by customers_scored.monetary) as median_monetary
    from segments
    inner join customers_scored on segments.customer_id = customers_scored.customer_id
    group by segments.cluster_id

),

totals as (

    select
        sum(customers) as customers,
        sum(net_revenue) as net_revenue
    from by_cluster

),

final as (

    select
        by_cluster.cluster_id,
        by_cluster.segment_name,
        parameters.recommended_action,
        cast(by_cluster.customers as bigint) as customers,
        cast(by_cluster.customers as double) / nullif(cast(totals.customers as double), 0)
            as share_of_customers,
        cast(by_cluster.net_revenue as decimal(18, 2)) as net_revenue,
        cast(by_cluster.net_revenue as double) / nullif(cast(totals.net_revenue as double), 0) as share_of_net_revenue,
        by_cluster.average_recency_days,
        cast(by_cluster.median_recency_days as double) as median_recency_days,
        by_cluster.average_frequency,
        cast(by_cluster.median_frequency as double) as median_frequency,
        by_cluster.average_monetary,
        cast(by_cluster.median_monetary as double) as median_monetary
    from by_cluster
    cross join totals
    left join parameters on by_cluster.cluster_id = parameters.cluster_id

)

select * from final
