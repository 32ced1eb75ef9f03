-- grain: one row per feature (parameter_type = 'transform') and per cluster and feature
-- (parameter_type = 'centroid')
--
-- The fitted segmentation model as data: assign a new customer on any warehouse, without
-- refitting, by transforming each feature
--     x' = (ln(1 + clip(x, clip_lower, clip_upper)) if is_log1p else clip(x, ...)) - scaler_center) / scaler_scale
-- and taking the cluster whose centroid_scaled values are nearest (Euclidean).
-- tests/assert_segments_reassign_in_sql.sql does exactly that for every customer.

with

fitted as (

    select * from {{ ref('int_segment_model_fitted') }}
    where parameter_type in ('transform', 'centroid')

),

final as (

    select
        cast(parameter_type as {{ dbt.type_string() }}) as parameter_type,
        cast(cluster_id as integer) as cluster_id,
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(recommended_action as {{ dbt.type_string() }}) as recommended_action,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(feature_position as integer) as feature_position,
        cast(clip_lower as double) as clip_lower,
        cast(clip_upper as double) as clip_upper,
        cast(scaler_center as double) as scaler_center,
        cast(scaler_scale as double) as scaler_scale,
        cast(pca_mean as double) as pca_mean,
        cast(pca_1_loading as double) as pca_1_loading,
        cast(pca_2_loading as double) as pca_2_loading,
        cast(centroid_scaled as double) as centroid_scaled,
        cast(centroid_original as double) as centroid_original,
        cast(is_log1p as boolean) as is_log1p
    from fitted

)

select * from final
