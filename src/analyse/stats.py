"""Trend models and intervals used by the notebooks, with their Danish wording.

The reports are read by managers and politicians, so every estimate comes with
a sentence that says what it means and how sure it is. Later notebooks add their
models here rather than fitting them inline.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

from analyse.exceptions import AnalyseError
from analyse.formatting import (
    format_half_year, format_number, format_percent, format_points, round_half_up, visible_decimals,
)
from analyse.periods import half_year_index

# Above this Pearson dispersion the Poisson standard errors are too optimistic
# (counts of persons vary more than Poisson between half-years), so the
# uncertainty is scaled up (quasi-Poisson). 1.5 tolerates the noise a short
# series shows even when Poisson holds.
DISPERSION_LIMIT = 1.5
MIN_PERIODS = 3
# A trend on three half-years has one residual degree of freedom: its interval is
# so wide (a t-quantile of 12.7 under quasi-Poisson) that it says nothing. The
# reports (:func:`count_trend`, and the summary's key figures) ask for four and
# otherwise give the first and last value only.
MIN_TREND_PERIODS = 4
# A model whose estimate or interval bound is a factor beyond this per half-year (or under its
# inverse) has not found a development in the numbers but run off with a handful of zeros: the
# interval of [1, 0, 0, 0, 0, 0, 0, 40] reaches a rise of 2.9·10²⁴ %. Such a fit is no trend.
MAX_RATIO = 1e4

# The sentence where a model cannot give a trend; :class:`NotEstimable` says why.
NO_TREND = "Udviklingen over tid kan ikke beregnes ud fra disse tal"
# Why, for a model that converged on nothing usable (overflow, infinite or absurd bounds).
UNSTABLE = "skønnet bliver så usikkert, at det intet siger"


class NotEstimable(AnalyseError):
    """The numbers give a model no usable estimate: only zeros, a single half-year above 0,
    complete separation of a share, or a fit that runs off to infinity.

    ``reason`` is a short Danish clause that completes :data:`NO_TREND` (:func:`no_trend_sentence`).
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def no_trend_sentence(reason: str | None = None) -> str:
    """The one sentence a report gives where a trend cannot be computed, with its reason.

    >>> no_trend_sentence("antallet er 0 i alle halvår")
    'Udviklingen over tid kan ikke beregnes ud fra disse tal: antallet er 0 i alle halvår.'
    """
    return f"{NO_TREND}: {reason}." if reason else f"{NO_TREND}."


def _check_usable(fit, logs, pvalues) -> None:
    """Raise :class:`NotEstimable` where a fit did not converge, an estimate or bound (``logs``, on
    the log scale) is not finite or is beyond :data:`MAX_RATIO`, or a p-value is not a number."""
    limit = math.log(MAX_RATIO)
    logs, pvalues = [float(v) for v in logs], [float(v) for v in pvalues]
    if (not getattr(fit, "converged", True) or not all(math.isfinite(v) and abs(v) <= limit for v in logs)
            or not all(math.isfinite(p) for p in pvalues)):
        raise NotEstimable(UNSTABLE)


@dataclass(frozen=True)
class TrendResult:
    """A log-linear trend in counts over half-years.

    Rate ratios are multiplicative: 0.93 per half-year means 7 % fewer each
    half-year. ``dispersion`` is the Pearson χ²/df of the Poisson fit, whether or
    not the quasi-Poisson correction was applied.
    """

    rate_ratio: float
    ci_low: float
    ci_high: float
    rate_ratio_year: float
    ci_low_year: float
    ci_high_year: float
    p_value: float
    model: str
    n_periods: int
    dispersion: float
    first_period: str
    last_period: str
    confidence: float = 0.95

    @property
    def significant(self) -> bool:
        """True when the interval excludes 'no change' (p below 1 − confidence)."""
        return self.p_value < 1 - self.confidence


def poisson_trend(counts: pd.Series, confidence: float = 0.95) -> TrendResult:
    """Fit ``log E[count] = a + b·t`` with t in half-years; return the rate ratio exp(b).

    ``counts`` is indexed by half-year labels (``'2016H1'``…), in any order;
    gaps are allowed (t counts half-years, not rows). A Poisson GLM is fitted
    first; when its Pearson dispersion exceeds :data:`DISPERSION_LIMIT` the model
    is refitted as quasi-Poisson (scale = Pearson χ²/df) with t-based intervals,
    as R's ``quasipoisson`` does, because the estimated scale makes z too narrow.

    >>> r = poisson_trend(pd.Series([1000.0, 900.0, 810.0, 729.0],
    ...                             index=["2016H1", "2016H2", "2017H1", "2017H2"]))
    >>> round(r.rate_ratio, 6), round(r.rate_ratio_year, 6), r.model, r.n_periods
    (0.9, 0.81, 'Poisson', 4)
    """
    series = pd.Series(counts, dtype="float64").dropna()
    if len(series) < MIN_PERIODS:
        raise AnalyseError(
            f"trendanalysen kræver mindst {MIN_PERIODS} halvår med tal; fik {len(series)}"
        )
    if (series < 0).any():
        raise AnalyseError("trendanalysen kræver antal ≥ 0")
    if series.sum() == 0:
        raise NotEstimable("antallet er 0 i alle halvår")
    if (series > 0).sum() < 2:
        # The fit would put the one count's half-year infinitely above (or below) the others.
        raise NotEstimable("kun ét halvår har et antal over 0")
    position = pd.Series([half_year_index(label) for label in series.index], index=series.index)
    order = position.sort_values().index
    series, position = series[order], position[order]
    t = (position - position.iloc[0]).to_numpy(dtype="float64")
    design = sm.add_constant(t, has_constant="add")
    y = series.to_numpy()

    with warnings.catch_warnings():
        # A perfect fit (e.g. an exact exponential series) is fine, not a warning.
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, design, family=sm.families.Poisson()).fit()
        dispersion = float(fit.pearson_chi2 / fit.df_resid)
        model = "Poisson"
        if dispersion > DISPERSION_LIMIT:
            fit = sm.GLM(y, design, family=sm.families.Poisson()).fit(scale="X2", use_t=True)
            model = "quasi-Poisson"

    slope = float(fit.params[1])
    low, high = (float(v) for v in np.asarray(fit.conf_int(alpha=1 - confidence))[1])
    _check_usable(fit, (slope, low, high), (fit.pvalues[1],))
    return TrendResult(
        rate_ratio=math.exp(slope),
        ci_low=math.exp(low),
        ci_high=math.exp(high),
        rate_ratio_year=math.exp(2 * slope),
        ci_low_year=math.exp(2 * low),
        ci_high_year=math.exp(2 * high),
        p_value=float(fit.pvalues[1]),
        model=model,
        n_periods=len(series),
        dispersion=dispersion,
        first_period=str(series.index[0]),
        last_period=str(series.index[-1]),
        confidence=confidence,
    )


