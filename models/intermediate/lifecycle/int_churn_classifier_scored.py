"""The churn classifier's probabilities (retail_segmentation.churn), one row per cut-off and customer.

Trained on the churn_training cut-off of int_customer_purchase_summaries (label: no purchase
in the churn_horizon_days after it), it scores the churn_holdout cut-off (checked in
fct_churn_model_evaluation) and the scoring cut-off, the RFM as-of date
(fct_customer_churn_risk). Without both churned and retained customers at the training cut-off
(a history shorter than two horizons) it has no rows.
"""

import pandas as pd

from retail_segmentation.churn import FEATURES, can_train, churn_probabilities, train_churn_classifier
from retail_segmentation.frames import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt finds config keys by reading literal dbt.config.get("...") calls: keep them spelled out
    sample_size = int(dbt.config.get("churn_training_sample_size"))
    random_state = int(dbt.config.get("churn_random_state"))
    summaries = dbt.ref("int_customer_purchase_summaries")
    # one cut-off at a time, each filtered in the engine: pandas holds one cut-off's customers,
    # never all three
    training = to_pandas(
        summaries, ["customer_id", "purchased_in_horizon", *FEATURES], order_by=["customer_id"], where="cutoff_role = 'churn_training'"
    )
    if not can_train(training):
        # a history shorter than two horizons: no probabilities (NULL, band Unknown downstream)
        return pd.DataFrame(
            {"cutoff_role": pd.Series(dtype=str), "customer_id": pd.Series(dtype=str), "churn_probability": pd.Series(dtype=float)}
        )
    classifier = train_churn_classifier(training, sample_size, random_state)
    del training
    scored = []
    for role in ["churn_holdout", "scoring"]:
        customers = to_pandas(summaries, ["customer_id", *FEATURES], order_by=["customer_id"], where=f"cutoff_role = '{role}'")
        probabilities = churn_probabilities(classifier, customers)
        scored.append(pd.DataFrame({"cutoff_role": role, "customer_id": customers["customer_id"], "churn_probability": probabilities}))
        del customers
    return pd.concat(scored, ignore_index=True)
