"""The interrupted time series (segmented Poisson regression) against independently computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats as sps

from analyse.exceptions import AnalyseError
from analyse.periods import half_year_range
from analyse.stats import ITSResult, describe_its, describe_its_model, interrupted_time_series

SEVEN = half_year_range("2016H1", "2019H1")  # the published AS2007 series: two before 2017H1, five after


def _exact(periods, intervention, base, pre, level, slope) -> pd.Series:
    """Counts lying exactly on exp(a + b·t + c·after + d·(t − t0)·after)."""
    t = np.arange(len(periods), dtype=float)
    t0 = periods.index(intervention)
    after = (t >= t0).astype(float)
    mu = base * pre ** t * level ** after * slope ** ((t - t0) * after)
    return pd.Series(mu, index=periods)


@pytest.mark.parametrize("level, slope", [(1.10, 0.90), (0.80, 1.05), (1.0, 1.0)])
def test_exact_series_gives_back_its_level_and_slope_change(level, slope):
    series = _exact(SEVEN, "2017H1", 480.0, 0.99, level, slope)
    r = interrupted_time_series(series, "2017H1")
    assert r.level_ratio == pytest.approx(level, rel=1e-6)
    assert r.slope_ratio == pytest.approx(slope, rel=1e-6)
    assert r.pre_ratio == pytest.approx(0.99, rel=1e-6)
    assert r.post_ratio == pytest.approx(0.99 * slope, rel=1e-6)
    assert (r.n_pre, r.n_post, r.first_period, r.last_period) == (2, 5, "2016H1", "2019H1")
    assert r.level_low <= r.level_ratio <= r.level_high
    assert r.model == "Poisson"


def test_order_and_gaps_do_not_matter():
    periods = half_year_range("2014H1", "2020H2")
    series = _exact(periods, "2017H1", 300.0, 1.02, 0.85, 0.97)
    shuffled = series.drop(["2015H1", "2019H2"]).sample(frac=1, random_state=3)
    r = interrupted_time_series(shuffled, "2017H1")
    assert (r.level_ratio, r.slope_ratio, r.pre_ratio) == pytest.approx((0.85, 0.97, 1.02), rel=1e-6)
    assert (r.n_pre, r.n_post) == (5, 7)


def _frame(series: pd.Series, intervention: str) -> pd.DataFrame:
    """The design written out by hand, for statsmodels' formula interface."""
    periods = list(series.index)
    t0 = periods.index(intervention)
    return pd.DataFrame({
        "y": series.to_numpy(),
        "tid": np.arange(len(periods)),
        "efter": [int(i >= t0) for i in range(len(periods))],
        "tid_efter": [max(0, i - t0) for i in range(len(periods))],
    })


def test_poisson_fit_matches_a_formula_glm_fit():
    # The published § 85 timetakst counts (Tabel 2): Poisson dispersion is below the limit.
    counts = pd.Series([474, 470, 504, 494, 444, 408, 372], index=SEVEN, dtype=float)
    r = interrupted_time_series(counts, "2017H1")
    assert r.model == "Poisson"
    fit = smf.glm("y ~ tid + efter + tid_efter", data=_frame(counts, "2017H1"),
                  family=sm.families.Poisson()).fit()
    ci = np.exp(fit.conf_int(alpha=0.05))
    assert r.level_ratio == pytest.approx(math.exp(fit.params["efter"]), rel=1e-9)
    assert r.slope_ratio == pytest.approx(math.exp(fit.params["tid_efter"]), rel=1e-9)
    assert (r.level_low, r.level_high) == pytest.approx(tuple(ci.loc["efter"]), rel=1e-9)
    assert (r.slope_low, r.slope_high) == pytest.approx(tuple(ci.loc["tid_efter"]), rel=1e-9)
    assert r.dispersion == pytest.approx(fit.pearson_chi2 / fit.df_resid)
    # The post-intervention trend is the sum of two coefficients; its interval from their covariance.
    cov = fit.cov_params()
    var = cov.loc["tid", "tid"] + cov.loc["tid_efter", "tid_efter"] + 2 * cov.loc["tid", "tid_efter"]
    estimate = fit.params["tid"] + fit.params["tid_efter"]
    z = sps.norm.ppf(0.975)
    assert (r.post_low, r.post_high) == pytest.approx(
        (math.exp(estimate - z * math.sqrt(var)), math.exp(estimate + z * math.sqrt(var))), rel=1e-9)


