"""Trend models and intervals used by the notebooks, with their Danish wording.

The reports are read by managers and politicians, so every estimate comes with
a sentence that says what it means and how sure it is. Later notebooks add their
models here rather than fitting them inline.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

from analyse.exceptions import AnalyseError
from analyse.formatting import format_number
from analyse.periods import half_year_index

# Above this Pearson dispersion the Poisson standard errors are too optimistic
# (counts of persons vary more than Poisson between half-years), so the
# uncertainty is scaled up (quasi-Poisson). 1.5 tolerates the noise a short
# series shows even when Poisson holds.
DISPERSION_LIMIT = 1.5
MIN_PERIODS = 3


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
    if (series < 0).any() or series.sum() == 0:
        raise AnalyseError("trendanalysen kræver antal ≥ 0, og ikke lutter nuller")
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


def _change_phrase(change: float, decimals: int) -> str:
    """'et fald på 5 %' / 'en stigning på 2 %' for a relative change."""
    amount = _percent_text(change, decimals)
    return f"et fald på {amount} %" if change < 0 else f"en stigning på {amount} %"


def describe_trend(result: TrendResult, what: str, per: str = "halvår") -> str:
    """One plain-Danish sentence (two, with the verdict) about a trend.

    ``what`` is the subject, e.g. ``"antallet af unikke personer med en
    visiteret ydelse"``; its first letter is capitalised. ``per`` is
    ``"halvår"`` or ``"år"``. Changes under 1 % get one decimal so they do not
    read as "0 %".

    >>> r = TrendResult(0.93, 0.91, 0.95, 0.8649, 0.8281, 0.9025, 0.0001, "Poisson", 7, 1.0,
    ...                 "2016H1", "2019H1")
    >>> describe_trend(r, "antallet af unikke personer med en visiteret ydelse")
    'Antallet af unikke personer med en visiteret ydelse er faldet med ca. 7 % pr. halvår (95 %-konfidensinterval: 5 % til 9 %). Faldet er statistisk sikkert.'
    >>> r = TrendResult(1.02, 0.99, 1.05, 1.0404, 0.9801, 1.1025, 0.2, "Poisson", 7, 1.0,
    ...                 "2016H1", "2019H1")
    >>> describe_trend(r, "antallet af kontakter")
    'Antallet af kontakter er steget med ca. 2 % pr. halvår (95 %-konfidensinterval: fra et fald på 1 % til en stigning på 5 %). Udviklingen kan skyldes tilfældigheder.'
    """
    if per == "halvår":
        ratio, low, high = result.rate_ratio, result.ci_low, result.ci_high
    elif per == "år":
        ratio, low, high = result.rate_ratio_year, result.ci_low_year, result.ci_high_year
    else:
        raise ValueError("per skal være 'halvår' eller 'år'")
    subject = what[:1].upper() + what[1:]
    change, change_low, change_high = ratio - 1, low - 1, high - 1
    decimals = 0 if round(abs(change) * 100) >= 1 else 1
    level = format_number(result.confidence * 100, 0)

    if change_low < 0 < change_high or change_low == 0 or change_high == 0:
        interval = (
            f"{level} %-konfidensinterval: fra {_change_phrase(change_low, decimals)} "
            f"til {_change_phrase(change_high, decimals)}"
        )
    elif change < 0:
        # Both ends are falls; list the smaller fall first.
        interval = (
            f"{level} %-konfidensinterval: {_percent_text(change_high, decimals)} % "
            f"til {_percent_text(change_low, decimals)} %"
        )
    else:
        interval = (
            f"{level} %-konfidensinterval: {_percent_text(change_low, decimals)} % "
            f"til {_percent_text(change_high, decimals)} %"
        )

    amount = _percent_text(change, decimals)
    if float(amount.replace(",", ".")) == 0:
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


def describe_model(result: TrendResult) -> str:
    """How the trend was computed, in Danish, for the report's method notes.

    >>> r = TrendResult(0.93, 0.9, 0.96, 0.86, 0.81, 0.92, 0.001, "quasi-Poisson", 7, 3.24,
    ...                 "2016H1", "2019H1")
    >>> print(describe_model(r))  # doctest: +NORMALIZE_WHITESPACE
    Udviklingen er beregnet med en log-lineær Poisson-regression over 7 halvår (1. halvår 2016 til
    1. halvår 2019). Tallene svinger mere fra halvår til halvår, end modellen forventer
    (spredningsfaktor 3,2), så usikkerheden er gjort tilsvarende større (quasi-Poisson).
    """
    from analyse.formatting import format_half_year

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
    (0.3792, 0.5655)
    """
    if n <= 0:
        raise ValueError("n skal være mindst 1")
    if not 0 <= successes <= n:
        raise ValueError(f"antal ({successes}) skal ligge mellem 0 og n ({n})")
    low, high = proportion_confint(successes, n, alpha=alpha, method="wilson")
    return float(low), float(high)
