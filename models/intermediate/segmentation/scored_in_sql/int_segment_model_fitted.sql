-- grain: one row per parameter of a segmentation fit (as int_segment_model_fitted.py)
--
-- The SQL twin of int_segment_model_fitted.py, for engines without dbt Python models
-- (open-source Spark): the fit is not redone here but read from the seed the var
-- segmentation_parameters_seed names, the rows a Python fit wrote (by default the fit of the
-- sample; make segmentation-seed writes one from any DuckDB build, README "Running on Spark").

with

fitted as (

    select * from {{ ref(var('segmentation_parameters_seed')) }}

),

final as (

    select
        cast(parameter_type as {{ dbt.type_string() }}) as parameter_type,
        cast(cluster_id as bigint) as cluster_id,
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(recommended_action as {{ dbt.type_string() }}) as recommended_action,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(feature_position as bigint) as feature_position,
        cast(is_log1p as boolean) as is_log1p,
        cast(clip_lower as double) as clip_lower,
        cast(clip_upper as double) as clip_upper,
        cast(scaler_center as double) as scaler_center,
        cast(scaler_scale as double) as scaler_scale,
        cast(pca_mean as double) as pca_mean,
        cast(pca_1_loading as double) as pca_1_loading,
        cast(pca_2_loading as double) as pca_2_loading,
        cast(centroid_scaled as double) as centroid_scaled,
        cast(centroid_original as double) as centroid_original,
        cast(k as bigint) as k,
        cast(inertia as double) as inertia,
        cast(silhouette as double) as silhouette,
        cast(calinski_harabasz as double) as calinski_harabasz,
        cast(davies_bouldin as double) as davies_bouldin,
        cast(customers_evaluated as bigint) as customers_evaluated,
        cast(is_chosen as boolean) as is_chosen,
        cast(selection_reason as {{ dbt.type_string() }}) as selection_reason
    from fitted

)

select * from final
