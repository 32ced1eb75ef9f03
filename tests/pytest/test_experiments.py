"""Experiment readouts: the statistics against scipy's own tests, and the sample's planted effect found.

The generator's win-back experiment gives each treated customer a campaign order with a known
probability, after the ordinary lines (retail_segmentation/generator.py, draw_experiments); its
A/A test changes nothing. The true effect on the treated is counted here from the warehouse,
with and without the campaign orders, and the readout's 95% intervals must hold it.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import ONLINE_RETAIL_HEADER, PROJECT, frame, query, run_dbt, write_csv
from scipy import stats

from retail_segmentation import experiments, generator

SAMPLE = PROJECT / "data" / "sample"


def test_welch_lift_matches_scipys_welch_test():
    rng = np.random.default_rng(3)
    treated, control = rng.gamma(2.0, 60.0, 300), rng.gamma(2.0, 50.0, 280)
    difference, lower, upper, p_value = experiments.welch_lift(treated, control)
    reference = stats.ttest_ind(treated, control, equal_var=False)
    assert p_value == pytest.approx(reference.pvalue, rel=1e-10)
    interval = reference.confidence_interval(0.95)
    assert (lower, upper) == pytest.approx((interval.low, interval.high), rel=1e-10)
    assert difference == pytest.approx(treated.mean() - control.mean())


def test_proportion_lift_is_the_two_proportion_z_test():
    difference, lower, upper, p_value = experiments.proportion_lift(120, 400, 90, 410)
    pooled = 210 / 810
    z = (120 / 400 - 90 / 410) / math.sqrt(pooled * (1 - pooled) * (1 / 400 + 1 / 410))
    assert p_value == pytest.approx(2 * stats.norm.sf(z))
    spread = math.sqrt(0.3 * 0.7 / 400 + (90 / 410) * (1 - 90 / 410) / 410)
    assert (lower, upper) == pytest.approx((difference - 1.959964 * spread, difference + 1.959964 * spread), rel=1e-6)
    # undefined where it is: nobody converted in either group
    assert math.isnan(experiments.proportion_lift(0, 10, 0, 12)[3])


def test_readout_rows_and_control_without_lift():
    outcomes = pd.DataFrame(
        {
            "experiment_id": ["e"] * 6,
            "variant": ["control", "control", "control", "treatment", "treatment", "treatment"],
            "rfm_segment": ["Lost", "Lost", "Champions", "Lost", "Champions", "Champions"],
            "is_converted": [False, True, True, True, True, False],
            "net_revenue": [0.0, 10.0, 20.0, 15.0, 30.0, 0.0],
        }
    )
    out = experiments.readout(outcomes).set_index(["rfm_segment", "variant"])
    assert out.loc[("All customers", "treatment"), "customers"] == 3
    assert out.loc[("All customers", "control"), "conversion_rate"] == pytest.approx(2 / 3)
    assert np.isnan(out.loc[("All customers", "control"), "conversion_lift"])
    assert out.loc[("All customers", "treatment"), "conversion_lift"] == pytest.approx(0.0)
    # a group of one control customer: a difference, but no Welch interval
    assert out.loc[("Champions", "treatment"), "revenue_per_customer_lift"] == pytest.approx(15.0 - 20.0)
    assert np.isnan(out.loc[("Champions", "treatment"), "revenue_per_customer_lift_ci_lower"])
    assert np.isnan(out.loc[("Champions", "treatment"), "revenue_p_value"])
    assert len(experiments.readout(outcomes.iloc[:0])) == 0


@pytest.mark.dbt
def test_the_readout_finds_the_planted_effect_on_the_sample(sample_warehouse):
    world = generator.World(generator.Config(lines=50_000, customers=generator.default_customers(50_000), seed=42))
    planted = generator.draw_experiments(world)
    # the campaign orders are the file's last lines, one line each
    campaign_orders = pd.read_csv(SAMPLE / "sales_data.csv", dtype=str).tail(len(planted.campaign_customers))["OrderNumber"]
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        con.register("campaign", pd.DataFrame({"order_id": campaign_orders}))
        truth = con.sql(
            """
            with window_orders as (
                select a.experiment_id, a.customer_id, o.order_id, o.net_revenue, o.is_cancellation,
                    o.order_id in (select order_id from campaign) as is_campaign
                from staging.stg_sales__experiment_assignments a
                join intermediate.int_orders_aggregated o
                    on o.customer_id = a.customer_id and o.order_date > a.assigned_date
                    and o.order_date <= a.assigned_date + interval 30 day
                where a.variant = 'treatment'
            ),
            per_customer as (
                select a.experiment_id, a.customer_id,
                    coalesce(bool_or(not w.is_cancellation), false) as converted,
                    coalesce(bool_or(not w.is_cancellation and not w.is_campaign), false) as converted_anyway,
                    coalesce(sum(w.net_revenue) filter (where w.is_campaign), 0) as campaign_revenue
                from staging.stg_sales__experiment_assignments a
                left join window_orders w using (experiment_id, customer_id)
                where a.variant = 'treatment'
                group by all
            )
            select experiment_id, avg(converted::int - converted_anyway::int), avg(campaign_revenue)
            from per_customer group by experiment_id
            """
        ).fetchall()
    readout = query(
        sample_warehouse,
        "select experiment_id, conversion_lift_ci_lower, conversion_lift_ci_upper, conversion_p_value,"
        " revenue_per_customer_lift_ci_lower, revenue_per_customer_lift_ci_upper"
        " from main.fct_experiment_readout where rfm_segment = 'All customers' and variant = 'treatment'",
    )
    found = {row[0]: row[1:] for row in readout}
    effects = {experiment_id: (conversion, revenue) for experiment_id, conversion, revenue in truth}
    assert set(found) == {"winback_2020q4", "subject_line_aa"}
    lower, upper, p_value, revenue_lower, revenue_upper = found["winback_2020q4"]
    conversion, revenue = effects["winback_2020q4"]
    assert conversion > 0.1 and lower <= conversion <= upper and p_value < 0.01
    assert revenue_lower <= float(revenue) <= revenue_upper
    # the A/A test's true effect is 0 by construction: the campaign orders some of its customers
    # got come from the win-back test, which assigned them independently of this one
    lower, upper, p_value, revenue_lower, revenue_upper = found["subject_line_aa"]
    assert lower <= 0 <= upper and revenue_lower <= 0 <= revenue_upper


def assert_readout_recounts(db) -> None:
    """Every count, sum, rate and lift of fct_experiment_readout, recounted from the public
    marts: a customer converts with a purchase order in the 30 days after the day of assignment,
    and is in the RFM segment of the latest history snapshot on or before that day (New when not
    in it, Unknown when the assignment precedes the history)."""
    lines = frame(db, "select order_id, customer_id, order_date, net_revenue, is_cancellation from main.fct_sales")
    orders = lines.groupby("order_id").agg(
        customer_id=("customer_id", "first"),
        order_date=("order_date", "min"),
        net_revenue=("net_revenue", lambda values: float(values.astype(float).sum())),
        is_cancellation=("is_cancellation", "all"),
    )
    assignments = frame(db, "select experiment_id, variant, customer_id, assigned_date from staging.stg_sales__experiment_assignments")
    in_window = assignments.merge(orders, on="customer_id")
    in_window = in_window[
        (in_window["order_date"] > in_window["assigned_date"])
        & (in_window["order_date"] <= in_window["assigned_date"] + pd.Timedelta(days=30))
    ]
    outcomes = (
        in_window.assign(is_purchase=~in_window["is_cancellation"])
        .groupby(["experiment_id", "customer_id"])
        .agg(is_converted=("is_purchase", "any"), net_revenue=("net_revenue", "sum"))
    )
    outcomes = assignments.join(outcomes, on=["experiment_id", "customer_id"])
    outcomes["is_converted"] = outcomes["is_converted"].eq(True)
    outcomes["net_revenue"] = outcomes["net_revenue"].astype(float).fillna(0.0)

    history = frame(db, "select snapshot_date, customer_id, rfm_segment from main.fct_rfm_segment_history")
    snapshots = sorted(history["snapshot_date"].unique())
    segment_of = history.set_index(["snapshot_date", "customer_id"])["rfm_segment"]

    def segment_at_assignment(row) -> str:
        before = [snapshot for snapshot in snapshots if snapshot <= row["assigned_date"]]
        if not before:
            return "Unknown"
        return segment_of.get((before[-1], row["customer_id"]), "New")

    outcomes["rfm_segment"] = outcomes.apply(segment_at_assignment, axis=1)
    assert set(outcomes["rfm_segment"]) - {"Unknown", "New"}, "no assigned customer had an RFM segment"

    groups = pd.concat([outcomes.assign(rfm_segment="All customers"), outcomes])
    expected = groups.groupby(["experiment_id", "rfm_segment", "variant"]).agg(
        customers=("customer_id", "count"), converters=("is_converted", "sum"), net_revenue=("net_revenue", "sum")
    )
    expected["conversion_rate"] = expected["converters"] / expected["customers"]
    expected["revenue_per_customer"] = expected["net_revenue"] / expected["customers"]
    control = expected.xs("control", level="variant")
    for figure in ["conversion_rate", "revenue_per_customer"]:
        lift = expected[figure] - control[figure].reindex(expected.index.droplevel("variant")).to_numpy()
        expected[f"{figure.replace('_rate', '')}_lift"] = lift.where(expected.index.get_level_values("variant") != "control")

    got = frame(db, "select * from main.fct_experiment_readout").set_index(["experiment_id", "rfm_segment", "variant"])
    assert sorted(got.index) == sorted(expected.index)
    got = got.loc[expected.index]
    assert (got["customers"] == expected["customers"]).all()
    assert (got["converters"] == expected["converters"]).all()
    for figure in ["net_revenue", "conversion_rate", "revenue_per_customer"]:
        assert np.allclose(got[figure].astype(float), expected[figure], rtol=1e-9, atol=0.005), figure
    for figure in ["conversion_lift", "revenue_per_customer_lift"]:
        assert np.allclose(got[figure], expected[figure], rtol=1e-9, atol=0.005, equal_nan=True), figure
        assert got[figure][got.index.get_level_values("variant") == "control"].isna().all(), figure


@pytest.mark.dbt
def test_readout_counts_match_pandas(sample_warehouse):
    assert_readout_recounts(sample_warehouse)


@pytest.mark.dbt
def test_readout_counts_match_pandas_at_the_edges(tmp_path):
    """A hand-made online_retail file (it has cancellations, the sample none) with an
    assignment on a snapshot's day, orders on the day of assignment and on the window's last day
    and the day after, a cancellation as the only order in a window, and assignments before the
    history and of a customer who never bought."""
    day = dt.date(2020, 10, 5)
    lines = [
        # 1: first order on its day of assignment, a snapshot's day: in that snapshot, not converted
        ["9001", "A", "CUP", "2", "2020-10-01 09:00:00", "3.50", "1", "United Kingdom"],
        # 2: bought before, then a purchase and a cancellation in the window
        ["9002", "A", "CUP", "5", "2020-08-03 10:00:00", "3.50", "2", "United Kingdom"],
        ["9003", "B", "BOWL", "1", str(day + dt.timedelta(days=5)) + " 10:00:00", "12.00", "2", "United Kingdom"],
        ["C9004", "B", "BOWL", "-1", str(day + dt.timedelta(days=7)) + " 10:00:00", "12.00", "2", "United Kingdom"],
        # 3: a cancellation its only order in the window: not converted, its revenue netted
        ["9005", "A", "CUP", "4", "2020-08-10 10:00:00", "3.50", "3", "United Kingdom"],
        ["C9006", "A", "CUP", "-4", str(day + dt.timedelta(days=20)) + " 10:00:00", "3.50", "3", "United Kingdom"],
        # 4: orders on the window's last day (counted) and the day after (not)
        ["9007", "A", "CUP", "1", "2020-09-14 10:00:00", "3.50", "4", "United Kingdom"],
        ["9008", "B", "BOWL", "3", str(day + dt.timedelta(days=30)) + " 23:00:00", "12.00", "4", "United Kingdom"],
        ["9009", "B", "BOWL", "7", str(day + dt.timedelta(days=31)) + " 08:00:00", "12.00", "4", "United Kingdom"],
        # 5: assigned before the history's first snapshot, bought in its window
        ["9010", "A", "CUP", "6", "2020-01-20 10:00:00", "3.50", "5", "United Kingdom"],
        # others, so the history spans the year and scores more than a handful
        *[[f"91{n:02d}", "A", "CUP", str(n), f"2020-{n % 12 + 1:02d}-11 10:00:00", "3.50", str(10 + n), "France"] for n in range(1, 25)],
        ["9200", "A", "CUP", "1", "2020-12-10 10:00:00", "3.50", "10", "France"],
    ]
    sales = write_csv(tmp_path / "online_retail.csv", ONLINE_RETAIL_HEADER, lines)
    assignments = [
        ["1", "edges", "treatment", "2020-10-01"],
        ["2", "edges", "treatment", str(day)],
        ["3", "edges", "control", str(day)],
        ["4", "edges", "control", str(day)],
        ["5", "edges", "treatment", "2020-01-10"],
        ["6", "edges", "control", str(day)],
        ["11", "edges", "treatment", str(day)],
        ["12", "edges", "control", str(day)],
    ]
    experiments_file = write_csv(tmp_path / "experiments.csv", ["customer_id", "experiment_id", "variant", "assigned_at"], assignments)
    db = tmp_path / "retail.duckdb"
    run_dbt(
        ["build", "--select", "+fct_experiment_readout", "+fct_rfm_segment_history", "+fct_sales", "--indirect-selection", "cautious"],
        db,
        {"raw_sales_path": str(sales), "raw_sales_format": "online_retail", "raw_experiments_path": str(experiments_file)},
    )
    converted = dict(query(db, "select customer_id, is_converted from intermediate.int_experiment_outcomes"))
    assert converted == {"1": False, "2": True, "3": False, "4": True, "5": True, "6": False, "11": False, "12": False}
    segments = dict(query(db, "select customer_id, rfm_segment from intermediate.int_experiment_outcomes"))
    assert segments["1"] not in ("New", "Unknown") and segments["5"] == "Unknown" and segments["6"] == "New"
    assert_readout_recounts(db)


@pytest.mark.dbt
def test_bad_assignment_rows_are_quarantined_with_their_reason(tmp_path):
    generator.generate(generator.Config(lines=3000, customers=200, seed=9), tmp_path / "sales.csv")
    header = ["customer_id", "experiment_id", "variant", "assigned_at"]
    rows = [[str(i), "exp", "Control" if i % 2 else "treatment", "2020-10-01 10:00:00"] for i in range(1, 41)]
    rows += [
        ["", "exp", "control", "2020-10-01"],  # missing_customer_id
        ["41", "exp", "control", "03/10/2020"],  # ambiguous_assigned_at
        ["42", "exp", "control", "25/10/2020"],  # day first: read
        ["43", "exp", "control", "next week"],  # unparseable_assigned_at
        ["44", "exp", "control", "2020-10-01"],
        ["44", "exp", "treatment", "2020-10-01"],  # conflicting_assignment, both rows
        ["45", "exp", "control", "2020-10-01"],
        ["45", "exp", "control", "2020-10-01"],  # duplicate_assignment, the repeat
        ["46", "", "control", "2020-10-01"],  # missing_experiment_id
        ["4.7E+1", "exp", "control", "2020-10-01"],  # scientific_notation_id: Excel's long id
        # the same assignment written two ways: one kept, always the same (the text sorting first)
        ["48", "exp", "control", "2020-10-01"],
        ["48", "exp", "Control", "2020-10-01 00:00:00"],  # kept: "Control" sorts before "control"
    ]
    experiments_file = write_csv(tmp_path / "experiments.csv", header, rows)
    db = tmp_path / "retail.duckdb"
    run_dbt(["build"], db, {"raw_sales_path": str(tmp_path / "sales.csv"), "raw_experiments_path": str(experiments_file)})
    refused = query(
        db,
        "select coalesce(raw_customer_id, ''), raw_assigned_at, quarantine_reasons"
        " from staging.stg_sales__quarantined_experiment_assignments order by all",
    )
    assert refused == [
        ("", "2020-10-01", "missing_customer_id"),
        ("4.7E+1", "2020-10-01", "scientific_notation_id"),
        ("41", "03/10/2020", "ambiguous_assigned_at"),
        ("43", "next week", "unparseable_assigned_at"),
        ("44", "2020-10-01", "conflicting_assignment"),
        ("44", "2020-10-01", "conflicting_assignment"),
        ("45", "2020-10-01", "duplicate_assignment"),
        ("46", "2020-10-01", "missing_experiment_id"),
        ("48", "2020-10-01", "duplicate_assignment"),
    ]
    # 1-40, 42, the first row of 45 and one of 48; "Control" is control
    clean = query(db, "select count(*), count(*) filter (where variant = 'control') from staging.stg_sales__experiment_assignments")[0]
    assert clean == (43, 23)
    assigned = query(db, "select assigned_date from staging.stg_sales__experiment_assignments where customer_id = '42'")
    assert assigned == [(dt.date(2020, 10, 25),)]
