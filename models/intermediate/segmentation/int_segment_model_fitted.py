"""The fitted segmentation model, as rows (see retail_segmentation.segmentation).

parameter_type 'transform' (one row per feature: clip bounds, log1p, scaler centre and scale,
PCA loadings), 'centroid' (one row per cluster and feature, with the cluster's name and the
action the seeds give that name)
and 'k_candidate' (one row per candidate k: inertia, silhouette, Calinski-Harabasz,
Davies-Bouldin, and which k was chosen and why). One fit, three public marts read it.
"""

import pandas as pd

from retail_segmentation.frames import to_pandas
from retail_segmentation.segmentation import SegmentationConfig, fit_segmentation, parameters_table, segment_actions


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt finds config keys by reading literal dbt.config.get("...") calls: keep them spelled out
    cfg = SegmentationConfig.from_settings(
        features=dbt.config.get("segmentation_features"),
        log_features=dbt.config.get("segmentation_log_features"),
        scaler=dbt.config.get("segmentation_scaler"),
        cap_quantile=dbt.config.get("segmentation_cap_quantile"),
        k=dbt.config.get("segmentation_k"),
        k_min=dbt.config.get("segmentation_k_min"),
        k_max=dbt.config.get("segmentation_k_max"),
        algorithm=dbt.config.get("segmentation_algorithm"),
        random_state=dbt.config.get("segmentation_random_state"),
        n_init=dbt.config.get("segmentation_n_init"),
        fit_sample_size=dbt.config.get("segmentation_fit_sample_size"),
        silhouette_sample_size=dbt.config.get("segmentation_silhouette_sample_size"),
    )
    # ordered here, so fit_segmentation need not sort (see prepare_features)
    features = to_pandas(dbt.ref("int_customer_segment_features"), order_by=["customer_id"])
    actions = segment_actions(to_pandas(dbt.ref("rfm_segments")), to_pandas(dbt.ref("cluster_segments")))
    seg = fit_segmentation(features, cfg, actions)
    candidates = seg.selection.assign(parameter_type="k_candidate")
    return pd.concat([parameters_table(seg), candidates], ignore_index=True)
