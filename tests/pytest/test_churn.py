"""The churn classifier (retail_segmentation/churn.py): it learns a planted signal, the same way every time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retail_segmentation import churn


def summaries(n: int, seed: int) -> pd.DataFrame:
    """Customers whose chance of buying again falls with the days since their last purchase."""
    rng = np.random.default_rng(seed)
    recency = rng.integers(0, 400, n)
    frame = pd.DataFrame(
        {
            "customer_id": [f"{i:05d}" for i in range(n)],
            "days_since_last_purchase": recency,
            "days_since_first_purchase": recency + rng.integers(0, 300, n),
            "days_first_to_last_purchase": rng.integers(0, 300, n),
            "repeat_purchase_days": rng.integers(0, 20, n),
            "purchase_orders": rng.integers(1, 25, n),
            "net_revenue": rng.gamma(2.0, 500.0, n),
            "mean_repeat_day_value": np.where(rng.random(n) < 0.2, np.nan, rng.gamma(2.0, 100.0, n)),
        }
    )
    frame["purchased_in_horizon"] = rng.random(n) < np.exp(-recency / 120)
    return frame


def test_the_classifier_ranks_the_planted_churners_first():
    from sklearn.metrics import roc_auc_score

    model = churn.train_churn_classifier(summaries(4000, 1), sample_size=10_000, random_state=0)
    held_out = summaries(2000, 2)
    probability = churn.churn_probabilities(model, held_out)
    assert roc_auc_score(~held_out["purchased_in_horizon"], probability) > 0.75
    assert ((probability >= 0) & (probability <= 1)).all()


def test_the_classifier_is_reproducible_and_samples_by_seed():
    training, scored = summaries(3000, 3), summaries(500, 4)
    first = churn.churn_probabilities(churn.train_churn_classifier(training, 1000, 5), scored)
    again = churn.churn_probabilities(churn.train_churn_classifier(training, 1000, 5), scored)
    other = churn.churn_probabilities(churn.train_churn_classifier(training, 1000, 6), scored)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_the_classifier_needs_churned_and_retained_customers():
    training = summaries(100, 5).assign(purchased_in_horizon=True)
    with pytest.raises(ValueError, match="both churned and retained"):
        churn.train_churn_classifier(training, 1000, 0)
