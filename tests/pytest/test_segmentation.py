"""The segmentation's pure functions, without dbt: transform, k selection, naming, assignment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from retail_segmentation import segmentation as sg
from retail_segmentation.segmentation import SegmentationConfig


def customers(n: int, seed: int = 0) -> pd.DataFrame:
    """Three well-separated groups in RFM terms: recent big buyers, lapsed regulars, one-timers."""
    rng = np.random.default_rng(seed)
    group = rng.choice(3, n, p=[0.2, 0.3, 0.5])
    recency = np.choose(group, [rng.integers(1, 30, n), rng.integers(200, 400, n), rng.integers(400, 900, n)])
    frequency = np.choose(group, [rng.integers(20, 60, n), rng.integers(5, 15, n), np.ones(n, dtype=int)])
    monetary = np.choose(group, [rng.lognormal(11, 0.3, n), rng.lognormal(9, 0.3, n), rng.lognormal(6, 0.3, n)])
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:06d}" for i in range(n)],
            "recency_days": recency.astype(float),
            "frequency": frequency.astype(float),
            "monetary": monetary,
            "age": rng.integers(18, 80, n).astype(float),
            "group": group,
        }
    )


def test_transform_logs_skewed_features_and_standardises():
    frame = customers(2000)
    t = sg.fit_transform(frame, SegmentationConfig())
    assert t.log1p["monetary"] and t.log1p["frequency"]
    x = t.apply(frame)
    assert np.allclose(x.mean(axis=0), 0, atol=1e-9) and np.allclose(x.std(axis=0), 1, atol=1e-9)


def test_robust_scaling_and_quantile_capping():
    frame = customers(2000)
    frame.loc[0, "monetary"] = 1e12  # an outlier
    cfg = SegmentationConfig(scaler="robust", cap_quantile=0.99, log_features="none")
    t = sg.fit_transform(frame, cfg)
    assert t.clip_upper["monetary"] == pytest.approx(np.quantile(frame["monetary"], 0.99))
    x = t.apply(frame)
    assert x[:, 2].max() == pytest.approx((t.clip_upper["monetary"] - t.center["monetary"]) / t.scale["monetary"])
    assert t.center["monetary"] == pytest.approx(np.median(np.clip(frame["monetary"], t.clip_lower["monetary"], t.clip_upper["monetary"])))


def test_negative_monetary_is_clipped_before_log1p():
    frame = customers(500)
    frame.loc[:9, "monetary"] = -50.0  # net refunds after cancellations
    t = sg.fit_transform(frame, SegmentationConfig())
    assert t.clip_lower["monetary"] == 0.0
    assert np.isfinite(t.apply(frame)).all()


def test_small_data_limits_the_k_range():
    cfg = SegmentationConfig(k_min=2, k_max=8)
    assert sg.candidate_ks(50, cfg) == [2, 3, 4, 5]
    assert sg.candidate_ks(10_000, cfg) == list(range(2, 9))
    assert sg.candidate_ks(2, cfg) == []


def test_auto_k_finds_the_three_groups():
    seg = sg.fit_segmentation(customers(1500), SegmentationConfig(k_min=2, k_max=6))
    assert seg.chosen_k == 3
    chosen = seg.selection[seg.selection["is_chosen"]]
    assert len(chosen) == 1 and "silhouette" in chosen["selection_reason"].iloc[0]
    assert seg.selection["silhouette"].idxmax() == chosen.index[0]


def test_elbow_breaks_silhouette_ties():
    selection = pd.DataFrame(
        {"k": [2, 3, 4, 5, 6], "inertia": [1000.0, 400.0, 300.0, 260.0, 240.0], "silhouette": [0.50, 0.499, 0.495, 0.3, 0.2]}
    )
    assert sg.elbow_k(selection) == 3
    k, reason = sg.choose_k(selection, SegmentationConfig(silhouette_tolerance=0.01))
    assert k == 3 and "elbow" in reason
    k, _ = sg.choose_k(selection, SegmentationConfig(silhouette_tolerance=0.0))
    assert k == 2  # no tolerance: the best silhouette alone
    assert sg.choose_k(selection, SegmentationConfig(k=5)) == (5, "fixed by segmentation_k = 5")


def test_names_come_from_centroid_ranks_not_ids():
    original = pd.DataFrame(
        {"recency_days": [10.0, 500.0, 40.0, 800.0], "frequency": [30.0, 12.0, 2.0, 1.0], "monetary": [9e4, 2e4, 3e3, 4e2]}
    )
    names, base_names = sg.name_clusters(original)
    assert names == ["Champions", "Can't Lose Them", "New and Occasional", "Lost"]
    assert base_names == names
    # a different cluster order gives each centre the same name
    order = [2, 0, 3, 1]
    shuffled_names, _ = sg.name_clusters(original.iloc[order].reset_index(drop=True))
    assert shuffled_names == [names[i] for i in order]


def test_names_stay_unique_and_cover_other_feature_sets():
    original = pd.DataFrame({"recency_days": [10.0, 12.0, 600.0], "frequency": [30.0, 28.0, 1.0], "monetary": [9e4, 8e4, 10.0]})
    names, _ = sg.name_clusters(original)
    assert len(set(names)) == 3
    fm, _ = sg.name_clusters(pd.DataFrame({"frequency": [30.0, 1.0], "monetary": [9e4, 10.0]}))
    assert fm == ["Champions", "Low Value"]
    afm, _ = sg.name_clusters(pd.DataFrame({"age": [30.0, 60.0], "frequency": [30.0, 1.0], "monetary": [9e4, 10.0]}))
    assert afm == ["Champions (younger)", "Low Value (older)"]


def test_every_cluster_name_has_one_action_from_the_seeds():
    rfm_segments = pd.read_csv(sg.SEEDS / "rfm_segments.csv")
    cluster_segments = pd.read_csv(sg.SEEDS / "cluster_segments.csv")
    names = set(sg.NAMES.values()) | {sg.SINGLE_CLUSTER_NAME}
    # each name is in exactly one of the seeds, so its action text exists once
    in_rfm, in_clusters = names & set(rfm_segments["rfm_segment"]), names & set(cluster_segments["segment_name"])
    assert in_rfm | in_clusters == names and not in_rfm & in_clusters
    assert set(cluster_segments["segment_name"]) <= names, "a cluster seed row no name uses"
    actions = sg.seed_segment_actions()
    champions = rfm_segments.set_index("rfm_segment").loc["Champions", "recommended_action"]
    assert sg.actions_for(["Champions", "Big Spenders"], actions)[0] == champions
    with pytest.raises(ValueError, match="cluster_segments.csv"):
        sg.actions_for(["Nobody"], actions)


def test_same_input_same_assignment_and_names_whatever_the_row_order():
    frame = customers(1200, seed=3)
    cfg = SegmentationConfig(k_min=2, k_max=5)
    first = sg.assign_from_parameters(frame, sg.parameters_table(sg.fit_segmentation(frame, cfg)))
    shuffled = frame.sample(frac=1, random_state=9)
    second = sg.assign_from_parameters(shuffled, sg.parameters_table(sg.fit_segmentation(shuffled, cfg)))
    pd.testing.assert_frame_equal(first.reset_index(drop=True), second.reset_index(drop=True))


def test_the_chosen_k_is_fitted_once_and_its_centroids_are_those_of_a_fit_on_the_sample():
    # fit_segmentation keeps the centroids it fitted while choosing k; they must be what one
    # fit of that k on the same sample gives (a changed sample or seed would make them differ)
    frame = customers(3000, seed=5)
    cfg = SegmentationConfig(k_min=2, k_max=5, fit_sample_size=1000)
    seg = sg.fit_segmentation(frame, cfg)
    usable = sg.prepare_features(frame, cfg.features)
    x = sg.fit_transform(usable, cfg).apply(usable)
    fit_x = x[sg.sample_rows(len(x), cfg.fit_sample_size, cfg.random_state)]
    # on one OpenMP thread, as fit_segmentation fits
    with threadpool_limits(limits=1, user_api="openmp"):
        refit = KMeans(n_clusters=seg.chosen_k, n_init=cfg.n_init, random_state=cfg.random_state).fit(fit_x).cluster_centers_
    # fit_segmentation numbers the clusters by value: compare the centroids as sets of rows
    np.testing.assert_array_equal(seg.centroids[np.lexsort(seg.centroids.T)], refit[np.lexsort(refit.T)])


def test_clusters_are_numbered_by_value_and_recover_the_groups():
    frame = customers(1500)
    seg = sg.fit_segmentation(frame, SegmentationConfig(k=3))
    out = sg.assign_from_parameters(frame, sg.parameters_table(seg))
    merged = out.merge(frame[["customer_id", "group"]], on="customer_id")
    # group 0 (recent big buyers) is cluster 1, group 2 (one-timers long ago) is cluster 3
    purity = merged.groupby("cluster_id")["group"].agg(lambda g: g.value_counts(normalize=True).iloc[0])
    assert (purity > 0.95).all()
    assert merged.groupby("cluster_id")["group"].agg(lambda g: g.mode().iloc[0]).tolist() == [0, 1, 2]
    assert out.loc[out["cluster_id"] == 1, "segment_name"].iloc[0] == "Champions"


def test_large_data_fits_on_a_sample_and_assigns_everyone():
    frame = customers(30_000)
    cfg = SegmentationConfig(k=3, fit_sample_size=5_000, silhouette_sample_size=2_000)
    seg = sg.fit_segmentation(frame, cfg)
    assert set(seg.selection["customers_evaluated"]) == {5_000}
    out = sg.assign_from_parameters(frame, sg.parameters_table(seg))
    assert len(out) == 30_000 and out["customer_id"].is_unique
    assert (out["distance_to_centroid"] >= 0).all()


def test_agglomerative_on_a_sample_assigns_the_rest_to_the_nearest_centre():
    frame = customers(3000)
    seg = sg.fit_segmentation(frame, SegmentationConfig(algorithm="agglomerative", k=3, agglomerative_sample_size=800))
    out = sg.assign_from_parameters(frame, sg.parameters_table(seg))
    assert out["cluster_id"].nunique() == 3 and len(out) == 3000


def test_tiny_data_is_one_segment_and_fixed_k_beyond_the_data_is_an_error():
    frame = customers(2)
    seg = sg.fit_segmentation(frame, SegmentationConfig())
    assert seg.chosen_k == 1 and seg.names == ["All Customers"]
    with pytest.raises(ValueError, match="distinct customers"):
        sg.fit_segmentation(customers(5), SegmentationConfig(k=7))


def test_parameters_rebuild_the_model_exactly():
    frame = customers(1000)
    seg = sg.fit_segmentation(frame, SegmentationConfig(k=3))
    transform, centroids, names, _, _ = sg.transform_from_parameters(sg.parameters_table(seg))
    assert np.allclose(centroids, seg.centroids) and names == seg.names
    assert np.allclose(transform.apply(frame), seg.transform.apply(frame))


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"features": "rfm,height"}, "unknown feature"),
        ({"scaler": "minmax"}, "segmentation_scaler"),
        ({"algorithm": "dbscan"}, "segmentation_algorithm"),
        ({"k": "0"}, "segmentation_k"),
        ({"cap_quantile": "1.5"}, "cap_quantile"),
        ({"k_min": "5", "k_max": "3"}, "k_min"),
    ],
)
def test_settings_are_validated_with_clear_errors(settings, message):
    with pytest.raises(ValueError, match=message):
        SegmentationConfig.from_settings(**settings)


def test_settings_from_dbt_strings():
    cfg = SegmentationConfig.from_settings(features="afm", k="4", k_min="2", cap_quantile="None", random_state="7", log_features="monetary")
    assert cfg.features == ("age", "frequency", "monetary") and cfg.k == 4 and cfg.cap_quantile is None
    assert cfg.random_state == 7 and cfg.log_features == ("monetary",)
    with pytest.raises(ValueError, match="customers file"):
        sg.prepare_features(pd.DataFrame({"customer_id": ["a"], "frequency": [1.0], "monetary": [1.0]}), cfg.features)


def test_the_fit_is_the_same_whatever_the_threads_the_caller_allows():
    # KMeans adds up its threads' partial sums, so with the default thread count the centroids'
    # last digits depend on the machine's cores; the fit must not (one OpenMP thread inside)
    frame = customers(20_000, seed=11)
    cfg = SegmentationConfig(k_min=2, k_max=4, fit_sample_size=20_000, silhouette_sample_size=2_000)
    tables = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="openmp"):
            tables.append(sg.parameters_table(sg.fit_segmentation(frame, cfg)))
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)
