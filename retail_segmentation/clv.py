"""Customer lifetime value: the BG/NBD and Gamma-Gamma models, fitted by maximum likelihood.

Pure functions over per-customer summaries (tested with pytest, no dbt):

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive, a
  customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each purchase they drop out
  with probability p ~ Beta(a, b). Per customer: x = repeat purchases (purchase days - 1),
  t_x = time of the last purchase since the first, T = time from the first purchase to the
  as-of date, in one time unit (days in this project; the CDNOW test uses weeks).
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"): the values of a customer's repeat
  purchases average m_x over x of them; spend per purchase ~ Gamma(p, nu), nu ~ Gamma(q, gamma),
  independent of the purchase process. Fitted on customers with x >= 1.

Every fitted number is returned as data (ModelFit), and the per-customer predictions are closed
forms of those numbers (p_alive, expected_purchases, expected_average_value), so a warehouse can
score customers in SQL from the parameter rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1


@dataclass(frozen=True)
class ModelFit:
    """A fitted model: parameter name -> value, the log-likelihood at the optimum, how many
    customers it was fitted on, and whether the optimiser converged."""

    model: str
    parameters: dict[str, float]
    log_likelihood: float
    customers: int
    converged: bool


class _Column:
    """A column of per-customer values held as its distinct values and each row's index into
    them: a term that depends on this column alone is computed once per distinct value and
    gathered (x takes a few hundred values over 50,000 customers). Gathering gives each row
    exactly the value computed on it directly."""

    def __init__(self, values):
        self.values = np.asarray(values, dtype=float)
        self.distinct, self.index = np.unique(self.values, return_inverse=True)

    def term(self, function) -> np.ndarray:
        return function(self.distinct)[self.index]


def bg_nbd_log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Each customer's BG/NBD log-likelihood at params = (r, alpha, a, b)."""
    return _bg_nbd_log_likelihood(params, _Column(x), _Column(t_x), _Column(T))


def _bg_nbd_log_likelihood(params: np.ndarray, x: _Column, t_x: _Column, T: _Column) -> np.ndarray:
    r, alpha, a, b = params
    a1_a2 = x.term(lambda v: gammaln(r + v) - gammaln(r) + r * np.log(alpha) + (betaln(a, b + v) - betaln(a, b)))
    r_x = r + x.values
    a3 = -r_x * T.term(lambda v: np.log(alpha + v))
    # the second term exists only for customers with a repeat purchase
    with np.errstate(divide="ignore", invalid="ignore"):
        a4_x = x.term(lambda v: np.log(a) - np.log(np.maximum(b + v - 1, 1e-300)))
        a4 = np.where(x.values > 0, a4_x - r_x * t_x.term(lambda v: np.log(alpha + v)), -np.inf)
    return a1_a2 + np.logaddexp(a3, a4)


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m_x: np.ndarray) -> np.ndarray:
    """Each repeat customer's Gamma-Gamma log-likelihood at params = (p, q, v) (v is gamma)."""
    return _gamma_gamma_log_likelihood(params, _Column(x), np.asarray(m_x, dtype=float))


def _gamma_gamma_log_likelihood(params: np.ndarray, x: _Column, m_x: np.ndarray) -> np.ndarray:
    p, q, v = params
    px = p * x.values
    return (
        x.term(lambda n: gammaln(p * n + q) - gammaln(p * n) - gammaln(q) + q * np.log(v))
        + (px - 1) * np.log(m_x)
        + px * np.log(x.values)
        - (px + q) * np.log(v + m_x * x.values)
    )


def _fit(model: str, names: tuple[str, ...], total_log_likelihood, start: np.ndarray, customers: int) -> ModelFit:
    """Maximise a log-likelihood over positive parameters (optimised on their logarithms):
    L-BFGS-B from the start, then Nelder-Mead from its optimum to settle it without gradients;
    the better of the two is kept."""

    def negative(log_params: np.ndarray) -> float:
        value = total_log_likelihood(np.exp(log_params))
        return -value if np.isfinite(value) else 1e300

    gradient = minimize(negative, np.log(start), method="L-BFGS-B")
    settled = minimize(negative, gradient.x, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-8, "maxiter": 4_000})
    best = settled if settled.fun <= gradient.fun else gradient
    values = np.exp(best.x)
    return ModelFit(
        model, dict(zip(names, (float(v) for v in values))), float(-best.fun), customers, bool(gradient.success or settled.success)
    )


def _distinct(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of the columns and how many customers share each: the likelihood of
    identical customers is computed once and weighted (customers in days share many rows)."""
    rows, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(float)


def _weighted_total(weight: np.ndarray, values: np.ndarray) -> float:
    """sum(weight x values), added up by numpy on one thread, in the same order whatever the
    machine's cores. A BLAS dot product (weight @ values) splits the sum among the library's
    threads, so the total's last digits, and with them the optimum the fit settles on, would
    depend on how many threads BLAS had."""
    return float(np.sum(weight * values))


def fit_bg_nbd(x, t_x, T) -> ModelFit:
    """Fit r, alpha, a, b to per-customer (x, t_x, T)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) == 0:
        raise ValueError("BG/NBD needs at least one customer")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > T) or np.any((x == 0) & (t_x != 0)):
        raise ValueError("BG/NBD needs 0 <= t_x <= T, x >= 0, and t_x = 0 where x = 0")
    start = np.array([1.0, max(float(np.mean(T)), 1e-3), 1.0, 1.0])
    (dx, dt_x, dT), weight = _distinct(x, t_x, T)
    columns = _Column(dx), _Column(dt_x), _Column(dT)
    return _fit(
        "bg_nbd", ("r", "alpha", "a", "b"), lambda params: _weighted_total(weight, _bg_nbd_log_likelihood(params, *columns)), start, len(x)
    )


