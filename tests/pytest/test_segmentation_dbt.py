"""The segmentation through dbt: reproducible to the byte, configurable by vars, fine on 50 customers."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import frame, query, run_dbt
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from retail_segmentation.generator import Config, generate

pytestmark = pytest.mark.dbt

MARTS_SQL = "select table_name from information_schema.tables where table_schema = 'main' order by 1"


@pytest.fixture(scope="module")
def fixture_files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("segments")
    generate(Config(lines=6000, customers=400, seed=11), tmp / "sales.csv", customers_out=tmp / "customers.csv")
    return tmp, {"raw_sales_path": str(tmp / "sales.csv"), "raw_customers_path": str(tmp / "customers.csv")}


@pytest.fixture(scope="module")
def built(fixture_files):
    tmp, vars = fixture_files
    db = tmp / "first.duckdb"
    run_dbt(["build"], db, vars)
    return db


def test_two_builds_give_identical_marts(fixture_files, built):
    tmp, vars = fixture_files
    second = tmp / "second.duckdb"
    run_dbt(["build"], second, vars)
    marts = [r[0] for r in query(built, MARTS_SQL)]
    assert "dim_customer_segments" in marts
    for mart in marts:
        first_rows = query(built, f"select * from {mart} order by all")
        second_rows = query(second, f"select * from {mart} order by all")
        assert first_rows == second_rows, mart


@pytest.mark.parametrize(
    "vars, used, unused, k",
    [
        ({"segmentation_features": "fm", "segmentation_k": 3}, ["frequency", "monetary"], ["recency_days", "age"], 3),
        (
            {"segmentation_features": "afm", "segmentation_k": 4, "segmentation_scaler": "robust"},
            ["age", "frequency", "monetary"],
            ["recency_days"],
            4,
        ),
        (
            {"segmentation_algorithm": "agglomerative", "segmentation_k": 3, "segmentation_cap_quantile": 0.99},
            ["recency_days", "frequency", "monetary"],
            ["age"],
            3,
        ),
    ],
    ids=["fm", "afm-robust", "ward-capped"],
)
def test_features_k_and_algorithm_follow_the_vars(fixture_files, built, tmp_path, vars, used, unused, k):
    _, input_vars = fixture_files
    db = tmp_path / "retail.duckdb"
    shutil.copy(built, db)
    run_dbt(["build", "--select", "int_segment_model_fitted+"], db, {**input_vars, **vars})
    assert query(db, "select k from fct_segment_model_selection where is_chosen") == [(k,)]
    assert query(db, "select count(distinct cluster_id) from dim_customer_segments") == [(k,)]
    for feature in used:
        assert query(db, f"select count(*) from dim_customer_segments where {feature}_scaled is null") == [(0,)]
    for feature in unused:
        assert query(db, f"select count(*) from dim_customer_segments where {feature}_scaled is not null") == [(0,)]
    features = [
        r[0]
        for r in query(db, "select feature from dim_segment_model_parameters where parameter_type = 'transform' order by feature_position")
    ]
    assert sorted(features) == sorted(used)


@pytest.mark.parametrize(
    "name, value, allowed",
    [
        ("segmentation_scaler", "minmax", "one of standard | robust"),
        ("segmentation_k", "abc", "auto, or a whole number of at least 1"),
        ("segmentation_k", -1, "auto, or a whole number of at least 1"),
        ("segmentation_features", "foo", "rfm | fm | afm, or a comma list of recency_days, frequency, monetary, age"),
        ("raw_max_quarantined_share", 1.5, "a number from 0 to 1, like 0.2"),
        ("raw_min_order_date", "1/1/1990", "a date as yyyy-mm-dd"),
    ],
)
def test_a_bad_var_stops_the_build_before_any_model_runs(fixture_files, built, tmp_path, name, value, allowed):
    _, input_vars = fixture_files
    db = tmp_path / "retail.duckdb"
    shutil.copy(built, db)
    result = run_dbt(["build"], db, {**input_vars, name: value}, expect_ok=False)
    assert not result.ok
    assert f"var {name} is '{value}': it must be {allowed}." in result.output, result.output[-2000:]
    assert " START " not in result.output  # stopped when the project was parsed


def test_fifty_customers_build_end_to_end(tmp_path):
    generate(Config(lines=700, customers=50, seed=5, bad_rate=0.0), tmp_path / "sales.csv")
    db = tmp_path / "retail.duckdb"
    run_dbt(["build"], db, {"raw_sales_path": str(tmp_path / "sales.csv")})
    customers = query(db, "select count(*) from fct_customer_rfm")[0][0]
    assert 40 <= customers <= 50
    assert query(db, "select count(*) from dim_customer_segments") == [(customers,)]
    ks = [r[0] for r in query(db, "select k from fct_segment_model_selection order by k")]
    assert max(ks) <= customers // 10  # small data limits the range
    assert query(db, "select count(*) from dim_customers where age is not null") == [(0,)]


def test_the_chosen_ks_figures_are_those_of_the_published_segments(built):
    """fct_segment_model_selection's row for the chosen k, recomputed with scikit-learn from
    dim_customer_segments: on 400 customers the fitting sample is every customer, so the
    figures are those of the published clusters on the published scaled features."""
    segments = frame(built, "select * from dim_customer_segments order by customer_id")
    scaled = segments[[f"{feature}_scaled" for feature in ["recency_days", "frequency", "monetary", "age"]]].dropna(axis=1, how="all")
    x, labels = scaled.to_numpy(), segments["cluster_id"].to_numpy()
    chosen = frame(built, "select * from fct_segment_model_selection where is_chosen").iloc[0]
    assert chosen["k"] == len(np.unique(labels)) > 1
    assert chosen["customers_evaluated"] == len(segments)
    assert chosen["inertia"] == pytest.approx(float((segments["distance_to_centroid"] ** 2).sum()), rel=1e-6)
    assert chosen["silhouette"] == pytest.approx(silhouette_score(x, labels), rel=1e-9)
    assert chosen["calinski_harabasz"] == pytest.approx(calinski_harabasz_score(x, labels), rel=1e-9)
    assert chosen["davies_bouldin"] == pytest.approx(davies_bouldin_score(x, labels), rel=1e-9)
