"""Every number of the marts, recomputed another way (pandas) on a small generated fixture."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT, frame, query, run_dbt

from retail_segmentation.generator import Config, generate

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("marts")
    generate(Config(lines=6000, customers=400, seed=7, bad_rate=0.01), tmp / "sales.csv", customers_out=tmp / "customers.csv")
    db = tmp / "retail.duckdb"
    run_dbt(["build"], db, {"raw_sales_path": str(tmp / "sales.csv"), "raw_customers_path": str(tmp / "customers.csv")})
    lines = frame(db, "select * from staging.stg_sales__order_lines")
    for col in ["quantity"]:
        lines[col] = lines[col].astype("int64")
    for col in ["unit_price", "unit_cost", "discount_rate", "gross_revenue", "net_revenue", "discount_amount", "cost_amount"]:
        lines[col] = lines[col].astype(float)
    lines["order_date"] = pd.to_datetime(lines["order_date"])
    lines["month"] = lines["order_date"].dt.to_period("M").dt.to_timestamp()
    return db, lines


def close(a, b) -> bool:
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9, atol=0.005)


def test_fct_sales_is_the_clean_lines_with_margin_and_lead_times(fixture_build):
    db, lines = fixture_build
    sales = frame(db, "select * from fct_sales order by order_line_id")
    expected = lines.sort_values("order_line_id").reset_index(drop=True)
    assert len(sales) == len(expected)
    assert close(sales["gross_margin"], expected["net_revenue"] - expected["cost_amount"])
    ship = (pd.to_datetime(expected["ship_date"]) - expected["order_date"]).dt.days
    assert close(sales["ship_lead_days"].astype(float), ship)
    delivery = (pd.to_datetime(expected["delivery_date"]) - expected["order_date"]).dt.days
    assert close(sales["delivery_lead_days"].astype(float), delivery)


def test_dim_customers_lifetime_figures_and_demographics(fixture_build, tmp_path_factory):
    db, lines = fixture_build
    got = frame(db, "select * from dim_customers").set_index("customer_id").sort_index()
    per_customer = lines.groupby("customer_id").agg(
        orders=("order_id", "nunique"),
        net_revenue=("net_revenue", "sum"),
        quantity=("quantity", "sum"),
        first_order_date=("order_date", "min"),
        last_order_date=("order_date", "max"),
    )
    assert list(got.index) == list(per_customer.index)
    assert (got["orders"] == per_customer["orders"]).all()
    assert (got["quantity"] == per_customer["quantity"]).all()
    assert close(got["net_revenue"], per_customer["net_revenue"])
    assert (pd.to_datetime(got["first_order_date"]) == per_customer["first_order_date"]).all()
    assert (pd.to_datetime(got["last_order_date"]) == per_customer["last_order_date"]).all()
    ranked = per_customer.reset_index().sort_values(["net_revenue", "customer_id"], ascending=[False, True])
    assert list(got.sort_values("net_revenue_rank").index) == list(ranked["customer_id"])
    assert got["age"].notna().all() and got["income"].notna().all()


def percent_rank_score(values: pd.Series, higher_is_better: bool) -> pd.Series:
    ranks = (values if higher_is_better else -values).rank(method="min")
    pct = (ranks - 1) / (len(values) - 1)
    return np.minimum(5, 1 + np.floor(5 * pct)).astype(int)


def expected_rfm(lines: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    kept = lines[lines["order_date"] <= as_of]
    rfm = kept.groupby("customer_id").agg(
        last=("order_date", "max"), first=("order_date", "min"), frequency=("order_id", "nunique"), monetary=("net_revenue", "sum")
    )
    rfm["recency_days"] = (as_of - rfm["last"]).dt.days
    rfm["tenure_days"] = (as_of - rfm["first"]).dt.days
    rfm["r_score"] = percent_rank_score(rfm["recency_days"], higher_is_better=False)
    rfm["f_score"] = percent_rank_score(rfm["frequency"], higher_is_better=True)
    rfm["m_score"] = percent_rank_score(rfm["monetary"].round(2), higher_is_better=True)
    segment_map = pd.read_csv(PROJECT / "seeds" / "rfm_segment_map.csv")
    rfm = rfm.reset_index().merge(segment_map, on=["r_score", "f_score"], how="left")
    return rfm.set_index("customer_id").sort_index()


def test_fct_customer_rfm_matches_pandas(fixture_build):
    db, lines = fixture_build
    got = frame(db, "select * from fct_customer_rfm").set_index("customer_id").sort_index()
    as_of = lines["order_date"].max() + pd.Timedelta(days=1)
    expected = expected_rfm(lines, as_of)
    assert list(got.index) == list(expected.index)
    assert (pd.to_datetime(got["rfm_as_of_date"]) == as_of).all()
    for col in ["recency_days", "frequency", "tenure_days", "r_score", "f_score", "m_score"]:
        assert (got[col].astype(int) == expected[col].astype(int)).all(), col
    assert close(got["monetary"], expected["monetary"])
    assert (got["rfm_segment"] == expected["rfm_segment"]).all()
    assert (got["rfm_cell"] == expected[["r_score", "f_score", "m_score"]].astype(str).agg("".join, axis=1)).all()
    # every score level that the data allows is used, and the best customers are the Champions
    assert set(got["r_score"]) == {1, 2, 3, 4, 5}
    champions = got[got["rfm_segment"] == "Champions"]
    assert champions["frequency"].mean() > got["frequency"].mean()


def test_rfm_history_snapshots_match_pandas(fixture_build):
    """Every snapshot of fct_rfm_segment_history: the RFM of the orders on or before its day,
    scored among that snapshot's customers; the as-of date and the eleven month starts before it."""
    db, lines = fixture_build
    history = frame(db, "select * from fct_rfm_segment_history")
    history["snapshot_date"] = pd.to_datetime(history["snapshot_date"])
    as_of = lines["order_date"].max() + pd.Timedelta(days=1)
    month_starts = pd.date_range(end=as_of - pd.Timedelta(days=1), periods=11, freq="MS")
    assert sorted(history["snapshot_date"].unique()) == [*month_starts, as_of]
    for snapshot, got in history.groupby("snapshot_date"):
        got = got.set_index("customer_id").sort_index()
        expected = expected_rfm(lines, snapshot)
        assert list(got.index) == list(expected.index), snapshot
        for col in ["recency_days", "frequency", "r_score", "f_score", "m_score"]:
            assert (got[col].astype(int) == expected[col].astype(int)).all(), (snapshot, col)
        assert close(got["monetary"], expected["monetary"]), snapshot
        assert (got["rfm_segment"] == expected["rfm_segment"]).all(), snapshot


