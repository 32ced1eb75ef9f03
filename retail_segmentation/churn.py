"""Churn risk from a classifier trained on a time split (scikit-learn).

The rows are int_customer_purchase_summaries: each customer's history summarised as of a
cut-off, and purchased_in_horizon, whether they bought in the horizon after it. The classifier
learns P(no purchase in the horizon) from the churn_training cut-off and scores later cut-offs
(the hold-out, to evaluate it; the as-of date, to act on it). Features are the summary's own
columns, so a cut-off's features use nothing after it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

FEATURES = [
    "days_since_last_purchase",
    "days_since_first_purchase",
    "days_first_to_last_purchase",
    "repeat_purchase_days",
    "purchase_orders",
    "net_revenue",
    "mean_repeat_day_value",
]


def feature_matrix(summaries: pd.DataFrame) -> np.ndarray:
    """The features as floats; a customer without repeat purchases has mean repeat value 0."""
    return summaries[FEATURES].astype(float).fillna(0.0).to_numpy()


def train_churn_classifier(training: pd.DataFrame, sample_size: int, random_state: int) -> HistGradientBoostingClassifier:
    """Fit the classifier on at most sample_size training rows (a seeded choice; rows ordered by
    customer_id), label churned = no purchase in the horizon. Gradient-boosted trees: no
    scaling needed for these skewed counts and amounts, and deterministic without early
    stopping. Few, shallow trees: the features are few and recency carries most of the signal,
    and scoring every customer twice is the model's main cost."""
    if training.empty:
        raise ValueError("the churn classifier has no training customers: the churn_training cut-off precedes every purchase")
    labels = ~training["purchased_in_horizon"].astype(bool)
    if labels.nunique() < 2:
        raise ValueError("the churn classifier needs both churned and retained customers at the churn_training cut-off")
    if len(training) > sample_size:
        chosen = np.sort(np.random.default_rng(random_state).choice(len(training), sample_size, replace=False))
        training, labels = training.iloc[chosen], labels.iloc[chosen]
    classifier = HistGradientBoostingClassifier(
        max_iter=40, learning_rate=0.25, max_leaf_nodes=15, early_stopping=False, random_state=random_state
    )
    return classifier.fit(feature_matrix(training), labels.to_numpy())


def can_train(training: pd.DataFrame) -> bool:
    """Whether the training cut-off has both churned and retained customers to learn from (a
    history shorter than two horizons has none before it)."""
    return not training.empty and training["purchased_in_horizon"].astype(bool).nunique() == 2


def churn_probabilities(classifier: HistGradientBoostingClassifier, summaries: pd.DataFrame) -> np.ndarray:
    """P(no purchase in the horizon) for each row."""
    return classifier.predict_proba(feature_matrix(summaries))[:, list(classifier.classes_).index(True)]
