"""Share statistics against independently computed reference values.

References:
- Newcombe RG (1998a). Two-sided confidence intervals for the single proportion:
  comparison of seven methods. Stat Med 17:857-872. Table I, method 3 (Wilson score).
- Newcombe RG (1998b). Interval estimation for the difference between independent
  proportions: comparison of eleven methods. Stat Med 17:873-890. Table II, method 10
  (hybrid score interval from Wilson limits), examples (a)-(f).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import confint_proportions_2indep

from analyse import stats
from analyse.exceptions import AnalyseError


# --- Wilson ----------------------------------------------------------------------------------


@pytest.mark.parametrize("successes, n, low, high", [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998a(successes, n, low, high):
    got = stats.wilson_interval(successes, n)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_wilson_matches_the_closed_form():
    z = 1.959963984540054
    for s, n in [(50, 106), (56, 98), (3, 7), (340, 479)]:
        p = s / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        assert stats.wilson_interval(s, n) == pytest.approx((centre - half, centre + half), abs=1e-12)


# --- Newcombe ----------------------------------------------------------------------------------


# Newcombe (1998b), Table II, method 10; the paper's difference is p1 − p2, ours is
# p2 − p1 (later minus baseline), so the paper's first sample is our second.
NEWCOMBE_TABLE_II = [
    ((56, 70), (48, 80), 0.0524, 0.3339),
    ((9, 10), (3, 10), 0.1705, 0.8090),
    ((6, 7), (2, 7), 0.0582, 0.8062),
    ((5, 56), (0, 29), -0.0381, 0.1926),
    ((0, 10), (0, 20), -0.1611, 0.2775),
    ((10, 10), (0, 20), 0.6791, 1.0000),
]


@pytest.mark.parametrize("first, second, low, high", NEWCOMBE_TABLE_II)
def test_newcombe_matches_the_paper(first, second, low, high):
    got = stats.newcombe_difference(*second, *first)
    assert got.difference == pytest.approx(first[0] / first[1] - second[0] / second[1])
    assert (got.ci_low, got.ci_high) == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize("first, second, low, high", NEWCOMBE_TABLE_II)
def test_newcombe_matches_statsmodels(first, second, low, high):
    got = stats.newcombe_difference(*second, *first)
    ref = confint_proportions_2indep(*first, *second, method="newcomb", compare="diff")
    assert (got.ci_low, got.ci_high) == pytest.approx(tuple(float(v) for v in ref), abs=1e-10)


def test_newcombe_direction_and_significance():
    up = stats.newcombe_difference(48, 80, 56, 70)  # 60 % → 80 %
    assert up.difference == pytest.approx(0.2) and up.significant
    down = stats.newcombe_difference(56, 70, 48, 80)
    assert down.difference == pytest.approx(-0.2)
    assert (down.ci_low, down.ci_high) == pytest.approx((-up.ci_high, -up.ci_low))
    same = stats.newcombe_difference(50, 106, 53, 106)
    assert not same.significant


# --- exact binomial test -------------------------------------------------------------------------


def pmf(k: int, n: int, p: float) -> float:
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


@pytest.mark.parametrize("s, n, target", [(50, 106, 0.50), (56, 98, 0.60), (340, 479, 0.50), (7, 20, 0.3)])
def test_binomial_test_equals_explicit_pmf_sums(s, n, target):
    greater = sum(pmf(k, n, target) for k in range(s, n + 1))
    less = sum(pmf(k, n, target) for k in range(0, s + 1))
    # Two-sided exact test: every outcome at most as likely as the observed one.
    observed = pmf(s, n, target)
    two_sided = sum(pmf(k, n, target) for k in range(n + 1) if pmf(k, n, target) <= observed * (1 + 1e-7))
    assert stats.binomial_test_against_target(s, n, target, "greater").p_value == pytest.approx(greater, rel=1e-9)
    assert stats.binomial_test_against_target(s, n, target, "less").p_value == pytest.approx(less, rel=1e-9)
    assert stats.binomial_test_against_target(s, n, target).p_value == pytest.approx(min(two_sided, 1), rel=1e-9)


def test_binomial_test_verdicts():
    assert not stats.binomial_test_against_target(50, 106, 0.50).significant  # 47 % vs 50 %: chance
    assert stats.binomial_test_against_target(340, 479, 0.50).significant  # 71 % vs 50 %
    with pytest.raises(ValueError):
        stats.binomial_test_against_target(5, 4, 0.5)
    with pytest.raises(ValueError):
        stats.binomial_test_against_target(5, 10, 1.2)


# --- binomial trend ----------------------------------------------------------------------------


def test_binomial_trend_recovers_an_exact_logistic_series():
    periods = ["2016H1", "2016H2", "2017H1", "2017H2"]
    # Odds 1, 1.5, 2.25, 3.375: shares on a logistic curve with odds ratio 1.5 per half-year.
    result = stats.binomial_trend(pd.Series([100, 300, 900, 2700], index=periods),
                                  pd.Series([200, 500, 1300, 3500], index=periods))
    assert result.odds_ratio == pytest.approx(1.5, rel=1e-8)
    assert (result.unit, result.model, result.n_periods) == ("halvår", "binomial", 4)
    assert result.significant


def test_binomial_trend_agrees_with_logit_on_individual_rows():
    successes = pd.Series([50, 60, 58, 75, 80, 71], index=["2018H1", "2018H2", "2019H1", "2019H2", "2020H1", "2021H1"])
    totals = pd.Series([106, 110, 100, 112, 115, 99], index=successes.index)
    result = stats.binomial_trend(successes, totals)
    # The same model fitted by a different code path: one row per episode, discrete Logit.
    t = {"2018H1": 0, "2018H2": 1, "2019H1": 2, "2019H2": 3, "2020H1": 4, "2021H1": 6}
    x, y = [], []
    for period in successes.index:
        x += [t[period]] * int(totals[period])
        y += [1] * int(successes[period]) + [0] * int(totals[period] - successes[period])
    logit = sm.Logit(np.array(y), sm.add_constant(np.array(x, dtype=float))).fit(disp=0)
    low, high = np.exp(logit.conf_int()[1])
    assert result.model == "binomial"
    assert result.odds_ratio == pytest.approx(math.exp(logit.params[1]), rel=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-6)
    assert result.p_value == pytest.approx(logit.pvalues[1], rel=1e-5)


def test_binomial_trend_widens_intervals_when_shares_scatter():
    periods = [f"{y}H{h}" for y in range(2016, 2020) for h in (1, 2)]
    successes = pd.Series([30, 70, 25, 75, 35, 68, 28, 72], index=periods)
    totals = pd.Series([100] * 8, index=periods)
    result = stats.binomial_trend(successes, totals)
    assert result.model == "quasi-binomial" and result.dispersion > stats.DISPERSION_LIMIT
    assert not result.significant
    # The interval is the binomial one widened by √dispersion (on the log-odds scale, t-based).
    t = np.arange(8.0)
    plain = sm.GLM(np.column_stack([successes, totals - successes]), sm.add_constant(t),
                   family=sm.families.Binomial()).fit()
    se = plain.bse[1] * math.sqrt(plain.pearson_chi2 / plain.df_resid)
    from scipy.stats import t as t_dist
    half = t_dist.ppf(0.975, plain.df_resid) * se
    assert math.log(result.ci_high) - math.log(result.odds_ratio) == pytest.approx(half, rel=1e-6)


def test_binomial_trend_over_years_and_errors():
    years = pd.Series([90, 100, 120, 140], index=["2019", "2020", "2021", "2022"])
    result = stats.binomial_trend(years, pd.Series([200] * 4, index=years.index))
    assert result.unit == "år" and result.odds_ratio > 1
    with pytest.raises(AnalyseError, match="mindst 3"):
        stats.binomial_trend(years[:2], pd.Series([200, 200], index=years.index[:2]))
    with pytest.raises(AnalyseError):
        stats.binomial_trend(pd.Series([0, 0, 0], index=years.index[:3]), pd.Series([5, 5, 5], index=years.index[:3]))


# --- Danish conclusions ---------------------------------------------------------------------------


def test_describe_rise_that_is_signal_and_target_reached():
    text = stats.describe_share_change(50, 106, 340, 479, first="dec. 2017–maj 2018", second="2020–2021",
                                       target=0.50)
    assert text.startswith("Andelen er steget fra 47 % i dec. 2017–maj 2018 til 71 % i 2020–2021, "
                           "og stigningen er statistisk sikker")
    assert "Målet på 50 % er nået, og andelen ligger statistisk sikkert over målet." in text


def test_describe_target_reached_but_change_may_be_chance():
    text = stats.describe_share_change(50, 106, 56, 106, first="2018", second="2020", target=0.50)
    assert "men stigningen kan skyldes tilfældigheder" in text
    assert text.endswith("Målet på 50 % er nået, men forskellen til baseline kan skyldes tilfældigheder.")


def test_describe_fall_and_target_missed():
    text = stats.describe_share_change(56, 98, 300, 566, first="dec. 2017–maj 2018", second="2020–2021",
                                       target=0.60)
    assert text.startswith("Andelen er faldet fra 57 % i dec. 2017–maj 2018 til 53 % i 2020–2021, "
                           "men faldet kan skyldes tilfældigheder")
    assert text.endswith("Målet på 60 % er ikke nået, og andelen ligger statistisk sikkert under målet.")
    close = stats.describe_share_change(56, 98, 58, 100, first="a", second="b", target=0.60)
    assert close.endswith("Målet på 60 % er ikke nået, men forskellen til målet kan skyldes tilfældigheder.")


def test_describe_unchanged_and_too_few():
    text = stats.describe_share_change(47, 100, 94, 200, first="2018", second="2019")
    assert text.startswith("Andelen er uændret: 47 % i 2018 og 47 % i 2019")
    assert "−" in text  # the interval spans zero and uses a real minus sign
    few = stats.describe_share_change(2, 4, 50, 100, first="2018H1", second="2019H1", what="andelen")
    assert few == "Andelen kan ikke vurderes: der er færre end 5 afsluttede forløb i 2018H1."


def test_target_reached_uses_whole_percent_as_published():
    # 49.6 % is published as 50 %: the 50 % target counts as reached.
    assert stats.compare_shares(47, 100, 248, 500, target=0.50).target_reached
    assert not stats.compare_shares(47, 100, 247, 500, target=0.50).target_reached


def test_describe_share_trend():
    result = stats.ShareTrendResult(1.12, 1.05, 1.2, 0.001, "binomial", 14, 1.1, "2016H1", "2022H2", "halvår")
    assert stats.describe_share_trend(result, "andelen").startswith("Andelen er steget over perioden")
    flat = stats.ShareTrendResult(0.98, 0.93, 1.04, 0.5, "binomial", 14, 1.1, "2016H1", "2022H2", "halvår")
    assert stats.describe_share_trend(flat, "andelen").startswith("Der er ingen statistisk sikker udvikling")


# --- one rule for counts and shares: four periods with numbers ------------------------------------


def _episodes_without_stof_in_2021h2() -> pd.DataFrame:
    """60 Alkohol episodes in each half-year of 2021-2022; Stof ends none in 2021H2 (n = 0 there)."""
    rows = []
    for month in ("2021-03-01", "2021-09-01", "2022-03-01", "2022-09-01"):
        rows += [("Alkohol", month, status) for status in ["Ophørt"] * 30 + ["Afbrudt"] * 30]
    for month, reached in (("2021-03-01", 24), ("2022-03-01", 31), ("2022-09-01", 37)):
        rows += [("Stof", month, status) for status in ["Ophørt"] * reached + ["Afbrudt"] * (60 - reached)]
    episodes = pd.DataFrame(rows, columns=["rusmiddel", "end_date", "afslutningsstatus"])
    episodes["end_date"] = pd.to_datetime(episodes["end_date"])
    return episodes


def test_a_share_trend_needs_four_half_years_with_episodes_like_a_count_trend():
    from analyse import summary
    from analyse.rusmiddel import outcome_table
    from analyse.rusmiddel_report import trend_sentence

    episodes = _episodes_without_stof_in_2021h2()
    stof = summary.share_figure(episodes, "stof", "Stof", "Stof", "2016H1", "2022H2")
    assert stof.periods == ("2021H1", "2021H2", "2022H1", "2022H2") and stof.totals[1] == 0
    # Was a logistic trend on three half-years (one residual degree of freedom).
    assert stof.trend is None and stof.direction == summary.UNKNOWN
    assert stof.sentence == "Udviklingen over tid kan ikke vurderes: der er for få halvår med afsluttede forløb."
    alkohol = summary.share_figure(episodes, "alkohol", "Alkohol", "Alkohol", "2016H1", "2022H2")
    assert alkohol.trend is not None and alkohol.trend.n_periods == 4
    # Report 03 follows the same rule.
    outcomes = outcome_table(episodes, list(stof.periods))
    assert trend_sentence(outcomes, "Stof") == (
        "Udviklingen over tid kan ikke vurderes: der er for få perioder med afsluttede forløb.")
    assert "oddsratio" in trend_sentence(outcomes, "Alkohol")
    # The count rule it follows: three half-years with numbers are too few for counts as well.
    assert stats.MIN_TREND_PERIODS == 4
    trend, _ = stats.count_trend(pd.Series([60.0, 60.0, 70.0], index=["2021H1", "2022H1", "2022H2"]), "antallet")
    assert trend is None