def _percent_text(change: float, decimals: int) -> str:
    return format_number(abs(change) * 100, decimals)


def _bound_text(change: float, decimals: int) -> str:
    """An interval bound as a percentage, with the decimals that keep a bound that is not 0
    from reading as 0 (so "0 % til 7 %" is never printed beside "statistisk sikkert").

    >>> _bound_text(-0.0032, 0), _bound_text(-0.071, 0), _bound_text(0.0004, 1)
    ('0,3', '7', '0,04')
    """
    return _percent_text(change, visible_decimals(change * 100, decimals))


def _change_phrase(change: float, decimals: int) -> str:
    """'et fald på 5 %' / 'en stigning på 2 %' for a relative change (an interval bound)."""
    amount = _bound_text(change, decimals)
    return f"et fald på {amount} %" if change < 0 else f"en stigning på {amount} %"


def describe_trend(result: TrendResult, what: str, per: str = "halvår") -> str:
    """One plain-Danish sentence (two, with the verdict) about a trend.

    ``what`` is the subject, e.g. ``"antallet af unikke personer med en
    visiteret ydelse"``; its first letter is capitalised. ``per`` is
    ``"halvår"`` or ``"år"``. Changes under 1 % get one decimal so they do not
    read as "0 %"; so does an interval bound that would round to 0 %, so the
    interval of a statistically clear change visibly leaves out 0.

    >>> r = TrendResult(0.93, 0.91, 0.95, 0.8649, 0.8281, 0.9025, 0.0001, "Poisson", 7, 1.0,
    ...                 "2016H1", "2019H1")
    >>> describe_trend(r, "antallet af unikke personer med en visiteret ydelse")
    'Antallet af unikke personer med en visiteret ydelse er faldet med ca. 7 % pr. halvår (95 %-konfidensinterval: 5 % til 9 %). Faldet er statistisk sikkert.'
    >>> r = TrendResult(1.02, 0.99, 1.05, 1.0404, 0.9801, 1.1025, 0.2, "Poisson", 7, 1.0,
    ...                 "2016H1", "2019H1")
    >>> describe_trend(r, "antallet af kontakter")
    'Antallet af kontakter er steget med ca. 2 % pr. halvår (95 %-konfidensinterval: fra et fald på 1 % til en stigning på 5 %). Udviklingen kan skyldes tilfældigheder.'
    >>> r = TrendResult(0.962, 0.928, 0.997, 0.925, 0.861, 0.994, 0.03, "Poisson", 7, 1.0,
    ...                 "2016H1", "2019H1")
    >>> describe_trend(r, "antallet af personer")
    'Antallet af personer er faldet med ca. 4 % pr. halvår (95 %-konfidensinterval: 0,3 % til 7 %). Faldet er statistisk sikkert.'
    """
    if per == "halvår":
        ratio, low, high = result.rate_ratio, result.ci_low, result.ci_high
    elif per == "år":
        ratio, low, high = result.rate_ratio_year, result.ci_low_year, result.ci_high_year
    else:
        raise ValueError("per skal være 'halvår' eller 'år'")
    subject = what[:1].upper() + what[1:]
    change, change_low, change_high = ratio - 1, low - 1, high - 1
    decimals = 0 if round_half_up(abs(change) * 100) >= 1 else 1
    level = format_number(result.confidence * 100, 0)

    if change_low < 0 < change_high or change_low == 0 or change_high == 0:
        interval = (
            f"{level} %-konfidensinterval: fra {_change_phrase(change_low, decimals)} "
            f"til {_change_phrase(change_high, decimals)}"
        )
    elif change < 0:
        # Both ends are falls; list the smaller fall first.
        interval = (
            f"{level} %-konfidensinterval: {_bound_text(change_high, decimals)} % "
            f"til {_bound_text(change_low, decimals)} %"
        )
    else:
        interval = (
            f"{level} %-konfidensinterval: {_bound_text(change_low, decimals)} % "
            f"til {_bound_text(change_high, decimals)} %"
        )

    amount = _percent_text(change, decimals)
    if round_half_up(abs(change) * 100, decimals) == 0:
        sentence = f"{subject} er stort set uændret fra {per} til {per} ({interval})."
    elif change < 0:
        sentence = f"{subject} er faldet med ca. {amount} % pr. {per} ({interval})."
    else:
        sentence = f"{subject} er steget med ca. {amount} % pr. {per} ({interval})."

    if not result.significant:
        verdict = "Udviklingen kan skyldes tilfældigheder."
    elif change < 0:
        verdict = "Faldet er statistisk sikkert."
    else:
        verdict = "Stigningen er statistisk sikker."
    return f"{sentence} {verdict}"


def _shown_value(value, threshold: int) -> str:
    """A count as a sentence gives it: a table's marker ('<5', 'X') as it is, else the count
    with the small-count rule (1 to ``threshold`` − 1 as '<5')."""
    if isinstance(value, str):
        return value
    return f"<{threshold}" if 1 <= value < threshold else format_number(value)


def describe_first_last(what: str, counts: pd.Series, shown: pd.Series | None = None, threshold: int = 5) -> str:
    """The sentence for a count series too short for a trend: first and last value, plainly.

    ``counts`` is indexed by half-year labels in order; ``shown``, when given, is the
    same series as the report's table publishes it (with '<5'/'X'), so the sentence
    never shows a number the table hides.

    >>> describe_first_last("antallet af kontakter", pd.Series([569, 711], index=["2018H2", "2019H1"]))
    'Antallet af kontakter var 569 i 2. halvår 2018 og 711 i 1. halvår 2019. Der er kun 2 halvår med tal, for få til at vurdere udviklingen.'
    >>> describe_first_last("antallet af kontakter", pd.Series([3], index=["2019H1"]))
    'Antallet af kontakter var <5 i 1. halvår 2019. Der er kun 1 halvår med tal, for få til at vurdere udviklingen.'
    """
    return (f"{_first_and_last(what, counts, shown, threshold)} Der er kun {len(counts)} halvår med tal, "
            "for få til at vurdere udviklingen.")


def _first_and_last(what: str, counts: pd.Series, shown: pd.Series | None, threshold: int) -> str:
    values = shown if shown is not None else counts
    first, last = (_shown_value(values[p], threshold) for p in (counts.index[0], counts.index[-1]))
    subject = what[:1].upper() + what[1:]
    text = f"{subject} var {first} i {format_half_year(str(counts.index[0]))}"
    if len(counts) > 1:
        text += f" og {last} i {format_half_year(str(counts.index[-1]))}"
    return text + "."


