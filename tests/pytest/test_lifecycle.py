"""The lifecycle marts through dbt: SQL scoring equals the Python closed forms, the SQL AUC equals
scikit-learn's, cohorts and migrations recount from the orders, and the fits reproduce."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import frame, query, run_dbt

from retail_segmentation import clv
from retail_segmentation.generator import Config, generate

pytestmark = pytest.mark.dbt


def fits(db) -> dict[str, tuple[clv.ModelFit, clv.ModelFit]]:
    rows = frame(db, "select * from main.dim_clv_model_parameters")
    out = {}
    for role, fitted_for in [("scoring", "clv"), ("churn_holdout", "churn_evaluation")]:
        if not (rows.fitted_for == fitted_for).any():
            continue
        models = []
        for model in ("bg_nbd", "gamma_gamma"):
            part = rows[(rows.fitted_for == fitted_for) & (rows.model == model)]
            models.append(clv.ModelFit(model, dict(zip(part.parameter, part.value)), 0.0, 0, True))
        out[role] = tuple(models)
    return out


def test_sql_scoring_equals_the_python_closed_forms(sample_warehouse):
    scored = frame(sample_warehouse, "select * from intermediate.int_customers_clv_scored order by cutoff_role, customer_id")
    horizon = query(sample_warehouse, "select max(churn_horizon_days) from main.fct_customer_churn_risk")[0][0]
    for role, (bg_nbd, gamma_gamma) in fits(sample_warehouse).items():
        part = scored[scored.cutoff_role == role]
        assert len(part) > 1000
        x, t_x, T = (part[c].to_numpy(float) for c in ("repeat_purchase_days", "days_first_to_last_purchase", "days_since_first_purchase"))
        assert part.p_alive.to_numpy() == pytest.approx(clv.p_alive(bg_nbd, x, t_x, T), rel=1e-9)
        for days, column in [(90, "expected_purchases_90d"), (365, "expected_purchases_365d")]:
            assert part[column].to_numpy() == pytest.approx(clv.expected_purchases(bg_nbd, days, x, t_x, T), rel=1e-9), column
        no_purchase = clv.probability_no_purchase(bg_nbd, horizon, x, t_x, T)
        assert part.probability_no_purchase_in_horizon.to_numpy() == pytest.approx(no_purchase, rel=1e-9)
        m_x = part.mean_repeat_day_value.to_numpy(float)
        value = clv.expected_average_value(gamma_gamma, x, np.nan_to_num(m_x))
        assert part.expected_average_order_value.to_numpy() == pytest.approx(value, rel=1e-9)


def test_the_lifetime_value_mart_is_value_times_discounted_purchases(sample_warehouse):
    rows = frame(sample_warehouse, "select * from main.fct_customer_lifetime_value")
    customers = query(sample_warehouse, "select count(*) from main.fct_customer_rfm")[0][0]
    assert len(rows) == customers
    # discounting at 10% a year: between the undiscounted value and a whole year's discount
    undiscounted = rows.expected_average_order_value.astype(float) * rows.expected_purchases_365d
    clv_365 = rows.predicted_clv_365d.astype(float)
    assert ((clv_365 <= undiscounted + 0.01) & (clv_365 >= undiscounted / 1.1 - 0.01)).all()
    top = rows[rows.clv_segment == "Top 10%"].predicted_clv_365d.min()
    assert top > rows[rows.clv_segment == "High"].predicted_clv_365d.max()
    assert abs((rows.clv_segment == "Top 10%").mean() - 0.1) < 0.01
    # exactly: each quarter's expected purchases (Python's closed form) discounted from the
    # quarter's end at clv_annual_discount_rate (0.10), times the value per purchase; both are
    # shown to the cent, so the product is off by at most half a cent per purchase and half a cent
    bg_nbd, _ = fits(sample_warehouse)["scoring"]
    x, t_x, T = (rows[c].to_numpy(float) for c in ("repeat_purchase_days", "days_first_to_last_purchase", "days_since_first_purchase"))
    cumulative = [np.zeros(len(rows))] + [clv.expected_purchases(bg_nbd, days, x, t_x, T) for days in (91.25, 182.5, 273.75, 365)]
    discounted = sum((cumulative[q] - cumulative[q - 1]) / 1.1 ** (q / 4) for q in range(1, 5))
    error = np.abs(clv_365.to_numpy() - rows.expected_average_order_value.to_numpy(float) * discounted)
    assert (error <= 0.005 * discounted + 0.0051).all()
    # bands by percent rank of the value, highest first, equal values sharing a band
    share = (rows.predicted_clv_365d.rank(method="min", ascending=False) - 1) / (len(rows) - 1)
    bands = np.select([share < 0.1, share < 0.3, share < 0.6], ["Top 10%", "High", "Medium"], "Low")
    assert (rows.clv_segment.to_numpy() == bands).all()


def test_the_churn_risk_mart_reads_both_methods_for_every_rfm_customer(sample_warehouse):
    risk = frame(sample_warehouse, "select * from main.fct_customer_churn_risk").set_index("customer_id").sort_index()
    rfm = frame(sample_warehouse, "select customer_id, recency_days, rfm_as_of_date from main.fct_customer_rfm")
    rfm = rfm.set_index("customer_id").sort_index()
    scored = frame(
        sample_warehouse,
        "select customer_id, p_alive, probability_no_purchase_in_horizon from intermediate.int_customers_clv_scored"
        " where cutoff_role = 'scoring'",
    ).set_index("customer_id")
    classifier = frame(
        sample_warehouse,
        "select customer_id, churn_probability from intermediate.int_churn_classifier_scored where cutoff_role = 'scoring'",
    ).set_index("customer_id")
    assert list(risk.index) == list(rfm.index)
    assert (risk.days_since_last_purchase == rfm.recency_days).all()
    assert (risk.rfm_as_of_date == rfm.rfm_as_of_date).all()
    assert (risk.p_alive == scored.p_alive.reindex(risk.index)).all()
    assert (risk.bg_nbd_churn_probability == scored.probability_no_purchase_in_horizon.reindex(risk.index)).all()
    assert (risk.churn_probability == classifier.churn_probability.reindex(risk.index)).all()
    bands = np.select([risk.churn_probability >= 0.7, risk.churn_probability >= 0.4], ["High", "Medium"], "Low")
    assert (risk.churn_risk_band.to_numpy() == bands).all()
    assert set(risk.churn_risk_band) == {"High", "Medium", "Low"}


def test_the_sql_auc_equals_scikit_learns(sample_warehouse):
    from sklearn.metrics import roc_auc_score

    labels = frame(
        sample_warehouse,
        "select customer_id, not purchased_in_horizon as churned from intermediate.int_customer_purchase_summaries"
        " where cutoff_role = 'churn_holdout'",
    )
    bg_nbd = frame(
        sample_warehouse,
        "select customer_id, probability_no_purchase_in_horizon as p from intermediate.int_customers_clv_scored"
        " where cutoff_role = 'churn_holdout'",
    )
    classifier = frame(
        sample_warehouse,
        "select customer_id, churn_probability as p from intermediate.int_churn_classifier_scored where cutoff_role = 'churn_holdout'",
    )
    evaluation = frame(sample_warehouse, "select * from main.fct_churn_model_evaluation")
    for method, predictions in [("bg_nbd", bg_nbd), ("classifier", classifier)]:
        joined = labels.merge(predictions, on="customer_id", validate="one_to_one")
        rows = evaluation[evaluation.churn_method == method]
        assert len(rows) == 10 and rows.customers.sum() == len(labels)
        assert rows.auc.iloc[0] == pytest.approx(roc_auc_score(joined.churned, joined.p), abs=1e-12)
        assert rows.base_churn_rate.iloc[0] == pytest.approx(joined.churned.mean())
        # deciles of predicted risk as SQL's ntile(10): ordered by prediction then customer_id,
        # the first len % 10 deciles one customer larger
        ordered = joined.sort_values(["p", "customer_id"]).reset_index(drop=True)
        sizes = [len(part) for part in np.array_split(np.arange(len(ordered)), 10)]
        ordered["decile"] = np.repeat(np.arange(1, 11), sizes)
        by_decile = ordered.groupby("decile")
        rows = rows.sort_values("risk_decile")
        assert rows.risk_decile.tolist() == list(range(1, 11))
        assert rows.customers.tolist() == by_decile.size().tolist()
        assert rows.observed_churn_rate.to_numpy() == pytest.approx(by_decile.churned.mean().to_numpy(), abs=1e-12)
        assert rows.mean_predicted_churn_probability.to_numpy() == pytest.approx(by_decile.p.mean().to_numpy(), rel=1e-9)
        assert (rows.precision_top_decile == rows.observed_churn_rate.iloc[-1]).all()
    # the two methods must both see a signal on the sample: better than a coin
    assert (evaluation.auc > 0.6).all()


def test_cohort_retention_recounts_from_the_orders(sample_warehouse):
    orders = frame(sample_warehouse, "select customer_id, order_date, is_cancellation, net_revenue from intermediate.int_orders_aggregated")
    orders["month"] = pd.to_datetime(orders.order_date).dt.to_period("M")
    purchases = orders[~orders.is_cancellation]
    cohort = purchases.groupby("customer_id").month.min().rename("cohort")
    active = purchases.join(cohort, on="customer_id").drop_duplicates(["customer_id", "month"])
    expected = active.groupby(["cohort", "month"]).size()
    retention = frame(sample_warehouse, "select * from main.fct_cohort_retention")
    retention["cohort"] = pd.to_datetime(retention.cohort_month).dt.to_period("M")
    retention["month"] = pd.to_datetime(retention.activity_month).dt.to_period("M")
    got = retention.set_index(["cohort", "month"]).active_customers
    assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict()
    assert (retention[retention.months_since_first_order == 0].retention_rate == 1).all()
    # every cohort runs to the as-of month without gaps
    spans = retention.groupby("cohort").months_since_first_order.agg(["count", "max"])
    assert (spans["count"] == spans["max"] + 1).all()
    assert retention.groupby("cohort").cohort_customers.first().sum() == cohort.size
    assert (retention.cohort_customers == retention.cohort.map(cohort.value_counts())).all()
    assert retention.retention_rate.to_numpy() == pytest.approx((retention.active_customers / retention.cohort_customers).to_numpy())
    # the cohort's net revenue each month (cancellations netted) and its running total per customer
    with_cohort = orders.join(cohort, on="customer_id", how="inner")
    revenue = with_cohort[with_cohort.month >= with_cohort.cohort].groupby(["cohort", "month"]).net_revenue.sum().astype(float)
    by_month = retention.set_index(["cohort", "month"]).sort_index()
    assert by_month.net_revenue.astype(float).to_numpy() == pytest.approx(
        revenue.reindex(by_month.index, fill_value=0).to_numpy(), abs=0.005
    )
    # rounded to the cent: half a cent either way
    running = by_month.net_revenue.astype(float).groupby(level="cohort").cumsum() / by_month.cohort_customers
    assert by_month.cumulative_net_revenue_per_customer.astype(float).to_numpy() == pytest.approx(running.to_numpy(), abs=0.0051)


def test_migrations_account_for_every_customer_of_each_snapshot(sample_warehouse):
    history = frame(sample_warehouse, "select snapshot_date, customer_id, rfm_segment from main.fct_rfm_segment_history")
    migration = frame(sample_warehouse, "select * from main.fct_rfm_segment_migration")
    snapshots = sorted(history.snapshot_date.unique())
    assert len(snapshots) == 12
    for earlier, later in zip(snapshots, snapshots[1:]):
        moves = migration[migration.to_snapshot_date == later]
        before = history[history.snapshot_date == earlier].set_index("customer_id").rfm_segment
        after = history[history.snapshot_date == later].set_index("customer_id").rfm_segment
        assert (moves.from_snapshot_date == earlier).all()
        assert moves.customers.sum() == len(after)
        assert moves[moves.from_segment == "New"].customers.sum() == len(after.index.difference(before.index))
        stayed = (before.reindex(after.index) == after).sum()
        assert moves[moves.from_segment == moves.to_segment].customers.sum() == stayed
    # a later snapshot's customers' net revenue after it, up to and including the next snapshot's
    # day (the first snapshot is no pair's later one)
    orders = frame(sample_warehouse, "select customer_id, order_date, is_cancellation, net_revenue from intermediate.int_orders_aggregated")
    orders["net_revenue"] = orders.net_revenue.astype(float)
    first_purchase = orders[~orders.is_cancellation].groupby("customer_id").order_date.min()
    orders = orders.join(first_purchase.rename("first_purchase_date"), on="customer_id")
    for snapshot, next_snapshot in zip(snapshots[1:-1], snapshots[2:]):
        after = orders[(orders.order_date > snapshot) & (orders.order_date <= next_snapshot) & (orders.first_purchase_date <= snapshot)]
        got = migration[migration.to_snapshot_date == snapshot].net_revenue_next_month.astype(float).sum()
        assert got == pytest.approx(after.net_revenue.sum(), abs=0.01), snapshot
    assert migration[migration.to_snapshot_date == snapshots[-1]].net_revenue_next_month.isna().all()
    assert migration[migration.to_snapshot_date < snapshots[-1]].net_revenue_next_month.notna().all()


def test_the_lifecycle_models_refit_to_identical_numbers(tmp_path):
    generate(Config(lines=8000, customers=600, seed=5), tmp_path / "sales.csv")
    db = tmp_path / "retail.duckdb"
    vars = {"raw_sales_path": str(tmp_path / "sales.csv")}
    run_dbt(["build"], db, vars)
    tables = ["intermediate.int_clv_model_fitted", "intermediate.int_churn_classifier_scored", "main.fct_customer_lifetime_value"]
    first = {t: query(db, f"select * from {t} order by all") for t in tables}
    run_dbt(
        [
            "run",
            "--select",
            "int_clv_model_fitted",
            "int_churn_classifier_scored",
            "int_customers_clv_scored",
            "fct_customer_lifetime_value",
        ],
        db,
        vars,
    )
    again = {t: query(db, f"select * from {t} order by all") for t in tables}
    assert first == again
    assert len(first["intermediate.int_clv_model_fitted"]) == 14


def test_a_history_shorter_than_two_churn_horizons_still_builds(tmp_path):
    import datetime as dt

    config = Config(lines=3000, customers=200, seed=8, start_date=dt.date(2020, 11, 1), end_date=dt.date(2020, 12, 31))
    generate(config, tmp_path / "sales.csv")
    db = tmp_path / "retail.duckdb"
    run_dbt(["build"], db, {"raw_sales_path": str(tmp_path / "sales.csv")})
    # no customer before either churn cut-off: the lifetime value is fitted as of the as-of
    # date only, the classifier not at all
    assert query(db, "select distinct fitted_for from main.dim_clv_model_parameters") == [("clv",)]
    customers = query(db, "select count(*) from main.fct_customer_rfm")[0][0]
    assert query(db, "select count(*), count(predicted_clv_365d) from main.fct_customer_lifetime_value")[0] == (customers, customers)
    assert query(db, "select distinct churn_risk_band, count(churn_probability) from main.fct_customer_churn_risk group by 1") == [
        ("Unknown", 0)
    ]
    assert query(db, "select count(*) from main.fct_churn_model_evaluation")[0][0] == 0
    # two months of data fit a + b < 1 and a + b - 1 - r < -1: the series' negative factors
    # must carry their signs, as scipy's 2F1 does
    bg_nbd = fits(db)["scoring"][0]
    assert bg_nbd.parameters["a"] + bg_nbd.parameters["b"] < 1
    scored = frame(db, "select * from intermediate.int_customers_clv_scored order by customer_id")
    x, t_x, T = (scored[c].to_numpy(float) for c in ("repeat_purchase_days", "days_first_to_last_purchase", "days_since_first_purchase"))
    assert scored.expected_purchases_365d.to_numpy() == pytest.approx(clv.expected_purchases(bg_nbd, 365, x, t_x, T), rel=1e-9)
