"""The lifetime-value models fitted by maximum likelihood, one row per fitted number.

BG/NBD (r, alpha in days, a, b) and Gamma-Gamma (p, q, v) from retail_segmentation.clv, each
fitted twice: on the customers as of the RFM as-of date (fitted_for 'clv': what
fct_customer_lifetime_value scores) and as of the churn hold-out cut-off (fitted_for
'churn_evaluation': what fct_churn_model_evaluation checks against the horizon after it). The
predictions are closed forms of these rows, computed in SQL.
"""

import pandas as pd

from retail_segmentation.clv import fit_summaries, fitted_parameter_rows
from retail_segmentation.frames import to_pandas

FITTED_FOR = {"scoring": "clv", "churn_holdout": "churn_evaluation"}
MIN_CUSTOMERS = 2


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt finds config keys by reading literal dbt.config.get("...") calls: keep them spelled out
    sample_size = int(dbt.config.get("clv_fit_sample_size"))
    random_state = int(dbt.config.get("clv_random_state"))
    columns = [
        "cutoff_date",
        "customer_id",
        "repeat_purchase_days",
        "days_first_to_last_purchase",
        "days_since_first_purchase",
        "mean_repeat_day_value",
    ]
    summaries = dbt.ref("int_customer_purchase_summaries")
    fits = []
    for cutoff_role, fitted_for in FITTED_FOR.items():
        # one cut-off at a time, filtered in the engine: pandas never holds the churn_training
        # rows, which no fit uses, nor two cut-offs at once
        customers = to_pandas(summaries, columns, order_by=["customer_id"], where=f"cutoff_role = '{cutoff_role}'")
        # a history too short for a cut-off (no customer before it, or no repeat customer for
        # Gamma-Gamma) leaves that fit out: its predictions are NULL, the rest of the build stands
        if len(customers) < MIN_CUSTOMERS:
            continue
        calibration_end_date = customers["cutoff_date"].iloc[0]
        bg_nbd, gamma_gamma = fit_summaries(customers, sample_size, random_state)
        fits += [(fitted_for, calibration_end_date, fit) for fit in (bg_nbd, gamma_gamma) if fit is not None]
    rows = fitted_parameter_rows(fits)
    rows["calibration_end_date"] = pd.to_datetime(rows["calibration_end_date"]).dt.date
    return rows
