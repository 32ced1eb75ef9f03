-- grain: one row per customer in fct_customer_rfm with every segmentation feature
--
-- The KMeans (or ward) segment of each customer: cluster, business name, the features used
-- (raw and scaled; NULL for features not used), distance to the cluster centre and two PCA
-- coordinates for scatter plots. Cluster 1 is the most valuable.

with

assigned as (

    select * from {{ ref('int_customer_segments_assigned') }}

),

final as (

    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(cluster_id as integer) as cluster_id,
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(recency_days as double) as recency_days,
        cast(frequency as double) as frequency,
        cast(monetary as double) as monetary,
        cast(age as double) as age,
        cast(recency_days_scaled as double) as recency_days_scaled,
        cast(frequency_scaled as double) as frequency_scaled,
        cast(monetary_scaled as double) as monetary_scaled,
        cast(age_scaled as double) as age_scaled,
        cast(distance_to_centroid as double) as distance_to_centroid,
        cast(pca_1 as double) as pca_1,
        cast(pca_2 as double) as pca_2
    from assigned

)

select * from final