def fit_gamma_gamma(x, m_x) -> ModelFit:
    """Fit p, q, v to repeat customers' (x, m_x): x >= 1 repeat purchases of mean value m_x > 0."""
    x, m_x = (np.asarray(v, dtype=float) for v in (x, m_x))
    if len(x) == 0:
        raise ValueError("Gamma-Gamma needs at least one repeat customer")
    if np.any(x < 1) or np.any(m_x <= 0):
        raise ValueError("Gamma-Gamma needs x >= 1 and a mean repeat value above 0 for every customer")
    start = np.array([1.0, 1.0, max(float(np.mean(m_x)), 1e-3)])
    (dx, dm_x), weight = _distinct(x, m_x)
    column = _Column(dx)
    return _fit(
        "gamma_gamma",
        ("p", "q", "v"),
        lambda params: _weighted_total(weight, _gamma_gamma_log_likelihood(params, column, dm_x)),
        start,
        len(x),
    )


def _dropped_out_odds(fit: ModelFit, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """The odds that a customer dropped out after their last purchase: a / (b + x - 1) x
    ((alpha + T) / (alpha + t_x))^(r + x), and 0 without a repeat purchase."""
    r, alpha, a, b = (fit.parameters[k] for k in ("r", "alpha", "a", "b"))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)


def p_alive(fit: ModelFit, x, t_x, T) -> np.ndarray:
    """P(alive at T | x, t_x, T): 1 for a customer with no repeat purchase (BG/NBD's convention)."""
    return 1.0 / (1.0 + _dropped_out_odds(fit, *(np.asarray(v, dtype=float) for v in (x, t_x, T))))


def expected_purchases(fit: ModelFit, t: float, x, t_x, T) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T] (Fader, Hardie & Lee 2005, equation 10).

    The paper's ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z) is
    written with Euler's transformation, 2F1(a', b'; c; z) = (1 - z)^(c - a' - b')
    2F1(c - a', c - b'; c; z): the powers of (1 - z) collapse to (1 - z)^(a - 1) and the series
    left, 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z), has small upper parameters whatever x
    is, so it neither overflows for frequent buyers nor needs many terms. The SQL scoring
    (fct_customer_lifetime_value) sums the same series."""
    r, alpha, a, b = (fit.parameters[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    z = t / (alpha + T + t)
    series = hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (a - 1) * series)
    return first / (1.0 + _dropped_out_odds(fit, x, t_x, T))


def probability_no_purchase(fit: ModelFit, t: float, x, t_x, T) -> np.ndarray:
    """P(no purchase in (T, T + t] | x, t_x, T): a customer who dropped out buys nothing; one
    still alive buys nothing with probability ((alpha + T) / (alpha + T + t))^(r + x), their
    Poisson rate's posterior being Gamma(r + x, alpha + T). The BG/NBD's churn probability."""
    r, alpha = fit.parameters["r"], fit.parameters["alpha"]
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    alive = p_alive(fit, x, t_x, T)
    return 1.0 - alive * (1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x))


def expected_average_value(fit: ModelFit, x, m_x, population_mean: float | None = None) -> np.ndarray:
    """E[M | x, m_x]: a repeat customer's expected spend per purchase, their own mean shrunk
    towards the population's; for x = 0 the population mean p v / (q - 1)."""
    p, q, v = (fit.parameters[k] for k in ("p", "q", "v"))
    x, m_x = (np.asarray(vals, dtype=float) for vals in (x, m_x))
    population = p * v / (q - 1) if population_mean is None else population_mean
    m_x = np.where(x > 0, m_x, 0.0)
    return (q - 1) / (p * x + q - 1) * population + (p * x) / (p * x + q - 1) * m_x


def fitted_parameter_rows(fits: list[tuple[str, object, ModelFit]]) -> pd.DataFrame:
    """One row per fitted number: (fitted_for, calibration_end_date, fit) -> the columns of
    dim_clv_model_parameters."""
    rows = [
        {
            "fitted_for": fitted_for,
            "calibration_end_date": calibration_end_date,
            "model": fit.model,
            "parameter": name,
            "value": value,
            "log_likelihood": fit.log_likelihood,
            "customers": fit.customers,
            "converged": fit.converged,
        }
        for fitted_for, calibration_end_date, fit in fits
        for name, value in fit.parameters.items()
    ]
    columns = ["fitted_for", "calibration_end_date", "model", "parameter", "value", "log_likelihood", "customers", "converged"]
    return pd.DataFrame(rows, columns=columns)


def fit_summaries(summaries: pd.DataFrame, sample_size: int, random_state: int) -> tuple[ModelFit, ModelFit | None]:
    """BG/NBD and Gamma-Gamma fitted to one cut-off's customer summaries (the columns of
    int_customer_purchase_summaries, ordered by customer_id): at most sample_size customers, a
    seeded random choice (every customer when there are fewer), so the same input gives the
    same fit. Gamma-Gamma uses the repeat customers of that choice with a positive mean repeat
    value; with fewer than two of them it is not fitted (None)."""
    if len(summaries) > sample_size:
        chosen = np.sort(np.random.default_rng(random_state).choice(len(summaries), sample_size, replace=False))
        summaries = summaries.iloc[chosen]
    x = summaries["repeat_purchase_days"].to_numpy(dtype=float)
    bg_nbd = fit_bg_nbd(x, summaries["days_first_to_last_purchase"], summaries["days_since_first_purchase"])
    m_x = summaries["mean_repeat_day_value"].to_numpy(dtype=float)
    repeat = (x >= 1) & (np.nan_to_num(m_x) > 0)
    gamma_gamma = fit_gamma_gamma(x[repeat], m_x[repeat]) if repeat.sum() >= 2 else None
    return bg_nbd, gamma_gamma
