"""The experiment readout's statistics (retail_segmentation.experiments), one row per
experiment, variant and RFM segment at assignment (and 'All customers'): conversion and revenue
per customer, and each variant's lift against control with a 95% interval and a p-value."""

from retail_segmentation.experiments import readout
from retail_segmentation.frames import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    outcomes = to_pandas(dbt.ref("int_experiment_outcomes"), order_by=["experiment_id", "variant", "customer_id"])
    return readout(outcomes)
