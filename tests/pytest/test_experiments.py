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
from conftest import PROJECT, query, run_dbt, write_csv
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
    ]
    # 1-40, 42 and the first row of 45; "Control" is control
    clean = query(db, "select count(*), count(*) filter (where variant = 'control') from staging.stg_sales__experiment_assignments")[0]
    assert clean == (42, 22)
    assigned = query(db, "select assigned_date from staging.stg_sales__experiment_assignments where customer_id = '42'")
    assert assigned == [(dt.date(2020, 10, 25),)]