def count_trend(
    counts: pd.Series, what: str, threshold: int = 5, shown: pd.Series | None = None,
    partial: str | None = None,
) -> tuple[TrendResult | None, str]:
    """The trend of half-yearly counts and its Danish sentence, for a report of any length.

    With at least :data:`MIN_TREND_PERIODS` half-years: :func:`poisson_trend` and
    :func:`describe_trend`. With fewer, no trend (None) and the first and last value
    (:func:`describe_first_last`), so a report on one or two half-years says so
    instead of failing. ``what`` is the subject in lower case; ``shown`` the series
    as the report's table publishes it. ``partial`` is a half-year the data cover only
    partly (:mod:`analyse.completeness`), shown in the report but left out here, which the
    sentence then says: fewer registrations in part of a half-year are no fall.

    >>> trend, text = count_trend(pd.Series([569, 711], index=["2018H2", "2019H1"]), "antallet af kontakter")
    >>> trend is None, text.endswith("Der er kun 2 halvår med tal, for få til at vurdere udviklingen.")
    (True, True)
    >>> trend, text = count_trend(pd.Series([1000.0, 900.0, 810.0, 729.0],
    ...                                     index=["2016H1", "2016H2", "2017H1", "2017H2"]), "antallet")
    >>> round(trend.rate_ratio, 6), text[:40]
    (0.9, 'Antallet er faldet med ca. 10 % pr. halv')

    Numbers that give the model no usable estimate (only one half-year above 0, a fit that runs
    off to infinity) give no trend either, and one sentence that says why:

    >>> trend, text = count_trend(pd.Series([0.0, 0.0, 0.0, 5.0],
    ...                                     index=["2016H1", "2016H2", "2017H1", "2017H2"]), "antallet")
    >>> trend is None
    True
    >>> print(text)  # doctest: +NORMALIZE_WHITESPACE
    Antallet var 0 i 1. halvår 2016 og 5 i 2. halvår 2017. Udviklingen over tid kan ikke beregnes ud fra
    disse tal: kun ét halvår har et antal over 0.

    A half-year the data cover only partly is left out of the model, and the sentence says so:

    >>> trend, text = count_trend(pd.Series([1000.0, 900.0, 810.0, 729.0, 3.0],
    ...                                     index=["2016H1", "2016H2", "2017H1", "2017H2", "2018H1"]),
    ...                           "antallet", partial="2018H1")
    >>> round(trend.rate_ratio, 6), trend.last_period
    (0.9, '2017H2')
    >>> text.endswith("Faldet er statistisk sikkert. Udviklingen er beregnet uden 1. halvår 2018, "
    ...               "som data kun dækker en del af.")
    True
    """
    counts = pd.Series(counts, dtype="float64").dropna()
    if partial is not None and partial in counts.index:
        trend, text = count_trend(counts.drop(partial), what, threshold,
                                  None if shown is None else shown.drop(partial, errors="ignore"))
        return trend, (f"{text} Udviklingen er beregnet uden {format_half_year(partial)}, "
                       "som data kun dækker en del af.")
    if counts.empty:
        return None, f"Der er ingen tal for {what} i perioden."
    position = pd.Series([half_year_index(label) for label in counts.index], index=counts.index)
    counts = counts[position.sort_values().index]
    if len(counts) < MIN_TREND_PERIODS:
        return None, describe_first_last(what, counts, shown, threshold)
    try:
        trend = poisson_trend(counts)
    except AnalyseError as exc:  # e.g. nothing but zeros: there is no trend to describe
        return None, f"{_first_and_last(what, counts, shown, threshold)} {no_trend_sentence(getattr(exc, 'reason', None))}"
    return trend, describe_trend(trend, what)


