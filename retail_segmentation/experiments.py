"""Experiment readouts: each variant against control, with 95% intervals and p-values (scipy).

Conversion: the difference of the converted shares, treatment minus control, with the Wald
interval (unpooled standard error) and the two-sided p-value of the two-proportion z-test
(pooled standard error, the null hypothesis being equal rates). Revenue per customer: the
difference of the means with Welch's interval and two-sided p-value (unequal variances,
Welch-Satterthwaite degrees of freedom). Every figure is NULL (NaN) where it is undefined: no
control group, a group of one, no spread.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

CONTROL = "control"
ALL_CUSTOMERS = "All customers"
Z_95 = stats.norm.ppf(0.975)


def proportion_lift(converted: int, customers: int, control_converted: int, control_customers: int) -> tuple[float, float, float, float]:
    """(difference, lower, upper, p-value) of converted / customers against control's."""
    if customers < 1 or control_customers < 1:
        return (math.nan,) * 4
    rate, control_rate = converted / customers, control_converted / control_customers
    difference = rate - control_rate
    spread = math.sqrt(rate * (1 - rate) / customers + control_rate * (1 - control_rate) / control_customers)
    pooled = (converted + control_converted) / (customers + control_customers)
    pooled_spread = math.sqrt(pooled * (1 - pooled) * (1 / customers + 1 / control_customers))
    p_value = 2 * stats.norm.sf(abs(difference) / pooled_spread) if pooled_spread > 0 else math.nan
    return difference, difference - Z_95 * spread, difference + Z_95 * spread, p_value


def welch_lift(values: np.ndarray, control_values: np.ndarray) -> tuple[float, float, float, float]:
    """(difference of means, lower, upper, p-value) of values against control's, by Welch's t.
    A group of one has a mean but no variance: the difference, without interval or p-value."""
    n, m = len(values), len(control_values)
    if n < 1 or m < 1:
        return (math.nan,) * 4
    difference = float(np.mean(values) - np.mean(control_values))
    if n < 2 or m < 2:
        return difference, math.nan, math.nan, math.nan
    a, b = np.var(values, ddof=1) / n, np.var(control_values, ddof=1) / m
    spread = math.sqrt(a + b)
    if spread == 0:
        return difference, math.nan, math.nan, math.nan
    freedom = (a + b) ** 2 / (a**2 / (n - 1) + b**2 / (m - 1))
    margin = stats.t.ppf(0.975, freedom) * spread
    return difference, difference - margin, difference + margin, float(2 * stats.t.sf(abs(difference) / spread, freedom))


COLUMNS = {
    "experiment_id": "object",
    "variant": "object",
    "rfm_segment": "object",
    "customers": "int64",
    "converters": "int64",
    "net_revenue": "float64",
    "conversion_rate": "float64",
    "revenue_per_customer": "float64",
    "conversion_lift": "float64",
    "conversion_lift_ci_lower": "float64",
    "conversion_lift_ci_upper": "float64",
    "conversion_p_value": "float64",
    "revenue_per_customer_lift": "float64",
    "revenue_per_customer_lift_ci_lower": "float64",
    "revenue_per_customer_lift_ci_upper": "float64",
    "revenue_p_value": "float64",
}


def readout(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per experiment, variant and RFM segment at assignment, plus each experiment's
    variants over all customers (rfm_segment 'All customers'), from one row per assigned
    customer (experiment_id, variant, rfm_segment, is_converted, net_revenue). The control rows
    carry no lift."""
    everyone = outcomes.assign(rfm_segment=ALL_CUSTOMERS)
    rows = []
    for (experiment_id, segment), group in pd.concat([everyone, outcomes]).groupby(["experiment_id", "rfm_segment"], sort=True):
        control = group[group["variant"] == CONTROL]
        control_revenue = control["net_revenue"].to_numpy(dtype=float)
        for variant, members in group.groupby("variant", sort=True):
            revenue = members["net_revenue"].to_numpy(dtype=float)
            converted = int(members["is_converted"].sum())
            row = {
                "experiment_id": experiment_id,
                "variant": variant,
                "rfm_segment": segment,
                "customers": len(members),
                "converters": converted,
                "net_revenue": float(revenue.sum()),
                "conversion_rate": converted / len(members),
                "revenue_per_customer": float(revenue.mean()),
            }
            lifts = [math.nan] * 8
            if variant != CONTROL and len(control):
                lifts = [
                    *proportion_lift(converted, len(members), int(control["is_converted"].sum()), len(control)),
                    *welch_lift(revenue, control_revenue),
                ]
            row.update(zip(list(COLUMNS)[8:], lifts))
            rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)
