"""Customer segmentation: pure functions the dbt Python models call (tested with pytest, no dbt).

The method, end to end:
1. features: RFM by default, or the seed notebooks' `frequency + monetary` / `age + frequency + monetary`;
2. transform: optional quantile capping, log1p of skewed features, then standard (or robust) scaling;
3. k: fixed, or `auto`: every candidate k is fitted and scored (inertia, silhouette,
   Calinski-Harabasz, Davies-Bouldin); the best silhouette wins, with the elbow as tie-break;
4. fit: KMeans (or ward agglomerative) on at most `fit_sample_size` customers; everyone is then
   assigned to the nearest centre, so 10 million customers cost one pass of arithmetic;
5. names: from the centroids' ranks in original units, never from cluster ids. Cluster ids are
   renumbered by value (1 = most valuable), so the same input gives the same ids and names.

Every fitted number (clip bounds, log flags, scaler centre and scale, centroids, PCA loadings) is
returned as a table: assign_from_parameters() needs nothing else, and neither does the SQL test
that reassigns every customer from that table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from threadpoolctl import threadpool_limits

from retail_segmentation.project import project_vars

# the features and named feature sets are the vars' (dbt_project.yml), as the var check reads them
FEATURE_SETS = {name: tuple(features) for name, features in project_vars()["segmentation_feature_sets"].items()}
ALL_FEATURES = tuple(project_vars()["segmentation_known_features"])
# for naming: which end of each feature is "good"
HIGHER_IS_BETTER = {"recency_days": False, "frequency": True, "monetary": True}


# The defaults are the dbt vars' (dbt_project.yml), so a pure-function call and a dbt build
# with no vars set fit the same model.
_DEFAULTS = project_vars()


def _features(setting: str) -> tuple[str, ...]:
    return FEATURE_SETS[setting] if setting in FEATURE_SETS else tuple(f.strip() for f in setting.split(","))


@dataclass(frozen=True)
class SegmentationConfig:
    features: tuple[str, ...] = _features(_DEFAULTS["segmentation_features"])
    log_features: str | tuple[str, ...] = _DEFAULTS["segmentation_log_features"]  # 'auto' (|skew| > 1), 'none', or names
    scaler: str = _DEFAULTS["segmentation_scaler"]  # or 'robust'
    cap_quantile: float | None = _DEFAULTS["segmentation_cap_quantile"]  # e.g. 0.99: clip at the 1st and 99th percentile
    k: int | str = _DEFAULTS["segmentation_k"]
    k_min: int = int(_DEFAULTS["segmentation_k_min"])
    k_max: int = int(_DEFAULTS["segmentation_k_max"])
    algorithm: str = _DEFAULTS["segmentation_algorithm"]  # or 'agglomerative' (ward)
    random_state: int = int(_DEFAULTS["segmentation_random_state"])
    n_init: int = int(_DEFAULTS["segmentation_n_init"])
    fit_sample_size: int = int(_DEFAULTS["segmentation_fit_sample_size"])
    agglomerative_sample_size: int = 10_000
    silhouette_sample_size: int = int(_DEFAULTS["segmentation_silhouette_sample_size"])
    silhouette_tolerance: float = 0.01

    @classmethod
    def from_settings(cls, **settings) -> SegmentationConfig:
        """Build from dbt config values (strings, None for unset); validate with clear errors."""
        clean = {key: value for key, value in settings.items() if value not in (None, "", "None")}
        features = clean.pop("features", _DEFAULTS["segmentation_features"])
        features = _features(features) if isinstance(features, str) else tuple(features)
        unknown = [f for f in features if f not in ALL_FEATURES]
        if unknown or not features:
            raise ValueError(f"segmentation_features: unknown feature(s) {unknown}; use {sorted(FEATURE_SETS)} or a list of {ALL_FEATURES}")
        log_features = clean.pop("log_features", _DEFAULTS["segmentation_log_features"])
        if isinstance(log_features, str) and log_features not in ("auto", "none"):
            log_features = tuple(f.strip() for f in log_features.split(","))
        elif isinstance(log_features, list):
            log_features = tuple(log_features)
        k = clean.pop("k", _DEFAULTS["segmentation_k"])
        if str(k) != "auto":
            k = int(k)
            if k < 1:
                raise ValueError("segmentation_k must be 'auto' or a positive whole number")
        whole_numbers = (
            "k_min",
            "k_max",
            "random_state",
            "n_init",
            "fit_sample_size",
            "agglomerative_sample_size",
            "silhouette_sample_size",
        )
        ints = {name: int(clean.pop(name)) for name in list(clean) if name in whole_numbers}
        cap = clean.pop("cap_quantile", None)
        cfg = cls(features=features, log_features=log_features, k=k, cap_quantile=float(cap) if cap is not None else None, **ints, **clean)
        if cfg.scaler not in ("standard", "robust"):
            raise ValueError(f"segmentation_scaler must be 'standard' or 'robust', got {cfg.scaler!r}")
        if cfg.algorithm not in ("kmeans", "agglomerative"):
            raise ValueError(f"segmentation_algorithm must be 'kmeans' or 'agglomerative', got {cfg.algorithm!r}")
        if cfg.cap_quantile is not None and not 0.5 < cfg.cap_quantile < 1:
            raise ValueError("segmentation_cap_quantile must be between 0.5 and 1 (e.g. 0.99)")
        if not 2 <= cfg.k_min <= cfg.k_max:
            raise ValueError("segmentation_k_min and segmentation_k_max need 2 <= k_min <= k_max")
        return cfg


@dataclass
class Transform:
    """Everything needed to turn raw features into the scaled space, feature by feature."""

    features: tuple[str, ...]
    log1p: dict[str, bool]
    clip_lower: dict[str, float]
    clip_upper: dict[str, float]
    center: dict[str, float]
    scale: dict[str, float]

    def apply(self, frame: pd.DataFrame) -> np.ndarray:
        columns = []
        for f in self.features:
            x = frame[f].to_numpy(dtype=float)
            x = np.clip(x, self.clip_lower[f], self.clip_upper[f])
            if self.log1p[f]:
                x = np.log1p(x)
            columns.append((x - self.center[f]) / self.scale[f])
        return np.column_stack(columns)


def prepare_features(frame: pd.DataFrame, features: tuple[str, ...]) -> pd.DataFrame:
    """Customers with every feature present, sorted by customer_id (so row order never matters)."""
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise ValueError(f"features {missing} are not in the input (age needs the customers file)")
    usable = frame.dropna(subset=list(features))
    # The dbt models read their input ordered by customer_id (DuckDB sorts on both cores, pandas
    # on one): check, sort if not.
    if not usable["customer_id"].is_monotonic_increasing:
        usable = usable.sort_values("customer_id", kind="stable")
    usable = usable.reset_index(drop=True)
    if usable.empty:
        raise ValueError(f"no customer has all of {list(features)}: with age, give raw_customers_path")
    return usable


def fit_transform(frame: pd.DataFrame, cfg: SegmentationConfig) -> Transform:
    log1p, lower, upper, center, scale = {}, {}, {}, {}, {}
    for f in cfg.features:
        x = frame[f].to_numpy(dtype=float)
        # log1p needs x > -1: monetary can be negative after cancellations, so clip at 0 first
        if cfg.cap_quantile is not None:
            lower[f], upper[f] = (float(v) for v in np.quantile(x, [1 - cfg.cap_quantile, cfg.cap_quantile]))
        else:
            lower[f], upper[f] = float(x.min()), float(x.max())
        if cfg.log_features == "auto":
            skewed = float(pd.Series(x).skew()) > 1 if len(x) > 2 else False
        elif cfg.log_features == "none":
            skewed = False
        else:
            skewed = f in cfg.log_features
        log1p[f] = bool(skewed)
        if skewed:
            lower[f] = max(lower[f], 0.0)
        x = np.clip(x, lower[f], upper[f])
        x = np.log1p(x) if skewed else x
        if cfg.scaler == "robust":
            q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
            center[f], spread = float(med), float(q3 - q1)
        else:
            center[f], spread = float(x.mean()), float(x.std())
        scale[f] = spread if spread > 0 else 1.0
    return Transform(tuple(cfg.features), log1p, lower, upper, center, scale)


def sample_rows(n: int, size: int, random_state: int) -> np.ndarray:
    """Sorted row indices of a reproducible sample (all rows when n <= size)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(random_state).choice(n, size, replace=False))


