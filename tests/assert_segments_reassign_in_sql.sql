-- The fitted parameters are enough to assign customers in plain SQL, on any warehouse: redo
-- the transform and the nearest-centre assignment here from dim_segment_model_parameters alone
-- and return every customer whose SQL cluster differs from the Python model's.

with

features as (

    select * from {{ ref('int_customer_segment_features') }}

),

parameters as (

    select * from {{ ref('dim_segment_model_parameters') }}

),

segments as (

    select * from {{ ref('dim_customer_segments') }}

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

scaled as (

    select
        feature_values.customer_id,
        feature_values.feature,
        (
            case
                when parameters.is_log1p
                    then ln(
                            1
                            + least(
                                greatest(feature_values.feature_value, parameters.clip_lower), parameters.clip_upper
                            )
                        )
                else least(greatest(feature_values.feature_value, parameters.clip_lower), parameters.clip_upper)
            end - parameters.scaler_center
        ) / parameters.scaler_scale as scaled_value
    from feature_values
    inner join parameters
        on feature_values.feature = parameters.feature
        and parameters.parameter_type = 'transform'

),

distances as (

    select
        scaled.customer_id,
        centroids.cluster_id,
        sum((scaled.scaled_value - centroids.centroid_scaled) * (scaled.scaled_value - centroids.centroid_scaled))
            as squared_distance
    from scaled
    inner join parameters as centroids
        on scaled.feature = centroids.feature
        and centroids.parameter_type = 'centroid'
    group by scaled.customer_id, centroids.cluster_id

),

nearest as (

    select
        customer_id,
        cluster_id,
        row_number() over (partition by customer_id order by squared_distance, cluster_id) as distance_rank
    from distances

)

select
    segments.customer_id,
    segments.cluster_id as python_cluster_id,
    nearest.cluster_id as sql_cluster_id
from segments
left join nearest
    on segments.customer_id = nearest.customer_id
    and nearest.distance_rank = 1
where nearest.cluster_id is null or nearest.cluster_id <> segments.cluster_id