def test_rfm_as_of_date_leaves_later_orders_out(fixture_build, tmp_path):
    db, lines = fixture_build
    copy = tmp_path / "retail.duckdb"
    shutil.copy(db, copy)
    run_dbt(["run", "--select", "int_customers_rfm_scored", "fct_customer_rfm"], copy, {"rfm_as_of_date": "2019-06-30"})
    got = frame(copy, "select * from fct_customer_rfm").set_index("customer_id").sort_index()
    expected = expected_rfm(lines, pd.Timestamp("2019-06-30"))
    assert len(got) == len(expected) < lines["customer_id"].nunique()
    assert (got["recency_days"].astype(int) == expected["recency_days"]).all()
    assert (got["frequency"].astype(int) == expected["frequency"]).all()
    assert (got["r_score"] == expected["r_score"]).all()
    assert close(got["monetary"], expected["monetary"])


def test_segment_summary_matches_pandas(fixture_build):
    db, _ = fixture_build
    rfm = frame(db, "select * from fct_customer_rfm")
    rfm["monetary"] = rfm["monetary"].astype(float)
    got = frame(db, "select * from fct_rfm_segment_summary").set_index("rfm_segment")
    expected = rfm.groupby("rfm_segment").agg(
        customers=("customer_id", "count"), net_revenue=("monetary", "sum"), avg_f=("frequency", "mean")
    )
    segments = pd.read_csv(PROJECT / "seeds" / "rfm_segments.csv")
    assert set(got.index) == set(segments["rfm_segment"])
    for segment, row in got.iterrows():
        if segment in expected.index:
            assert row["customers"] == expected.loc[segment, "customers"]
            assert close(row["net_revenue"], expected.loc[segment, "net_revenue"])
            assert close(row["share_of_customers"], expected.loc[segment, "customers"] / len(rfm))
            assert close(row["average_frequency"], expected.loc[segment, "avg_f"])
        else:
            assert row["customers"] == 0
    assert close(got["share_of_customers"].sum(), 1.0) and close(got["share_of_net_revenue"].sum(), 1.0)


