-- grain: one row per candidate number of clusters k
--
-- Why k was chosen: each candidate's inertia (for the elbow), silhouette (higher is better),
-- Calinski-Harabasz (higher is better) and Davies-Bouldin (lower is better), computed on the
-- same fitting sample; is_chosen marks the k in use and selection_reason says why.

with

fitted as (

    select * from {{ ref('int_segment_model_fitted') }}
    where parameter_type = 'k_candidate'

),

final as (

    select
        cast(k as integer) as k,
        cast(selection_reason as {{ dbt.type_string() }}) as selection_reason,
        cast(inertia as double) as inertia,
        cast(silhouette as double) as silhouette,
        cast(calinski_harabasz as double) as calinski_harabasz,
        cast(davies_bouldin as double) as davies_bouldin,
        cast(customers_evaluated as bigint) as customers_evaluated,
        cast(is_chosen as boolean) as is_chosen
    from fitted

)

select * from final
