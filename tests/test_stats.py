"""Trend model and intervals, against references computed independently with numpy/scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analyse.exceptions import AnalyseError
from analyse.stats import (
    DISPERSION_LIMIT,
    TrendResult,
    describe_trend,
    poisson_trend,
    wilson_interval,
)

LABELS = ["2016H1", "2016H2", "2017H1", "2017H2", "2018H1", "2018H2", "2019H1"]
TABEL_1 = [610, 604, 638, 625, 569, 529, 492]  # the published figures


def _poisson_mle(y: np.ndarray, t: np.ndarray):
    """Poisson regression log mu = a + b t by Newton-Raphson, written out by hand."""
    X = np.column_stack([np.ones_like(t), t])
    beta = np.array([math.log(y.mean()), 0.0])
    for _ in range(100):
        mu = np.exp(X @ beta)
        step = np.linalg.solve(X.T @ (mu[:, None] * X), X.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    mu = np.exp(X @ beta)
    cov = np.linalg.inv(X.T @ (mu[:, None] * X))
    pearson = float(np.sum((y - mu) ** 2 / mu))
    return beta, cov, pearson


def test_perfect_exponential_series_matches_log_linear_least_squares():
    t = np.arange(7, dtype=float)
    y = 800.0 * 0.93 ** t
    slope, _ = np.polyfit(t, np.log(y), 1)  # exact for an exact exponential
    result = poisson_trend(pd.Series(y, index=LABELS))
    assert result.rate_ratio == pytest.approx(math.exp(slope), rel=1e-9)
    assert result.rate_ratio == pytest.approx(0.93, rel=1e-9)
    assert result.rate_ratio_year == pytest.approx(0.93 ** 2, rel=1e-9)
    assert result.model == "Poisson"
    assert result.dispersion == pytest.approx(0.0, abs=1e-9)
    assert result.ci_low < result.rate_ratio < result.ci_high
    assert result.p_value < 1e-6
    assert (result.n_periods, result.first_period, result.last_period) == (7, "2016H1", "2019H1")


def test_poisson_fit_matches_hand_written_newton_raphson():
    y = np.array([100, 96, 90, 88, 83, 79, 76], dtype=float)
    t = np.arange(7, dtype=float)
    beta, cov, pearson = _poisson_mle(y, t)
    dispersion = pearson / (len(y) - 2)
    assert dispersion <= DISPERSION_LIMIT  # so the plain Poisson model applies

    result = poisson_trend(pd.Series(y, index=LABELS))
    se = math.sqrt(cov[1, 1])
    z = sps.norm.ppf(0.975)
    assert result.model == "Poisson"
    assert result.rate_ratio == pytest.approx(math.exp(beta[1]), rel=1e-8)
    assert result.ci_low == pytest.approx(math.exp(beta[1] - z * se), rel=1e-6)
    assert result.ci_high == pytest.approx(math.exp(beta[1] + z * se), rel=1e-6)
    assert result.ci_low_year == pytest.approx(math.exp(2 * (beta[1] - z * se)), rel=1e-6)
    assert result.p_value == pytest.approx(2 * sps.norm.sf(abs(beta[1] / se)), rel=1e-5)
    assert result.dispersion == pytest.approx(dispersion, rel=1e-8)


def test_overdispersed_series_switches_to_quasi_poisson_with_t_intervals():
    y = np.array(TABEL_1, dtype=float)
    t = np.arange(7, dtype=float)
    beta, cov, pearson = _poisson_mle(y, t)
    df = len(y) - 2
    dispersion = pearson / df
    assert dispersion > DISPERSION_LIMIT

    result = poisson_trend(pd.Series(y, index=LABELS))
    se = math.sqrt(cov[1, 1] * dispersion)
    q = sps.t.ppf(0.975, df)
    assert result.model == "quasi-Poisson"
    assert result.dispersion == pytest.approx(dispersion, rel=1e-8)
    assert result.rate_ratio == pytest.approx(math.exp(beta[1]), rel=1e-8)
    assert result.ci_low == pytest.approx(math.exp(beta[1] - q * se), rel=1e-6)
    assert result.ci_high == pytest.approx(math.exp(beta[1] + q * se), rel=1e-6)
    assert result.p_value == pytest.approx(2 * sps.t.sf(abs(beta[1] / se), df), rel=1e-5)


def test_gaps_and_order_use_the_half_year_labels():
    # Exact exponential with 2017H1 missing; rows shuffled.
    labels = ["2017H2", "2016H1", "2018H1", "2016H2"]
    t = np.array([3, 0, 4, 1], dtype=float)
    result = poisson_trend(pd.Series(500.0 * 1.1 ** t, index=labels))
    assert result.rate_ratio == pytest.approx(1.1, rel=1e-9)
    assert (result.first_period, result.last_period) == ("2016H1", "2018H1")


def test_too_short_or_empty_series_is_refused():
    with pytest.raises(AnalyseError, match="mindst 3 halvår"):
        poisson_trend(pd.Series([10, 12], index=LABELS[:2]))
    with pytest.raises(AnalyseError, match="antallet er 0 i alle halvår"):
        poisson_trend(pd.Series([0, 0, 0], index=LABELS[:3]))


def _result(rr, low, high, p):
    return TrendResult(rr, low, high, rr ** 2, low ** 2, high ** 2, p, "Poisson", 7, 1.0,
                       "2016H1", "2019H1")


def test_describe_significant_fall():
    text = describe_trend(_result(0.93, 0.91, 0.95, 0.0001),
                          "antallet af unikke personer med en visiteret ydelse")
    assert text == (
        "Antallet af unikke personer med en visiteret ydelse er faldet med ca. 7 % pr. halvår "
        "(95 %-konfidensinterval: 5 % til 9 %). Faldet er statistisk sikkert."
    )


def test_describe_significant_rise_per_year():
    text = describe_trend(_result(1.05, 1.02, 1.08, 0.001), "antallet af kontakter", per="år")
    assert text == (
        "Antallet af kontakter er steget med ca. 10 % pr. år "
        "(95 %-konfidensinterval: 4 % til 17 %). Stigningen er statistisk sikker."
    )


def test_describe_uncertain_change_spans_fall_and_rise():
    text = describe_trend(_result(0.98, 0.95, 1.01, 0.3), "antallet af borgere")
    assert text == (
        "Antallet af borgere er faldet med ca. 2 % pr. halvår (95 %-konfidensinterval: "
        "fra et fald på 5 % til en stigning på 1 %). Udviklingen kan skyldes tilfældigheder."
    )


def test_describe_small_change_uses_a_decimal_and_flat_wording():
    assert "ca. 0,4 %" in describe_trend(_result(0.996, 0.98, 1.012, 0.6), "antallet")
    text = describe_trend(_result(1.0002, 0.99, 1.01, 0.9), "antallet")
    assert text.startswith("Antallet er stort set uændret fra halvår til halvår")
    assert text.endswith("Udviklingen kan skyldes tilfældigheder.")


def test_describe_on_a_fitted_model():
    result = poisson_trend(pd.Series(TABEL_1, index=LABELS))
    text = describe_trend(result, "antallet af unikke personer med en visiteret ydelse")
    assert text.startswith("Antallet af unikke personer med en visiteret ydelse er faldet med ca. 3 %")


def test_wilson_matches_the_formula():
    successes, n, z = 50, 106, sps.norm.ppf(0.975)
    p = successes / n
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z / (1 + z ** 2 / n) * math.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    low, high = wilson_interval(successes, n)
    assert low == pytest.approx(centre - half, rel=1e-10)
    assert high == pytest.approx(centre + half, rel=1e-10)
    assert low == pytest.approx(0.3793, abs=1e-4)


def test_wilson_edges_and_validation():
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12) and 0 < high < 0.35
    narrow = wilson_interval(50, 106, alpha=0.10)
    wide = wilson_interval(50, 106)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]
    with pytest.raises(ValueError):
        wilson_interval(5, 0)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