def describe_model(result: TrendResult) -> str:
    """How the trend was computed, in Danish, for the report's method notes.

    >>> r = TrendResult(0.93, 0.9, 0.96, 0.86, 0.81, 0.92, 0.001, "quasi-Poisson", 7, 3.24,
    ...                 "2016H1", "2019H1")
    >>> print(describe_model(r))  # doctest: +NORMALIZE_WHITESPACE
    Udviklingen er beregnet med en log-lineær Poisson-regression over 7 halvår (1. halvår 2016 til
    1. halvår 2019). Tallene svinger mere fra halvår til halvår, end modellen forventer
    (spredningsfaktor 3,2), så usikkerheden er gjort tilsvarende større (quasi-Poisson).
    """
    text = (
        f"Udviklingen er beregnet med en log-lineær Poisson-regression over {result.n_periods} "
        f"halvår ({format_half_year(result.first_period)} til "
        f"{format_half_year(result.last_period)})."
    )
    if result.model == "quasi-Poisson":
        text += (
            " Tallene svinger mere fra halvår til halvår, end modellen forventer "
            f"(spredningsfaktor {format_number(result.dispersion, 1)}), så usikkerheden "
            "er gjort tilsvarende større (quasi-Poisson)."
        )
    return text


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a proportion; better than Wald for small n or shares near 0/1.

    >>> low, high = wilson_interval(50, 106)
    >>> round(low, 4), round(high, 4)
    (0.3793, 0.566)
    """
    if n <= 0:
        raise ValueError("n skal være mindst 1")
    if not 0 <= successes <= n:
        raise ValueError(f"antal ({successes}) skal ligge mellem 0 og n ({n})")
    low, high = proportion_confint(successes, n, alpha=alpha, method="wilson")
    # The interval holds the observed share by construction, but floating point can put a
    # bound a hair on the wrong side of it (0/7 gives a lower bound of 2.8e-17, 7/7 an upper
    # bound of 0.9999999999999999); a chart's error bar would then be negative.
    share = successes / n
    return min(float(low), share), max(float(high), share)


def error_bar(value, low, high) -> tuple[float, float] | None:
    """The lengths below and above ``value`` of the interval ``low``–``high`` for an error bar,
    never negative; None when the value or a bound is missing (no bar is drawn).

    >>> error_bar(0.5, 0.4, 0.7)
    (0.09999999999999998, 0.19999999999999996)
    >>> error_bar(0.0, 2.8e-17, 0.35), error_bar(0.5, None, 0.7), error_bar(0.5, float("nan"), 0.7)
    ((0.0, 0.35), None, None)
    """
    values = (value, low, high)
    if any(v is None or pd.isna(v) for v in values):
        return None
    value, low, high = (float(v) for v in values)
    return max(value - low, 0.0), max(high - value, 0.0)


# --- shares: against a target, between two periods, over time --------------------------------
#
# The drug and alcohol treatment outcomes (notebook 03) are shares of N ≈ 100
# episodes, where a handful of citizens move the share by several points. These
# functions say what is signal and what is noise, and word it for politicians.


def _check_share(successes: int, n: int) -> None:
    if n <= 0:
        raise ValueError("n skal være mindst 1")
    if not 0 <= successes <= n:
        raise ValueError(f"antal ({successes}) skal ligge mellem 0 og n ({n})")


@dataclass(frozen=True)
class TargetTest:
    """An exact binomial test of an observed share against a target share."""

    successes: int
    n: int
    target: float
    p_value: float
    alternative: str
    confidence: float = 0.95

    @property
    def share(self) -> float:
        return self.successes / self.n

    @property
    def significant(self) -> bool:
        """True when the share differs from the target beyond chance (p below 1 − confidence)."""
        return self.p_value < 1 - self.confidence


def binomial_test_against_target(
    successes: int, n: int, target: float, alternative: str = "two-sided", confidence: float = 0.95
) -> TargetTest:
    """Exact binomial test of ``successes`` of ``n`` against the share ``target``.

    ``alternative`` is ``'two-sided'`` (does the share differ from the target?),
    ``'greater'`` (is it above?) or ``'less'`` (below?), as in
    :func:`scipy.stats.binomtest`, which does the computing.

    >>> r = binomial_test_against_target(50, 106, 0.50)
    >>> round(r.share, 4), round(r.p_value, 4), r.significant
    (0.4717, 0.6274, False)
    """
    from scipy.stats import binomtest

    _check_share(successes, n)
    if not 0 < target < 1:
        raise ValueError("målet skal være en andel mellem 0 og 1")
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError("alternative skal være 'two-sided', 'greater' eller 'less'")
    result = binomtest(int(successes), int(n), float(target), alternative=alternative)
    return TargetTest(int(successes), int(n), float(target), float(result.pvalue), alternative, confidence)


@dataclass(frozen=True)
class ShareDifference:
    """The change ``share2 − share1`` between two independent shares, with its interval."""

    share1: float
    share2: float
    difference: float
    ci_low: float
    ci_high: float
    confidence: float = 0.95

    @property
    def significant(self) -> bool:
        """True when the interval excludes 0 (no change)."""
        return self.ci_low > 0 or self.ci_high < 0


def newcombe_difference(s1: int, n1: int, s2: int, n2: int, confidence: float = 0.95) -> ShareDifference:
    """Difference ``s2/n2 − s1/n1`` with Newcombe's hybrid score interval.

    Newcombe (1998), method 10, built from the Wilson intervals (l1, u1) and
    (l2, u2) of the two shares; d = p2 − p1:

        low  = d − √((p2 − l2)² + (u1 − p1)²)
        high = d + √((u2 − p2)² + (p1 − l1)²)

    Period 1 is the earlier one (the baseline), so a positive difference is an
    increase. Unlike the Wald interval it stays inside [−1, 1] and behaves at
    shares near 0 or 1.

    Newcombe's example (a), 56/70 versus 48/80:

    >>> d = newcombe_difference(48, 80, 56, 70)
    >>> round(d.difference, 4), round(d.ci_low, 4), round(d.ci_high, 4), d.significant
    (0.2, 0.0524, 0.3339, True)
    """
    _check_share(s1, n1)
    _check_share(s2, n2)
    alpha = 1 - confidence
    p1, p2 = s1 / n1, s2 / n2
    l1, u1 = wilson_interval(s1, n1, alpha)
    l2, u2 = wilson_interval(s2, n2, alpha)
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return ShareDifference(p1, p2, d, low, high, confidence)


@dataclass(frozen=True)
class ShareTrendResult:
    """A logistic (binomial GLM) trend in a share over periods.

    ``odds_ratio`` is per period ``unit`` (``'halvår'`` or ``'år'``): 1.10 means
    the odds of the outcome grow by 10 % from one period to the next.
    """

    odds_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    model: str
    n_periods: int
    dispersion: float
    first_period: str
    last_period: str
    unit: str
    confidence: float = 0.95

    @property
    def significant(self) -> bool:
        return self.p_value < 1 - self.confidence


def _period_positions(labels) -> tuple[list[int], str]:
    """Consecutive positions of half-year labels, or of years when every label is 'YYYY'."""
    labels = [str(label) for label in labels]
    if all(label.isdigit() and len(label) == 4 for label in labels):
        return [int(label) for label in labels], "år"
    return [half_year_index(label) for label in labels], "halvår"


# Why a share has no trend where its outcomes separate over the periods. It does not say which way
# or which periods: a share hidden in the tables (1-4 episodes) must not be read off the sentence.
SEPARATED = "forløbenes udfald er fordelt sådan over perioderne, at modellen ikke kan give et endeligt skøn"


def _check_overlap(frame: pd.DataFrame) -> None:
    """Raise :class:`NotEstimable` where the outcomes separate completely over time: every period with
    a success lies at or after every period with a failure (or before), so the logistic slope runs off
    to ±infinity (no maximum-likelihood estimate; one shared period is still separation). A share of
    0 % or 100 % throughout is the extreme case.

    >>> f = pd.DataFrame({"s": [1, 0, 0, 0], "n": [1, 3, 4, 2], "t": [0, 1, 2, 3]})
    >>> _check_overlap(f)
    Traceback (most recent call last):
    analyse.stats.NotEstimable: forløbenes udfald er fordelt sådan over perioderne, at modellen ikke kan give et endeligt skøn
    >>> _check_overlap(f.assign(s=[1, 1, 0, 1]))  # a success after a failure: a slope to estimate
    """
    with_success = frame.loc[frame["s"] > 0, "t"]
    with_failure = frame.loc[frame["n"] > frame["s"], "t"]
    if (with_success.empty or with_failure.empty or with_failure.max() <= with_success.min()
            or with_success.max() <= with_failure.min()):
        raise NotEstimable(SEPARATED)


def binomial_trend(successes: pd.Series, totals: pd.Series, confidence: float = 0.95) -> ShareTrendResult:
    """Fit ``logit P = a + b·t`` to shares over periods; return the odds ratio exp(b) per period.

    ``successes`` and ``totals`` are indexed by the same period labels:
    half-years (``'2018H1'``; t counts half-years, gaps allowed) or calendar
    years (``'2018'``). Periods with total 0 are left out. Outcomes that separate
    completely over time (:func:`_check_overlap`) or a fit that runs off to infinity raise
    :class:`NotEstimable`. A binomial GLM is fitted first; when its Pearson dispersion exceeds :data:`DISPERSION_LIMIT`,
    the shares vary more between periods than chance allows and the model is
    refitted as quasi-binomial (scale = Pearson χ²/df, t-based intervals).

    Shares that lie exactly on a logistic curve give back its odds ratio:

    >>> r = binomial_trend(pd.Series([100, 300, 900, 2700], index=["2016H1", "2016H2", "2017H1", "2017H2"]),
    ...                    pd.Series([200, 500, 1300, 3500], index=["2016H1", "2016H2", "2017H1", "2017H2"]))
    >>> round(r.odds_ratio, 6), r.unit, r.model
    (1.5, 'halvår', 'binomial')
    """
    frame = pd.DataFrame({"s": pd.Series(successes, dtype="float64"), "n": pd.Series(totals, dtype="float64")})
    frame = frame.dropna()
    frame = frame[frame["n"] > 0]
    if len(frame) < MIN_PERIODS:
        raise AnalyseError(
            f"trendanalysen kræver mindst {MIN_PERIODS} perioder med afsluttede forløb; fik {len(frame)}"
        )
    if ((frame["s"] < 0) | (frame["s"] > frame["n"])).any():
        raise AnalyseError("trendanalysen kræver 0 ≤ antal ≤ total i hver periode")
    positions, unit = _period_positions(frame.index)
    frame["t"] = positions
    frame = frame.sort_values("t")
    _check_overlap(frame)
    t = (frame["t"] - frame["t"].iloc[0]).to_numpy(dtype="float64")
    design = sm.add_constant(t, has_constant="add")
    endog = np.column_stack([frame["s"].to_numpy(), (frame["n"] - frame["s"]).to_numpy()])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(endog, design, family=sm.families.Binomial()).fit()
        df_resid = max(float(fit.df_resid), 1.0)
        dispersion = float(fit.pearson_chi2 / df_resid) if fit.df_resid > 0 else float("nan")
        model = "binomial"
        if fit.df_resid > 0 and dispersion > DISPERSION_LIMIT:
            # An explicit scale: statsmodels' scale="X2" computes χ² on the proportions for a
            # (successes, failures) endog, i.e. without the totals, and so shrinks the intervals.
            fit = sm.GLM(endog, design, family=sm.families.Binomial()).fit(scale=dispersion, use_t=True)
            model = "quasi-binomial"

    slope = float(fit.params[1])
    low, high = (float(v) for v in np.asarray(fit.conf_int(alpha=1 - confidence))[1])
    _check_usable(fit, (slope, low, high), (fit.pvalues[1],))
    return ShareTrendResult(
        odds_ratio=math.exp(slope),
        ci_low=math.exp(low),
        ci_high=math.exp(high),
        p_value=float(fit.pvalues[1]),
        model=model,
        n_periods=len(frame),
        dispersion=dispersion,
        first_period=str(frame.index[0]),
        last_period=str(frame.index[-1]),
        unit=unit,
        confidence=confidence,
    )


def share_trend(
    successes: pd.Series, totals: pd.Series, what: str, periods: str = "perioder",
) -> tuple[ShareTrendResult | None, str]:
    """The trend of a share over periods and its Danish sentence, by the rule of :func:`count_trend`.

    A trend needs :data:`MIN_TREND_PERIODS` periods with episodes (total > 0): a period without
    any has no share, and :func:`binomial_trend` leaves it out, so it does not count towards the
    four. With fewer, no trend (None) and a sentence saying so; where the shares give the model no
    estimate (:class:`NotEstimable`), the sentence says why. ``periods`` names the periods in the
    sentence (``"halvår"``).

    >>> index = ["2021H1", "2021H2", "2022H1", "2022H2"]
    >>> share_trend(pd.Series([24, 0, 31, 37], index=index), pd.Series([60, 0, 60, 60], index=index), "andelen")
    (None, 'Udviklingen over tid kan ikke vurderes: der er for få perioder med afsluttede forløb.')
    """
    frame = pd.DataFrame({"s": pd.Series(successes, dtype="float64"), "n": pd.Series(totals, dtype="float64")})
    if int((frame.dropna()["n"] > 0).sum()) < MIN_TREND_PERIODS:
        return None, f"Udviklingen over tid kan ikke vurderes: der er for få {periods} med afsluttede forløb."
    try:
        result = binomial_trend(successes, totals)
    except NotEstimable as exc:
        return None, no_trend_sentence(exc.reason)
    return result, describe_share_trend(result, what)


def ratio_bound_text(value: float, decimals: int = 2) -> str:
    """An odds or rate ratio's interval bound; more decimals (up to two more) where it would read as 1
    (no change), e.g. beside "statistisk sikkert".

    >>> ratio_bound_text(0.953), ratio_bound_text(0.998), ratio_bound_text(1.0), ratio_bound_text(0.9995)
    ('0,95', '0,998', '1,00', '0,9995')
    """
    shown = decimals
    while shown < decimals + 2 and value != 1 and round_half_up(value, shown) == 1:
        shown += 1
    return format_number(value, shown)


def describe_share_trend(result: ShareTrendResult, what: str) -> str:
    """One or two plain-Danish sentences about a :func:`binomial_trend`.

    >>> r = ShareTrendResult(1.12, 1.05, 1.2, 0.001, "binomial", 14, 1.1, "2016H1", "2022H2", "halvår")
    >>> describe_share_trend(r, "andelen med reduktion eller ophør")
    'Andelen med reduktion eller ophør er steget over perioden (oddsratio 1,12 pr. halvår; 95 %-konfidensinterval: 1,05 til 1,20). Stigningen er statistisk sikker.'
    >>> r = ShareTrendResult(0.98, 0.93, 1.04, 0.5, "binomial", 14, 1.1, "2016H1", "2022H2", "halvår")
    >>> describe_share_trend(r, "andelen med reduktion eller ophør")
    'Der er ingen statistisk sikker udvikling i andelen med reduktion eller ophør over perioden (oddsratio 0,98 pr. halvår; 95 %-konfidensinterval: 0,93 til 1,04).'
    """
    level = format_number(result.confidence * 100, 0)
    detail = (
        f"(oddsratio {format_number(result.odds_ratio, 2)} pr. {result.unit}; {level} %-konfidensinterval: "
        f"{ratio_bound_text(result.ci_low)} til {ratio_bound_text(result.ci_high)})"
    )
    if not result.significant:
        return f"Der er ingen statistisk sikker udvikling i {what} over perioden {detail}."
    subject = what[:1].upper() + what[1:]
    if result.odds_ratio > 1:
        return f"{subject} er steget over perioden {detail}. Stigningen er statistisk sikker."
    return f"{subject} er faldet over perioden {detail}. Faldet er statistisk sikkert."


@dataclass(frozen=True)
class ShareComparison:
    """A share in a later period against the same share in a baseline period and a target."""

    successes1: int
    n1: int
    successes2: int
    n2: int
    difference: ShareDifference
    target: float | None = None
    target_test: TargetTest | None = None

    @property
    def share1(self) -> float:
        return self.successes1 / self.n1

    @property
    def share2(self) -> float:
        return self.successes2 / self.n2

    @property
    def target_reached(self) -> bool | None:
        """Whether the later share, in whole percent as published, is at least the target."""
        if self.target is None:
            return None
        return _whole_percent(Fraction(self.successes2, self.n2)) >= _whole_percent(self.target)


def _whole_percent(share: float | Fraction) -> int:
    """A share in whole percent, halves rounded up as in :func:`format_percent`
    (:func:`~analyse.formatting.round_half_up`; pass ``Fraction(successes, n)`` where the counts are known)."""
    return int(round_half_up(share * 100))


def compare_shares(
    s1: int, n1: int, s2: int, n2: int, target: float | None = None, confidence: float = 0.95
) -> ShareComparison:
    """Baseline ``s1/n1`` against ``s2/n2``: the Newcombe difference and, with a target,
    the two-sided exact binomial test of ``s2/n2`` against it."""
    difference = newcombe_difference(s1, n1, s2, n2, confidence)
    test = None if target is None else binomial_test_against_target(s2, n2, target, "two-sided", confidence)
    return ShareComparison(int(s1), int(n1), int(s2), int(n2), difference, target, test)


def describe_share_change(
    s1: int,
    n1: int,
    s2: int,
    n2: int,
    *,
    first: str,
    second: str,
    what: str = "andelen",
    target: float | None = None,
    reference: str = "baseline",
    unit: str = "afsluttede forløb",
    min_n: int = 5,
    confidence: float = 0.95,
) -> str:
    """Plain Danish on how a share changed from ``first`` to ``second``, and on the target.

    The first sentence gives the two shares and whether the change is more than
    chance (Newcombe interval for the difference); the second, with a
    ``target``, whether it is reached and whether the distance to it could be
    chance (exact binomial test). "Reached" compares whole percent, as the
    published figures are written. Shares on fewer than ``min_n`` ``unit`` are
    not compared at all. The difference is the later share minus the earlier, so
    a fall is negative, as in its interval and in the goals table.

    >>> describe_share_change(50, 106, 340, 479, first="dec. 2017–maj 2018", second="2020–2021",
    ...                       target=0.50)  # doctest: +NORMALIZE_WHITESPACE
    'Andelen er steget fra 47 % i dec. 2017–maj 2018 til 71 % i 2020–2021, og stigningen er statistisk
    sikker (forskel: 24 procentpoint; 95 %-konfidensinterval: 13 til 34 procentpoint). Målet på 50 % er
    nået, og andelen ligger statistisk sikkert over målet.'
    >>> describe_share_change(50, 106, 56, 106, first="2018", second="2020", target=0.50)  # doctest: +NORMALIZE_WHITESPACE
    'Andelen er steget fra 47 % i 2018 til 53 % i 2020, men stigningen kan skyldes tilfældigheder
    (forskel: 6 procentpoint; 95 %-konfidensinterval: −8 til 19 procentpoint). Målet på 50 % er nået,
    men forskellen til baseline kan skyldes tilfældigheder.'
    >>> describe_share_change(56, 98, 51, 100, first="2018", second="2022")  # doctest: +NORMALIZE_WHITESPACE
    'Andelen er faldet fra 57 % i 2018 til 51 % i 2022, men faldet kan skyldes tilfældigheder
    (forskel: −6 procentpoint; 95 %-konfidensinterval: −20 til 8 procentpoint).'
    """
    subject = what[:1].upper() + what[1:]
    if min(n1, n2) < min_n:
        where = first if n1 < min_n else second
        return f"{subject} kan ikke vurderes: der er færre end {min_n} {unit} i {where}."
    comparison = compare_shares(s1, n1, s2, n2, target, confidence)
    diff = comparison.difference
    level = format_number(confidence * 100, 0)
    exact1, exact2 = Fraction(comparison.successes1, comparison.n1), Fraction(comparison.successes2, comparison.n2)
    text1, text2 = format_percent(exact1), format_percent(exact2)
    bounds = f"{format_points(diff.ci_low)} til {format_points(diff.ci_high)} procentpoint"
    interval = f"{level} %-konfidensinterval: {bounds}"
    if text1 == text2:
        sentence = (
            f"{subject} er uændret: {text1} i {first} og {text2} i {second} "
            f"({level} %-konfidensinterval for forskellen: {bounds})."
        )
    else:
        rising = _whole_percent(exact2) > _whole_percent(exact1)
        if rising:
            verdict = "og stigningen er statistisk sikker" if diff.significant else "men stigningen kan skyldes tilfældigheder"
            verb = "steget"
        else:
            verdict = "og faldet er statistisk sikkert" if diff.significant else "men faldet kan skyldes tilfældigheder"
            verb = "faldet"
        sentence = (
            f"{subject} er {verb} fra {text1} i {first} til {text2} i {second}, {verdict} "
            # Signed (later minus earlier), as the interval and the goals table are: a fall is negative.
            f"(forskel: {format_points(diff.difference)} procentpoint; {interval})."
        )
    if target is None:
        return sentence
    goal = f"Målet på {format_percent(target)}"
    test = comparison.target_test
    if comparison.target_reached:
        if diff.difference > 0 and not diff.significant:
            verdict = f"{goal} er nået, men forskellen til {reference} kan skyldes tilfældigheder."
        elif test.significant:
            verdict = f"{goal} er nået, og andelen ligger statistisk sikkert over målet."
        else:
            verdict = f"{goal} er nået, men andelen ligger så tæt på målet, at forskellen kan skyldes tilfældigheder."
    elif test.significant:
        verdict = f"{goal} er ikke nået, og andelen ligger statistisk sikkert under målet."
    else:
        verdict = f"{goal} er ikke nået, men forskellen til målet kan skyldes tilfældigheder."
    return f"{sentence} {verdict}"


# --- interrupted time series: a change of practice in the middle of a count series -----------
#
# The support model of March 2017 (notebook 00, methods appendix): did the number
# of citizens with § 85 bostøtte (timetakst) change level or course when it came?
# Segmented regression on half-yearly counts, as in Wagner et al. (2002), with a
# Poisson/quasi-Poisson GLM instead of least squares because the counts are counts.

# Below this many half-years on either side of the intervention the design is too
# thin for a firm conclusion (the literature's rule of thumb is 8–12 points per
# segment); the Danish text says so plainly.
ITS_MIN_SEGMENT = 8

_DANISH_NUMBERS = {
    1: "ét", 2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "syv", 8: "otte", 9: "ni",
    10: "ti", 11: "elleve", 12: "tolv",
}


def _count_word(n: int) -> str:
    """Small counts in words, as Danish prose writes them ('syv halvår'); larger ones in digits."""
    return _DANISH_NUMBERS.get(int(n), format_number(n))


@dataclass(frozen=True)
class ITSResult:
    """A segmented (interrupted time series) log-linear model of counts per half-year.

    ``log E[count] = b0 + b1·t + b2·efter + b3·(t − t0)·efter``, where t counts
    half-years from the first, t0 is the intervention's half-year and ``efter``
    is 1 from it on. All ratios are exp(coefficient):

    - ``pre_ratio``: the rate ratio per half-year before the intervention (exp b1);
    - ``level_ratio``: the jump at the intervention, the count in its first
      half-year relative to the pre-trend's projection (exp b2);
    - ``slope_ratio``: how the rate ratio per half-year changed (exp b3), so the
      trend after is ``post_ratio`` = ``pre_ratio`` · ``slope_ratio``.
    """

    intervention: str
    level_ratio: float
    level_low: float
    level_high: float
    level_p: float
    slope_ratio: float
    slope_low: float
    slope_high: float
    slope_p: float
    pre_ratio: float
    pre_low: float
    pre_high: float
    post_ratio: float
    post_low: float
    post_high: float
    model: str
    dispersion: float
    n_pre: int
    n_post: int
    first_period: str
    last_period: str
    confidence: float = 0.95

    @property
    def n_periods(self) -> int:
        return self.n_pre + self.n_post

    @property
    def too_short(self) -> bool:
        """True when either segment has fewer than :data:`ITS_MIN_SEGMENT` half-years."""
        return min(self.n_pre, self.n_post) < ITS_MIN_SEGMENT

    @property
    def level_significant(self) -> bool:
        return self.level_p < 1 - self.confidence

    @property
    def slope_significant(self) -> bool:
        return self.slope_p < 1 - self.confidence


def interrupted_time_series(
    counts: pd.Series, intervention: str = "2017H1", confidence: float = 0.95
) -> ITSResult:
    """Segmented Poisson regression of half-yearly counts around an intervention.

    ``counts`` is indexed by half-year labels (any order; gaps allowed, t counts
    half-years). ``intervention`` is the first half-year counted as *after*: the
    support model came in March 2017, so ``'2017H1'`` (a half-year that is only
    partly "after"; the level change is therefore diluted, not sharpened). At
    least two half-years are needed on each side and one more for the residual;
    fewer is an :class:`AnalyseError`. Each side needs two half-years with a count
    above 0, and a fit that runs off to infinity is no result: :class:`NotEstimable`.

    As in :func:`poisson_trend`, a Poisson GLM is fitted first, and when its
    Pearson dispersion exceeds :data:`DISPERSION_LIMIT` it is refitted as
    quasi-Poisson (scale = Pearson χ²/df, t-based intervals on df = n − 4).

    A series that lies exactly on such a curve gives its parameters back:

    >>> t = np.arange(7)
    >>> after = (t >= 2).astype(float)
    >>> mu = np.exp(np.log(500) + np.log(0.99) * t + np.log(1.10) * after + np.log(0.90) * (t - 2) * after)
    >>> labels = ["2016H1", "2016H2", "2017H1", "2017H2", "2018H1", "2018H2", "2019H1"]
    >>> r = interrupted_time_series(pd.Series(mu, index=labels), "2017H1")
    >>> round(r.level_ratio, 6), round(r.slope_ratio, 6), round(r.pre_ratio, 6), r.n_pre, r.n_post
    (1.1, 0.9, 0.99, 2, 5)
    """
    series = pd.Series(counts, dtype="float64").dropna()
    if (series < 0).any() or series.sum() == 0:
        raise AnalyseError("den afbrudte tidsserie kræver antal ≥ 0, og ikke lutter nuller")
    position = pd.Series([half_year_index(label) for label in series.index], index=series.index)
    order = position.sort_values().index
    series, position = series[order], position[order]
    t0 = half_year_index(intervention)
    after = (position >= t0).to_numpy(dtype="float64")
    n_post = int(after.sum())
    n_pre = len(series) - n_post
    if n_pre < 2 or n_post < 2 or len(series) < 5:
        raise AnalyseError(
            "den afbrudte tidsserie kræver mindst 2 halvår før og 2 efter "
            f"{format_half_year(intervention)} og mindst 5 i alt; fik {n_pre} før og {n_post} efter"
        )
    positive_pre = int(((series > 0).to_numpy() & (after == 0)).sum())
    positive_post = int(((series > 0).to_numpy() & (after == 1)).sum())
    if positive_pre < 2 or positive_post < 2:
        # Each side has a level and a slope of its own: with one count above 0 (or none) on a side,
        # the jump at the intervention runs off to infinity (0 before and 100 after: a factor of 9·10¹⁰).
        raise NotEstimable(
            "den afbrudte tidsserie kræver mindst 2 halvår med et antal over 0 både før og efter "
            f"{format_half_year(intervention)}; der er {positive_pre} før og {positive_post} efter"
        )
    t = (position - position.iloc[0]).to_numpy(dtype="float64")
    since = (position - t0).to_numpy(dtype="float64") * after
    design = np.column_stack([np.ones_like(t), t, after, since])
    y = series.to_numpy()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an exact series is a perfect fit, not a problem
        fit = sm.GLM(y, design, family=sm.families.Poisson()).fit()
        dispersion = float(fit.pearson_chi2 / fit.df_resid)
        model = "Poisson"
        if dispersion > DISPERSION_LIMIT:
            fit = sm.GLM(y, design, family=sm.families.Poisson()).fit(scale="X2", use_t=True)
            model = "quasi-Poisson"
        post = fit.t_test(np.array([[0.0, 1.0, 0.0, 1.0]]))

    alpha = 1 - confidence
    post_logs = [float(np.asarray(post.effect).ravel()[0]), *np.asarray(post.conf_int(alpha=alpha)).ravel()]
    _check_usable(fit, [*np.asarray(fit.params)[1:], *np.asarray(fit.conf_int(alpha=alpha))[1:].ravel(), *post_logs],
                  np.asarray(fit.pvalues)[1:])
    bounds = np.exp(np.asarray(fit.conf_int(alpha=alpha)))
    params = np.exp(np.asarray(fit.params))
    pvalues = np.asarray(fit.pvalues)
    post_low, post_high = (float(v) for v in np.exp(np.asarray(post.conf_int(alpha=alpha))[0]))
    return ITSResult(
        intervention=intervention,
        level_ratio=float(params[2]), level_low=float(bounds[2, 0]), level_high=float(bounds[2, 1]),
        level_p=float(pvalues[2]),
        slope_ratio=float(params[3]), slope_low=float(bounds[3, 0]), slope_high=float(bounds[3, 1]),
        slope_p=float(pvalues[3]),
        pre_ratio=float(params[1]), pre_low=float(bounds[1, 0]), pre_high=float(bounds[1, 1]),
        post_ratio=float(math.exp(float(np.asarray(post.effect).ravel()[0]))),
        post_low=post_low, post_high=post_high,
        model=model,
        dispersion=dispersion,
        n_pre=n_pre,
        n_post=n_post,
        first_period=str(series.index[0]),
        last_period=str(series.index[-1]),
        confidence=confidence,
    )


def _ratio_interval(low: float, high: float) -> str:
    """'fra et fald på 12 % til en stigning på 30 %' or '3 % til 9 %' (same sign) for ratios."""
    change_low, change_high = low - 1, high - 1
    if change_low < 0 < change_high:
        return f"fra {_change_phrase(change_low, 0)} til {_change_phrase(change_high, 0)}"
    if change_high < 0:
        return f"et fald på {_bound_text(change_high, 0)} % til {_bound_text(change_low, 0)} %"
    return f"en stigning på {_bound_text(change_low, 0)} % til {_bound_text(change_high, 0)} %"


def _per_half_year(ratio: float) -> str:
    change = ratio - 1
    if round_half_up(abs(change) * 100) == 0:
        return "stort set uændret"
    return f"{'faldende' if change < 0 else 'stigende'} med ca. {_percent_text(change, 0)} % pr. halvår"


def describe_its(
    result: ITSResult,
    what: str,
    intervention_text: str = "den nye støttemodel",
) -> str:
    """Plain Danish on an :func:`interrupted_time_series`: the estimates with their
    intervals, and, when a segment is short, a plain statement that the series is
    too short for a firm conclusion.

    ``what`` is the subject in lower case (``"antallet af personer med § 85
    bostøtte (timetakst)"``); ``intervention_text`` names the change.

    >>> r = ITSResult("2017H1", 1.08, 0.9, 1.3, 0.4, 0.92, 0.85, 1.0, 0.06, 0.99, 0.9, 1.09,
    ...               0.91, 0.88, 0.94, "quasi-Poisson", 2.1, 2, 5, "2016H1", "2019H1")
    >>> print(describe_its(r, "antallet af personer med § 85 bostøtte (timetakst)"))  # doctest: +NORMALIZE_WHITESPACE
    Da den nye støttemodel kom (fra 1. halvår 2017), lå antallet af personer med § 85 bostøtte (timetakst)
    ca. 8 % over det, udviklingen før lod forvente (95 %-konfidensinterval: fra et fald på 10 % til en
    stigning på 30 %). Før var antallet faldende med ca. 1 % pr. halvår, efter var det faldende med ca. 9 % pr.
    halvår;
    udviklingen pr. halvår ændrede sig med en faktor 0,92 (95 %-konfidensinterval: 0,85 til 1,00). Hverken
    spring eller knæk er statistisk sikkert. Analysen bygger på kun syv halvår (to før og fem efter), og det
    er for få til en sikker konklusion: tallene kan ikke skille støttemodellens betydning fra tilfældige
    udsving og fra andet, der ændrede sig i de samme år.
    """
    level = format_number(result.confidence * 100, 0)
    jump = result.level_ratio - 1
    if round_half_up(abs(jump) * 100) == 0:
        jump_text = "ca. det samme, som udviklingen før lod forvente"
    else:
        side = "under" if jump < 0 else "over"
        jump_text = f"ca. {_percent_text(jump, 0)} % {side} det, udviklingen før lod forvente"
    text = (
        f"Da {intervention_text} kom (fra {format_half_year(result.intervention)}), lå {what} "
        f"{jump_text} ({level} %-konfidensinterval: {_ratio_interval(result.level_low, result.level_high)}). "
        f"Før var antallet {_per_half_year(result.pre_ratio)}, efter var det {_per_half_year(result.post_ratio)}; "
        f"udviklingen pr. halvår ændrede sig med en faktor {format_number(result.slope_ratio, 2)} "
        # A bound that is not 1 keeps a decimal ("0,95 til 0,996"), or "til 1,00" beside
        # "statistisk sikkert" would read as if the interval reached no change.
        f"({level} %-konfidensinterval: {ratio_bound_text(result.slope_low)} til "
        f"{ratio_bound_text(result.slope_high)})."
    )
    if result.level_significant and result.slope_significant:
        verdict = "Både spring og knæk er statistisk sikre."
    elif result.level_significant:
        verdict = "Springet er statistisk sikkert, knækket i udviklingen er det ikke."
    elif result.slope_significant:
        verdict = "Knækket i udviklingen er statistisk sikkert, springet er det ikke."
    else:
        verdict = "Hverken spring eller knæk er statistisk sikkert."
    text += f" {verdict}"
    if result.too_short:
        text += (
            f" Analysen bygger på kun {_count_word(result.n_periods)} halvår "
            f"({_count_word(result.n_pre)} før og {_count_word(result.n_post)} efter), og det er for få "
            "til en sikker konklusion: tallene kan ikke skille støttemodellens betydning fra tilfældige "
            "udsving og fra andet, der ændrede sig i de samme år."
        )
    else:
        text += (
            " En afbrudt tidsserie viser, om udviklingen ændrede sig, ikke hvorfor: andet, der ændrede "
            "sig samtidig, kan også have spillet ind."
        )
    return text


def describe_its_model(result: ITSResult) -> str:
    """How the interrupted time series was computed, in Danish, for the methods appendix."""
    text = (
        f"Afbrudt tidsserie (segmenteret regression) over {_count_word(result.n_periods)} halvår "
        f"({format_half_year(result.first_period)} til {format_half_year(result.last_period)}), "
        f"{_count_word(result.n_pre)} før og {_count_word(result.n_post)} efter skiftet i "
        f"{format_half_year(result.intervention)}. Modellen er en log-lineær Poisson-regression med fire led: "
        "niveau og udvikling pr. halvår før skiftet, et spring i niveau ved skiftet og et knæk i udviklingen "
        "efter. Springet måles som forholdet mellem det faktiske niveau og det, udviklingen før skiftet lod "
        "forvente; knækket som den faktor, udviklingen pr. halvår ændrede sig med."
    )
    if result.model == "quasi-Poisson":
        text += (
            " Tallene svinger mere, end modellen forventer "
            f"(spredningsfaktor {format_number(result.dispersion, 1)}), så usikkerheden er gjort "
            "tilsvarende større (quasi-Poisson, t-fordeling)."
        )
    return text