def candidate_ks(n_distinct: int, cfg: SegmentationConfig) -> list[int]:
    """k_min..k_max, limited by the data: at most one cluster per 10 distinct customers."""
    upper = min(cfg.k_max, n_distinct - 1, max(cfg.k_min, n_distinct // 10))
    return list(range(cfg.k_min, upper + 1)) if upper >= cfg.k_min else []


def _kmeans(k: int, cfg: SegmentationConfig) -> KMeans:
    return KMeans(n_clusters=k, n_init=cfg.n_init, random_state=cfg.random_state)


def _fit_labels(x: np.ndarray, k: int, cfg: SegmentationConfig) -> tuple[np.ndarray, np.ndarray]:
    """(labels, centroids) of one fit on x."""
    if cfg.algorithm == "agglomerative":
        labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)
        centroids = np.vstack([x[labels == c].mean(axis=0) for c in range(k)])
        return labels, centroids
    model = _kmeans(k, cfg).fit(x)
    return model.labels_, model.cluster_centers_


def evaluate_ks(x: np.ndarray, cfg: SegmentationConfig) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """Every candidate k's figures on the fitting sample, and its centroids (fit_segmentation
    keeps the chosen k's instead of fitting it again on the same sample)."""
    size = cfg.agglomerative_sample_size if cfg.algorithm == "agglomerative" else cfg.fit_sample_size
    fit_x = x[sample_rows(len(x), size, cfg.random_state)]
    n_distinct = len(np.unique(fit_x, axis=0))
    ks = candidate_ks(n_distinct, cfg)
    if cfg.k != "auto" and int(cfg.k) not in ks:
        if int(cfg.k) > n_distinct - 1 and int(cfg.k) != 1:
            raise ValueError(f"segmentation_k = {cfg.k} needs more than {cfg.k} distinct customers; there are {n_distinct}")
        ks = sorted(set(ks) | {int(cfg.k)})
    rows, fitted = [], {}
    for k in ks:
        labels, centroids = _fit_labels(fit_x, k, cfg)
        fitted[k] = centroids
        inertia = float(((fit_x - centroids[labels]) ** 2).sum())
        distinct_labels = len(np.unique(labels))
        ok = 1 < distinct_labels < len(fit_x)
        rows.append(
            {
                "k": k,
                "inertia": inertia,
                "silhouette": float(
                    silhouette_score(fit_x, labels, sample_size=min(cfg.silhouette_sample_size, len(fit_x)), random_state=cfg.random_state)
                )
                if ok
                else np.nan,
                "calinski_harabasz": float(calinski_harabasz_score(fit_x, labels)) if ok else np.nan,
                "davies_bouldin": float(davies_bouldin_score(fit_x, labels)) if ok else np.nan,
                "customers_evaluated": len(fit_x),
            }
        )  # fmt: skip
    columns = ["k", "inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "customers_evaluated"]
    return pd.DataFrame(rows, columns=columns), fitted


def elbow_k(selection: pd.DataFrame) -> int | None:
    """The k farthest below the straight line from the first to the last inertia (the knee)."""
    if len(selection) < 3:
        return None
    k = selection["k"].to_numpy(dtype=float)
    inertia = selection["inertia"].to_numpy(dtype=float)
    k_n = (k - k[0]) / (k[-1] - k[0])
    span = inertia[0] - inertia[-1]
    i_n = (inertia - inertia[-1]) / span if span > 0 else np.zeros_like(inertia)
    return int(k[np.argmax((1 - k_n) - i_n)])


def choose_k(selection: pd.DataFrame, cfg: SegmentationConfig) -> tuple[int, str]:
    """(k, why). Fixed k as configured; auto: best silhouette, elbow as tie-break."""
    if selection.empty:
        return 1, "too few distinct customers to compare clusterings: everyone is one segment"
    if cfg.k != "auto":
        return int(cfg.k), f"fixed by segmentation_k = {cfg.k}"
    scored = selection.dropna(subset=["silhouette"])
    if scored.empty:
        return int(selection["k"].min()), "no candidate had a defined silhouette: smallest k"
    best = scored["silhouette"].max()
    close = scored[scored["silhouette"] >= best - cfg.silhouette_tolerance]
    if len(close) == 1:
        k = int(close["k"].iloc[0])
        return k, f"highest silhouette ({best:.3f}) of k = {scored['k'].min()}..{scored['k'].max()}"
    knee = elbow_k(selection)
    ks = close["k"].to_numpy()
    k = int(ks[np.argmin(np.abs(ks - knee))]) if knee is not None else int(ks.min())
    return k, (
        f"silhouettes of k = {', '.join(map(str, ks))} within {cfg.silhouette_tolerance} of the best ({best:.3f}); "
        f"the elbow of inertia is at k = {knee}, so k = {k}"
    )


def nearest(x: np.ndarray, centroids: np.ndarray, chunk: int = 1_000_000) -> tuple[np.ndarray, np.ndarray]:
    """Index of and Euclidean distance to the nearest centroid, in chunks (flat memory)."""
    labels = np.empty(len(x), dtype=np.int64)
    distances = np.empty(len(x))
    for start in range(0, len(x), chunk):
        part = x[start : start + chunk]
        d2 = ((part[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        labels[start : start + chunk] = d2.argmin(axis=1)
        distances[start : start + chunk] = np.sqrt(d2.min(axis=1))
    return labels, distances


def centroids_in_original_units(centroids: np.ndarray, transform: Transform) -> pd.DataFrame:
    out = {}
    for j, f in enumerate(transform.features):
        v = centroids[:, j] * transform.scale[f] + transform.center[f]
        out[f] = np.expm1(v) if transform.log1p[f] else v
    return pd.DataFrame(out)


def order_by_value(original: pd.DataFrame) -> np.ndarray:
    """Cluster order, most valuable first: by mean rank over the features that have a good end
    (recency lower, frequency and monetary higher), then by monetary, frequency."""
    ranks = []
    for f, higher in HIGHER_IS_BETTER.items():
        if f in original:
            ranks.append(original[f].rank(ascending=not higher, method="min"))
    score = pd.concat(ranks, axis=1).mean(axis=1) if ranks else pd.Series(0.0, index=original.index)
    keys = pd.DataFrame({"score": score, "m": -original.get("monetary", 0), "f": -original.get("frequency", 0)})
    return keys.sort_values(["score", "m", "f"], kind="stable").index.to_numpy()


# (recent, frequent, high value) -> name. None where the feature is not used. Each name's
# recommended action is data: seeds/rfm_segments.csv for the names RFM segments share
# (Champions, At Risk, Can't Lose Them, Lost), seeds/cluster_segments.csv for the others.
NAMES = {
    (True, True, True): "Champions",
    (True, True, False): "Loyal Regulars",
    (True, False, True): "Big Spenders",
    (True, False, False): "New and Occasional",
    (False, True, True): "Can't Lose Them",
    (False, True, False): "At Risk",
    (False, False, True): "Fading Big Spenders",
    (False, False, False): "Lost",
    (None, True, True): "Champions",
    (None, True, False): "Frequent Low Spenders",
    (None, False, True): "Big Spenders",
    (None, False, False): "Low Value",
}
SINGLE_CLUSTER_NAME = "All Customers"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def segment_actions(rfm_segments: pd.DataFrame, cluster_segments: pd.DataFrame) -> dict[str, str]:
    """Segment name -> recommended action, from the two seeds (as dbt loaded them, or as files)."""
    actions = dict(zip(cluster_segments["segment_name"], cluster_segments["recommended_action"]))
    actions.update(zip(rfm_segments["rfm_segment"], rfm_segments["recommended_action"]))
    return actions


def seed_segment_actions() -> dict[str, str]:
    """segment_actions() of the seed files in this repository (for callers outside dbt)."""
    return segment_actions(pd.read_csv(SEEDS / "rfm_segments.csv"), pd.read_csv(SEEDS / "cluster_segments.csv"))


def name_clusters(original: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Names from each centroid's rank in original units: in the better half of clusters on
    recency / frequency / monetary or not. With age, '(younger)' or '(older)' is added. Names
    are made unique by ' 2', ' 3' in value order (rows must be in value order). Returns the
    names and each one's base name (the NAMES entry), by which its action is found."""
    k = len(original)
    if k == 1:
        return [SINGLE_CLUSTER_NAME], [SINGLE_CLUSTER_NAME]
    half = (k + 1) // 2

    def better_half(feature: str) -> list[bool | None]:
        if feature not in original:
            return [None] * k
        rank = original[feature].rank(ascending=not HIGHER_IS_BETTER[feature], method="first")
        return list(rank <= half)

    recent, frequent, high = better_half("recency_days"), better_half("frequency"), better_half("monetary")
    names, base_names = [], []
    for i in range(k):
        f = frequent[i] if frequent[i] is not None else True
        m = high[i] if high[i] is not None else True
        name = base_name = NAMES[(recent[i], f, m)]
        if "age" in original and k > 1:
            younger = original["age"].rank(method="first").iloc[i] <= half
            name += " (younger)" if younger else " (older)"
        names.append(name)
        base_names.append(base_name)
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return unique, base_names


def actions_for(base_names: list[str], actions: dict[str, str]) -> list[str]:
    missing = sorted(set(base_names) - set(actions))
    if missing:
        raise ValueError(f"segment name(s) {missing} have no recommended_action: add them to seeds/cluster_segments.csv")
    return [actions[name] for name in base_names]


@dataclass
class Segmentation:
    transform: Transform
    centroids: np.ndarray  # scaled space, row i = cluster_id i + 1
    names: list[str]
    actions: list[str]
    selection: pd.DataFrame
    chosen_k: int
    reason: str
    pca: PCA | None = field(default=None)


def fit_segmentation(frame: pd.DataFrame, cfg: SegmentationConfig, actions: dict[str, str] | None = None) -> Segmentation:
    """Transform, choose k, fit, order clusters by value and name them. `actions` maps each
    segment name to its recommended action (segment_actions(); default: the seed files).

    The fit runs on one OpenMP thread. KMeans sums each thread's share of the points and then
    adds the shares up, so the centroids' last digits depend on how many threads there were:
    a machine with more cores would fit other centroids from the same input (scikit-learn issue
    27518). The limit holds for the calling thread only (an OpenMP setting is per thread), so
    models fitting at the same time in other dbt threads keep theirs."""
    with threadpool_limits(limits=1, user_api="openmp"):
        return _fit_segmentation(frame, cfg, actions)


def _fit_segmentation(frame: pd.DataFrame, cfg: SegmentationConfig, actions: dict[str, str] | None) -> Segmentation:
    usable = prepare_features(frame, cfg.features)
    transform = fit_transform(usable, cfg)
    x = transform.apply(usable)
    selection, fitted = evaluate_ks(x, cfg)
    k, reason = choose_k(selection, cfg)
    # The chosen k was fitted on the sample while choosing (a fixed k too); k = 1 is everyone's mean
    centroids = fitted[k] if k > 1 else x.mean(axis=0, keepdims=True)
    original = centroids_in_original_units(centroids, transform)
    order = order_by_value(original)
    centroids, original = centroids[order], original.iloc[order].reset_index(drop=True)
    names, base_names = name_clusters(original)
    cluster_actions = actions_for(base_names, actions if actions is not None else seed_segment_actions())
    selection = selection.assign(is_chosen=selection["k"] == k, selection_reason=np.where(selection["k"] == k, reason, None))
    if k not in set(selection["k"]):
        row = {"k": k, "customers_evaluated": len(x), "is_chosen": True, "selection_reason": reason}
        selection = pd.concat([selection, pd.DataFrame([row])], ignore_index=True)
    n_components = min(2, x.shape[1])
    pca = PCA(n_components=n_components, random_state=cfg.random_state).fit(x[sample_rows(len(x), cfg.fit_sample_size, cfg.random_state)])
    return Segmentation(transform, centroids, names, cluster_actions, selection, k, reason, pca)


def parameters_table(seg: Segmentation) -> pd.DataFrame:
    """The fitted model as rows: one 'transform' row per feature, one 'centroid' row per cluster
    and feature. Enough to assign a new customer anywhere, in SQL:
    scaled = (ln(1 + clip(x)) or clip(x) - scaler_center) / scaler_scale; nearest centroid_scaled."""
    t = seg.transform
    rows = []
    for position, f in enumerate(t.features, start=1):
        loadings = seg.pca.components_[:, position - 1] if seg.pca is not None else [np.nan, np.nan]
        rows.append(
            {"parameter_type": "transform", "cluster_id": None, "segment_name": None, "recommended_action": None,
             "feature": f, "feature_position": position, "is_log1p": t.log1p[f], "clip_lower": t.clip_lower[f],
             "clip_upper": t.clip_upper[f], "scaler_center": t.center[f], "scaler_scale": t.scale[f],
             "pca_mean": float(seg.pca.mean_[position - 1]) if seg.pca is not None else np.nan,
             "pca_1_loading": float(loadings[0]), "pca_2_loading": float(loadings[1]) if len(loadings) > 1 else np.nan,
             "centroid_scaled": np.nan, "centroid_original": np.nan}
        )  # fmt: skip
    original = centroids_in_original_units(seg.centroids, t)
    for c in range(len(seg.centroids)):
        for position, f in enumerate(t.features, start=1):
            rows.append(
                {"parameter_type": "centroid", "cluster_id": c + 1, "segment_name": seg.names[c],
                 "recommended_action": seg.actions[c], "feature": f, "feature_position": position,
                 "is_log1p": t.log1p[f], "clip_lower": np.nan, "clip_upper": np.nan, "scaler_center": np.nan,
                 "scaler_scale": np.nan, "pca_mean": np.nan, "pca_1_loading": np.nan, "pca_2_loading": np.nan,
                 "centroid_scaled": float(seg.centroids[c, position - 1]), "centroid_original": float(original[f].iloc[c])}
            )  # fmt: skip
    table = pd.DataFrame(rows)
    table["cluster_id"] = table["cluster_id"].astype("Int64")
    return table


def transform_from_parameters(parameters: pd.DataFrame) -> tuple[Transform, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Rebuild (transform, centroids, names, pca mean, pca loadings) from parameters_table()."""
    tr = parameters[parameters["parameter_type"] == "transform"].sort_values("feature_position")
    features = tuple(tr["feature"])
    transform = Transform(
        features,
        dict(zip(features, tr["is_log1p"].astype(bool))),
        dict(zip(features, tr["clip_lower"].astype(float))),
        dict(zip(features, tr["clip_upper"].astype(float))),
        dict(zip(features, tr["scaler_center"].astype(float))),
        dict(zip(features, tr["scaler_scale"].astype(float))),
    )
    ce = parameters[parameters["parameter_type"] == "centroid"].sort_values(["cluster_id", "feature_position"])
    k = int(ce["cluster_id"].max())
    centroids = ce["centroid_scaled"].to_numpy(dtype=float).reshape(k, len(features))
    names = list(ce.drop_duplicates("cluster_id")["segment_name"])
    pca_mean = tr["pca_mean"].to_numpy(dtype=float)
    loadings = tr[["pca_1_loading", "pca_2_loading"]].to_numpy(dtype=float).T
    return transform, centroids, names, pca_mean, loadings


def assign_from_parameters(frame: pd.DataFrame, parameters: pd.DataFrame) -> pd.DataFrame:
    """One row per customer with every feature: cluster, name, features raw and scaled, distance
    to the centre, two PCA coordinates. Uses only the parameters table: no refit."""
    transform, centroids, names, pca_mean, loadings = transform_from_parameters(parameters)
    usable = prepare_features(frame, transform.features)
    x = transform.apply(usable)
    labels, distances = nearest(x, centroids)
    coords = (x - pca_mean) @ np.nan_to_num(loadings).T
    out = pd.DataFrame({"customer_id": usable["customer_id"].astype(str), "cluster_id": labels + 1})
    out["segment_name"] = np.asarray(names, dtype=object)[labels]
    for f in ALL_FEATURES:
        out[f] = usable[f].astype(float) if f in usable and f in transform.features else np.nan
    for f in ALL_FEATURES:
        out[f"{f}_scaled"] = x[:, transform.features.index(f)] if f in transform.features else np.nan
    out["distance_to_centroid"] = distances
    out["pca_1"] = coords[:, 0]
    out["pca_2"] = coords[:, 1] if coords.shape[1] > 1 else np.nan
    return out