def test_segment_profiles_match_pandas(fixture_build):
    """Every figure of fct_customer_segment_profiles, recomputed from the segmented customers' RFM."""
    db, _ = fixture_build
    customers = frame(
        db,
        "select segments.cluster_id, rfm.recency_days, rfm.frequency, rfm.monetary"
        " from dim_customer_segments as segments inner join fct_customer_rfm as rfm using (customer_id)",
    ).astype({"recency_days": float, "frequency": float, "monetary": float})
    got = frame(db, "select * from fct_customer_segment_profiles").set_index("cluster_id").sort_index()
    by_cluster = customers.groupby("cluster_id")
    expected = pd.DataFrame(
        {
            "customers": by_cluster.size(),
            "net_revenue": by_cluster["monetary"].sum(),
            **{f"average_{name}": by_cluster[name].mean() for name in ["recency_days", "frequency", "monetary"]},
            **{f"median_{name}": by_cluster[name].median() for name in ["recency_days", "frequency", "monetary"]},
        }
    ).sort_index()
    expected["share_of_customers"] = expected["customers"] / len(customers)
    expected["share_of_net_revenue"] = expected["net_revenue"] / customers["monetary"].sum()
    assert list(got.index) == list(expected.index) and len(got) >= 2
    for column in expected.columns:
        assert close(got[column].astype(float), expected[column]), column
    assert close(got["share_of_customers"].sum(), 1.0) and close(got["share_of_net_revenue"].sum(), 1.0)


@pytest.mark.parametrize(
    "mart, member",
    [("fct_channel_performance", "sales_channel"), ("fct_store_performance", "store_id"), ("fct_product_performance", "product_id")],
)
def test_monthly_member_performance_matches_pandas(fixture_build, mart, member):
    db, lines = fixture_build
    got = frame(db, f"select * from {mart}")
    got["month_start_date"] = pd.to_datetime(got["month_start_date"])
    got = got.set_index(["month_start_date", member]).sort_index()
    expected = lines.groupby(["month", member]).agg(
        orders=("order_id", "nunique"),
        customers=("customer_id", "nunique"),
        quantity=("quantity", "sum"),
        gross_revenue=("gross_revenue", "sum"),
        net_revenue=("net_revenue", "sum"),
        average_discount_rate=("discount_rate", "mean"),
        cost_amount=("cost_amount", "sum"),
    )
    expected.index.names = ["month_start_date", member]
    expected["share"] = expected["net_revenue"] / expected.groupby(level=0)["net_revenue"].transform("sum")
    expected = expected.sort_index()
    assert list(got.index) == list(expected.index)
    for col in ["orders", "customers", "quantity"]:
        assert (got[col].to_numpy() == expected[col].to_numpy()).all(), col
    for col in ["gross_revenue", "net_revenue", "average_discount_rate", "cost_amount"]:
        assert close(got[col], expected[col]), col
    assert close(got["gross_margin"], expected["net_revenue"] - expected["cost_amount"])
    assert close(got["share_of_month_net_revenue"], expected["share"])


@pytest.mark.parametrize("mart, member", [("dim_stores", "store_id"), ("dim_products", "product_id")])
def test_member_lifetime_figures_match_pandas(fixture_build, mart, member):
    db, lines = fixture_build
    got = frame(db, f"select * from {mart}").set_index(member).sort_index()
    expected = (
        lines.dropna(subset=[member])
        .assign(gross_margin=lambda frame: frame["net_revenue"] - frame["cost_amount"])
        .groupby(member)
        .agg(
            orders=("order_id", "nunique"),
            customers=("customer_id", "nunique"),
            quantity=("quantity", "sum"),
            net_revenue=("net_revenue", "sum"),
            gross_margin=("gross_margin", "sum"),
            average_discount_rate=("discount_rate", "mean"),
            first_order_date=("order_date", "min"),
            last_order_date=("order_date", "max"),
        )
        .sort_index()
    )
    # rank 1 is the highest net revenue; ties go to the lower id
    ranked = expected.reset_index().sort_values(["net_revenue", member], ascending=[False, True])
    expected["net_revenue_rank"] = pd.Series(range(1, len(ranked) + 1), index=ranked[member].to_numpy())
    assert list(got.index) == list(expected.index) and len(got) >= 2
    for col in ["orders", "customers", "quantity", "net_revenue_rank"]:
        assert (got[col].to_numpy() == expected[col].to_numpy()).all(), col
    for col in ["net_revenue", "gross_margin", "average_discount_rate"]:
        assert close(got[col], expected[col]), col
    for col in ["first_order_date", "last_order_date"]:
        assert (pd.to_datetime(got[col]).to_numpy() == expected[col].to_numpy()).all(), col


