-- grain: one row per customer of int_customer_segment_features with every feature the fit uses
--
-- The SQL twin of int_customer_segments_assigned.py, for engines without dbt Python models
-- (open-source Spark): every customer assigned to the nearest centre of the fit's parameter
-- rows, as retail_segmentation.segmentation.assign_from_parameters does. Each used feature is
-- clipped, log1p-ed where the fit says (Spark's log1p, as numpy's), centred and scaled; the
-- nearest centroid wins (ties to the lower cluster_id, as numpy's argmin); the PCA
-- coordinates project the scaled features. Features the fit does not use are NULL.

with

features as (

    select * from {{ ref('int_customer_segment_features') }}

),

parameters as (

    select * from {{ ref('int_segment_model_fitted') }}

),

transforms as (

    select * from parameters
    where parameter_type = 'transform'

),

centroids as (

    select * from parameters
    where parameter_type = 'centroid'

),

feature_values as (

    -- one row per customer and known feature (var segmentation_known_features); sqlfluff cannot
    -- follow the loop's indentation
    -- noqa: disable=LT02
    {%- for feature in var('segmentation_known_features') %}
    select
        customer_id,
        {{ sql_string(feature) }} as feature,
        {{ feature }} as feature_value
    from features
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    -- noqa: enable=LT02

),

used_values as (

    select
        feature_values.customer_id,
        feature_values.feature,
        feature_values.feature_value,
        least(greatest(feature_values.feature_value, transforms.clip_lower), transforms.clip_upper) as clipped_value,
        transforms.is_log1p,
        transforms.scaler_center,
        transforms.scaler_scale,
        transforms.pca_mean,
        transforms.pca_1_loading,
        transforms.pca_2_loading
    from feature_values
    inner join transforms on feature_values.feature = transforms.feature

),

complete_customers as (

    -- a customer missing any feature the fit uses is not assigned (prepare_features drops them)
    select customer_id
    from used_values
    group by customer_id
    having count(feature_value) = (select count(*) from transforms)

),

scaled as (

    select
        used_values.customer_id,
        used_values.feature,
        used_values.feature_value,
        (
            case when used_values.is_log1p then log1p(used_values.clipped_value) else used_values.clipped_value end
            - used_values.scaler_center
        ) / used_values.scaler_scale as scaled_value,
        used_values.pca_mean,
        used_values.pca_1_loading,
        used_values.pca_2_loading
    from used_values
    inner join complete_customers on used_values.customer_id = complete_customers.customer_id

),

distances as (

    select
        scaled.customer_id,
        centroids.cluster_id,
        centroids.segment_name,
        sum((scaled.scaled_value - centroids.centroid_scaled) * (scaled.scaled_value - centroids.centroid_scaled))
            as squared_distance
    from scaled
    inner join centroids on scaled.feature = centroids.feature
    group by scaled.customer_id, centroids.cluster_id, centroids.segment_name

),

nearest as (

    select
        customer_id,
        cluster_id,
        segment_name,
        squared_distance,
        row_number() over (partition by customer_id order by squared_distance, cluster_id) as distance_rank
    from distances

),

customer_features as (

    -- the raw and scaled value of each used feature, and the PCA coordinates, one row per customer
    select
        customer_id,
        {%- for feature in var('segmentation_known_features') %}
        max(case when feature = {{ sql_string(feature) }} then feature_value end) as {{ feature }},
        max(case when feature = {{ sql_string(feature) }} then scaled_value end) as {{ feature }}_scaled,
        {%- endfor %}
        sum((scaled_value - pca_mean) * coalesce(pca_1_loading, 0)) as pca_1,
        sum((scaled_value - pca_mean) * coalesce(pca_2_loading, 0)) as pca_2
    from scaled
    group by customer_id

),

final as (

    select
        nearest.customer_id,
        nearest.cluster_id,
        nearest.segment_name,
        {%- for feature in var('segmentation_known_features') %}
        customer_features.{{ feature }},
        {%- endfor %}
        {%- for feature in var('segmentation_known_features') %}
        customer_features.{{ feature }}_scaled,
        {%- endfor %}
        sqrt(nearest.squared_distance) as distance_to_centroid,
        customer_features.pca_1,
        customer_features.pca_2
    from nearest
    inner join customer_features on nearest.customer_id = customer_features.customer_id
    where nearest.distance_rank = 1

)

select * from final
