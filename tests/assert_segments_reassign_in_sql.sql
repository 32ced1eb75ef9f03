-- The fitted parameters are enough to assign customers in plain SQL, on any warehouse: redo
-- the transform and the nearest-centre assignment here from dim_segment_model_parameters alone
-- and return every customer whose SQL cluster differs from the Python model's.
--
-- One column per known feature (var segmentation_known_features), so a customer's distance to
-- a centre is one sum across columns and the customers are crossed with the k centres only. A
-- feature the fit does not use has no transform row: its scaled value and its centres are NULL
-- and it adds nothing to the distance.

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

-- the loops over the features below: sqlfluff cannot follow their indentation
-- noqa: disable=LT02

-- one row: each feature's clipping, log1p and scaling
transforms as (

    select
        {%- for feature in var('segmentation_known_features') %}
        {%- set is_feature = 'feature = ' ~ sql_string(feature) %}
        max(case when {{ is_feature }} then is_log1p end) as {{ feature }}_is_log1p,
        max(case when {{ is_feature }} then clip_lower end) as {{ feature }}_clip_lower,
        max(case when {{ is_feature }} then clip_upper end) as {{ feature }}_clip_upper,
        max(case when {{ is_feature }} then scaler_center end) as {{ feature }}_scaler_center,
        max(case when {{ is_feature }} then scaler_scale end) as {{ feature }}_scaler_scale
        {{- "," if not loop.last }}
        {%- endfor %}
    from parameters
    where parameter_type = 'transform'

),

-- one row per cluster: its centre on each feature, scaled
centres as (

    select
        cluster_id,
        {%- for feature in var('segmentation_known_features') %}
        max(case when feature = {{ sql_string(feature) }} then centroid_scaled end) as {{ feature }}_centre
        {{- "," if not loop.last }}
        {%- endfor %}
    from parameters
    where parameter_type = 'centroid'
    group by cluster_id

),

scaled as (

    select
        features.customer_id,
        {%- for feature in var('segmentation_known_features') %}
        {%- set clipped = 'least(greatest(features.' ~ feature ~ ', transforms.' ~ feature ~ '_clip_lower), transforms.'
            ~ feature ~ '_clip_upper)' %}
        (
            case when transforms.{{ feature }}_is_log1p then ln(1 + {{ clipped }}) else {{ clipped }} end
            - transforms.{{ feature }}_scaler_center
        ) / transforms.{{ feature }}_scaler_scale as {{ feature }}_scaled
        {{- "," if not loop.last }}
        {%- endfor %}
    from features
    cross join transforms

),

distances as (

    select
        scaled.customer_id,
        centres.cluster_id,
        0
        {%- for feature in var('segmentation_known_features') %}
        + coalesce(
            (scaled.{{ feature }}_scaled - centres.{{ feature }}_centre)
            * (scaled.{{ feature }}_scaled - centres.{{ feature }}_centre),
            0
        )
        {%- endfor %} as squared_distance
    from scaled
    cross join centres

),

-- noqa: enable=LT02

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