def test_data_quality_counts_every_line_by_file_and_outcome(fixture_build):
    db, lines = fixture_build
    refused = frame(db, "select source_file, quarantine_reason from staging.stg_sales__quarantined_order_lines")
    assert len(refused) > 0, "the fixture's bad_rate should give quarantined lines"
    loaded = lines.groupby("source_file").size().to_frame("order_lines").assign(line_outcome="loaded")
    by_reason = refused.groupby(["source_file", "quarantine_reason"]).size().to_frame("order_lines")
    quarantined = by_reason.reset_index("quarantine_reason").rename(columns={"quarantine_reason": "line_outcome"})
    expected = pd.concat([loaded, quarantined]).set_index("line_outcome", append=True).sort_index()
    got = frame(db, "select * from fct_data_quality").set_index(["source_file", "line_outcome"]).sort_index()
    assert list(got.index) == list(expected.index)
    assert got["order_lines"].tolist() == expected["order_lines"].tolist()
    assert (got["is_quarantined"] == (got.index.get_level_values("line_outcome") != "loaded")).all()
    shares = expected["order_lines"] / expected.groupby(level="source_file")["order_lines"].transform("sum")
    assert close(got["share_of_file_order_lines"], shares)


def test_monthly_sales_new_and_returning_customers(fixture_build):
    db, lines = fixture_build
    got = frame(db, "select * from fct_monthly_sales")
    got["month_start_date"] = pd.to_datetime(got["month_start_date"])
    got = got.set_index("month_start_date").sort_index()
    first_month = lines.groupby("customer_id")["month"].min().rename("first_month")
    with_first = lines.join(first_month, on="customer_id")
    with_first["is_new"] = with_first["month"] == with_first["first_month"]
    expected = with_first.groupby("month").agg(
        net_revenue=("net_revenue", "sum"), orders=("order_id", "nunique"), active=("customer_id", "nunique"), quantity=("quantity", "sum")
    )
    expected["new"] = with_first[with_first["is_new"]].groupby("month")["customer_id"].nunique()
    expected["new_revenue"] = with_first[with_first["is_new"]].groupby("month")["net_revenue"].sum()
    expected = expected.fillna(0)
    assert list(got.index) == list(expected.index)
    assert (got["orders"].to_numpy() == expected["orders"].to_numpy()).all()
    assert (got["active_customers"].to_numpy() == expected["active"].to_numpy()).all()
    assert (got["quantity"].to_numpy() == expected["quantity"].to_numpy()).all()
    assert (got["new_customers"].to_numpy() == expected["new"].to_numpy()).all()
    assert close(got["net_revenue"], expected["net_revenue"])
    assert close(got["new_customer_net_revenue"], expected["new_revenue"])
    assert close(got["average_order_value"], expected["net_revenue"] / expected["orders"])


def test_marts_have_only_bi_safe_types(fixture_build):
    db, _ = fixture_build
    types = query(
        db,
        """select table_name, column_name, data_type from information_schema.columns
           where table_schema = 'main'""",
    )
    allowed = ("BIGINT", "INTEGER", "DOUBLE", "VARCHAR", "DATE", "TIMESTAMP", "BOOLEAN", "DECIMAL")
    bad = [t for t in types if not t[2].startswith(allowed)]
    wide = [t for t in types if t[2].startswith("DECIMAL") and int(t[2].split("(")[1].split(",")[0]) > 18]
    assert not bad and not wide, bad + wide


def test_parquet_export_writes_every_public_mart(fixture_build, tmp_path):
    db, _ = fixture_build
    out = tmp_path / "exports"
    out.mkdir()
    (out / "stale.parquet").write_text("from an earlier export")  # replaced whole, not merged
    run_dbt(["run-operation", "export_public_marts", "--args", f"{{directory: '{out}'}}"], db)
    assert not (tmp_path / "exports.exporting").exists()
    exported = sorted(p.stem for p in out.glob("*.parquet"))
    marts = sorted(r[0] for r in query(db, "select table_name from information_schema.tables where table_schema = 'main'"))
    assert exported == marts and "fct_customer_rfm" in exported
    assert query(db, f"select count(*) from read_parquet('{out / 'fct_sales.parquet'}')") == query(db, "select count(*) from fct_sales")