def test_overdispersed_counts_get_quasi_poisson_intervals_computed_by_hand():
    counts = pd.Series([474, 520, 430, 560, 380, 470, 330], index=SEVEN, dtype=float)
    r = interrupted_time_series(counts, "2017H1")
    assert r.model == "quasi-Poisson"
    fit = smf.glm("y ~ tid + efter + tid_efter", data=_frame(counts, "2017H1"),
                  family=sm.families.Poisson()).fit()
    scale = fit.pearson_chi2 / fit.df_resid
    assert r.dispersion == pytest.approx(scale)
    q = sps.t.ppf(0.975, df=len(counts) - 4)
    for name, low, high in (("efter", r.level_low, r.level_high), ("tid_efter", r.slope_low, r.slope_high)):
        se = fit.bse[name] * math.sqrt(scale)
        assert (low, high) == pytest.approx(
            (math.exp(fit.params[name] - q * se), math.exp(fit.params[name] + q * se)), rel=1e-7)


def test_too_few_half_years_around_the_intervention_is_an_error():
    counts = pd.Series([10, 12, 14, 15, 16], index=half_year_range("2016H1", "2018H1"), dtype=float)
    with pytest.raises(AnalyseError, match="mindst 2 halvår før og 2 efter 1. halvår 2016"):
        interrupted_time_series(counts, "2016H1")
    with pytest.raises(AnalyseError, match="1 før"):
        interrupted_time_series(counts, "2016H2")
    interrupted_time_series(counts, "2017H1")  # two before, three after: fine
    with pytest.raises(AnalyseError, match="lutter nuller"):
        interrupted_time_series(counts * 0, "2017H1")


def test_danish_sentence_states_the_estimate_with_its_interval_and_that_seven_half_years_are_too_few():
    counts = pd.Series([474, 470, 504, 494, 444, 408, 372], index=SEVEN, dtype=float)
    r = interrupted_time_series(counts, "2017H1")
    text = describe_its(r, "antallet af personer med § 85 bostøtte (timetakst)")
    level = round((r.level_ratio - 1) * 100)
    assert f"ca. {abs(level)} % {'over' if level > 0 else 'under'}" in text
    assert f"fald på {round((1 - r.level_low) * 100)} %" in text and f"stigning på {round((r.level_high - 1) * 100)} %" in text
    assert "95 %-konfidensinterval" in text
    assert f"faktor {r.slope_ratio:.2f}".replace(".", ",") in text
    assert "kun syv halvår (to før og fem efter)" in text
    assert "for få til en sikker konklusion" in text
    method = describe_its_model(r)
    assert "syv halvår" in method and "1. halvår 2017" in method


def test_a_long_series_is_not_called_too_short():
    periods = half_year_range("2009H1", "2024H2")
    r = interrupted_time_series(_exact(periods, "2017H1", 200.0, 1.0, 1.2, 0.95), "2017H1")
    assert (r.n_pre, r.n_post) == (16, 16) and not r.too_short
    text = describe_its(r, "antallet")
    assert "for få" not in text and "ikke hvorfor" in text
    assert "Både spring og knæk er statistisk sikre." in text


def test_result_verdicts():
    r = ITSResult("2017H1", 1.3, 1.1, 1.5, 0.001, 1.0, 0.9, 1.1, 0.9, 1.0, 0.9, 1.1, 1.0, 0.9, 1.1,
                  "Poisson", 1.0, 2, 5, "2016H1", "2019H1")
    assert r.level_significant and not r.slope_significant and r.too_short and r.n_periods == 7
    assert "Springet er statistisk sikkert, knækket i udviklingen er det ikke." in describe_its(r, "antallet")


def test_a_clear_knaek_does_not_print_an_interval_reaching_1():
    # The slope change is statistically clear (p = 0.01), its upper bound 0.996: "0,95 til 1,00"
    # beside "statistisk sikkert" read as if the interval reached no change.
    from analyse.summary import its_table

    r = ITSResult("2017H1", 1.0, 0.9, 1.1, 0.9, 0.975, 0.953, 0.996, 0.01, 1.0, 0.998, 1.002, 0.975, 0.97, 0.9995,
                  "Poisson", 1.0, 8, 8, "2013H1", "2020H2")
    text = describe_its(r, "antallet")
    assert "faktor 0,98 (95 %-konfidensinterval: 0,95 til 0,996)" in text
    assert "Knækket i udviklingen er statistisk sikkert" in text
    table = its_table(r)["95 %-konfidensinterval"]
    assert table["Knæk: ændring i udviklingen pr. halvår (faktor)"] == "0,95 til 0,996"
    assert table["Udvikling pr. halvår før skiftet (faktor)"] == "0,998 til 1,002"
    assert table["Udvikling pr. halvår efter skiftet (faktor)"] == "0,97 til 0,9995"
