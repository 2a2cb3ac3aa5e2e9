"""Forgotten attendance registrations: weeks in which a regular tilbud registered nobody.

The published attendance tables warn that "der kan være forglemmelser": staff
sometimes forget to register. A tilbud that registers nearly every week and then
goes silent for a couple of ordinary weeks has most likely not been closed; its
registrations are missing. This module finds such silences and estimates how
many visits they would have held. The estimate is shown *beside* the published
numbers as a caveat; it is never added to the indicators.

The rule, per tilbud, on ISO weeks (Monday–Sunday):

1. The tilbud's *active span* runs from its first week with a registration to
   its last. A week's visits are the sum of ``antal`` over all its registrations,
   anonymous ones included.
2. *Holiday weeks* (:func:`is_holiday_week`: ISO weeks 28–32 (summer), 52, 53
   and 1 (Christmas/New Year) and the week of Easter Sunday) are never gaps and
   never evidence: a tilbud may close in them. They also break a run, so a
   silence that touches a holiday is judged on each side separately.
3. A *candidate* is a run of consecutive non-holiday weeks without any
   registration, at least :data:`MIN_GAP_WEEKS` and at most
   :data:`MAX_GAP_WEEKS` long. A longer silence is a pause or closure (a term
   break, a tilbud put on hold), not a forgotten list, and is not reported.
4. Its *context* is the :data:`CONTEXT_WEEKS` nearest non-holiday weeks before
   and the :data:`CONTEXT_WEEKS` nearest after the run, inside the active span
   (up to 12 weeks). The candidate is a *gap* when the context has at least
   :data:`MIN_CONTEXT_WEEKS` weeks and the tilbud registered in at least
   :data:`MIN_ACTIVE_SHARE` of them, i.e. it otherwise registers every week. A
   tilbud that meets every other week, or only now and then, never qualifies.
5. *Estimated missing visits* = the median weekly visits of the context weeks
   that had registrations × the number of weeks in the gap, rounded to a whole
   number (halves up). The median, not the mean, so one busy event week does
   not inflate the estimate.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd
from dateutil.easter import easter

from analyse.periods import half_year_of

# --- the rule's parameters (see the module docstring) ---------------------------------------
SUMMER_WEEKS = frozenset(range(28, 33))  # ISO weeks 28-32: July and early August
CHRISTMAS_WEEKS = frozenset({52, 53, 1})
MIN_GAP_WEEKS = 2  # a single silent week is too common (illness, a cancelled session) to flag
MAX_GAP_WEEKS = 8  # longer silences are pauses or closures, not forgotten registrations
CONTEXT_WEEKS = 6  # non-holiday weeks looked at on each side of a silence
MIN_CONTEXT_WEEKS = 6  # fewer context weeks than this: too little to call the tilbud regular
MIN_ACTIVE_SHARE = 0.8  # share of context weeks with registrations for "registers every week"

GAP_COLUMNS = [
    "tilbud",
    "first_week",
    "last_week",
    "weeks",
    "first_day",
    "last_day",
    "period",
    "context_weeks",
    "active_share",
    "median_weekly_visits",
    "estimated_visits",
]


def week_label(monday: dt.date | pd.Timestamp) -> str:
    """The ISO label of the week starting ``monday``.

    >>> week_label(dt.date(2018, 12, 31))
    '2019-W01'
    """
    year, week, _ = pd.Timestamp(monday).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(dates: pd.Series) -> pd.Series:
    """The Monday of each date's ISO week (at midnight).

    >>> week_start(pd.Series(pd.to_datetime(["2019-03-03", "2019-03-04"]))).dt.strftime("%d-%m").tolist()
    ['25-02', '04-03']
    """
    dates = pd.to_datetime(dates).dt.normalize()
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


@lru_cache(maxsize=None)
def easter_week(year: int) -> int:
    """ISO week number of Easter Sunday (the week of Maundy Thursday and Good Friday).

    >>> easter_week(2018), easter_week(2019)
    (13, 16)
    """
    return easter(year).isocalendar()[1]


def is_holiday_week(monday: dt.date | pd.Timestamp) -> bool:
    """True for the weeks the rule ignores: summer, Christmas/New Year, Easter.

    >>> [is_holiday_week(dt.date(2019, m, d)) for m, d in [(7, 8), (4, 15), (4, 22), (12, 30), (12, 16)]]
    [True, True, False, True, False]
    """
    monday = pd.Timestamp(monday)
    _, week, _ = monday.isocalendar()
    # Easter is judged by the Sunday of the week: an Easter Sunday ends its ISO week.
    sunday = monday + pd.Timedelta(days=6)
    return week in SUMMER_WEEKS or week in CHRISTMAS_WEEKS or week == easter_week(sunday.year)


def weekly_visits(visits: pd.DataFrame) -> pd.DataFrame:
    """Visits per tilbud and ISO week, every week of each tilbud's active span (0 when silent).

    Columns: ``tilbud``, ``week`` (the Monday), ``visits``, ``holiday``.

    >>> v = pd.DataFrame({"tilbud": ["A", "A"], "date": pd.to_datetime(["2019-03-04", "2019-03-20"]), "antal": [2, 1]})
    >>> weekly_visits(v)["visits"].tolist()
    [2, 0, 1]
    """
    if visits.empty:
        return pd.DataFrame({"tilbud": [], "week": pd.Series([], dtype="datetime64[ns]"), "visits": [], "holiday": []})
    frame = pd.DataFrame({
        "tilbud": visits["tilbud"].astype(str).to_numpy(),
        "week": week_start(visits["date"]).to_numpy(),
        "visits": pd.to_numeric(visits["antal"]).to_numpy(dtype="int64"),
    })
    per_week = frame.groupby(["tilbud", "week"], sort=True)["visits"].sum()
    parts = []
    for tilbud, series in per_week.groupby(level="tilbud", sort=True):
        weeks = series.index.get_level_values("week")
        span = pd.date_range(weeks.min(), weeks.max(), freq="7D")
        filled = series.droplevel("tilbud").reindex(span, fill_value=0)
        parts.append(pd.DataFrame({"tilbud": tilbud, "week": span, "visits": filled.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    holiday = {w: is_holiday_week(w) for w in out["week"].unique()}
    out["holiday"] = out["week"].map(holiday).astype(bool)
    return out


def _runs(silent: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` index pairs (stop exclusive) of consecutive True values.

    >>> _runs(np.array([False, True, True, False, True]))
    [(1, 3), (4, 5)]
    """
    runs, start = [], None
    for i, flag in enumerate(silent):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(silent)))
    return runs


def _context(weeks: pd.DataFrame, start: int, stop: int, size: int) -> pd.DataFrame:
    """The ``size`` nearest non-holiday weeks before ``start`` and after ``stop`` (exclusive)."""
    ordinary = ~weeks["holiday"].to_numpy()
    before = [i for i in range(start - 1, -1, -1) if ordinary[i]][:size]
    after = [i for i in range(stop, len(weeks)) if ordinary[i]][:size]
    return weeks.iloc[sorted(before + after)]


def _round_half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def find_gaps(
    visits: pd.DataFrame,
    min_weeks: int = MIN_GAP_WEEKS,
    max_weeks: int = MAX_GAP_WEEKS,
    context_weeks: int = CONTEXT_WEEKS,
    min_context_weeks: int = MIN_CONTEXT_WEEKS,
    min_active_share: float = MIN_ACTIVE_SHARE,
) -> pd.DataFrame:
    """Runs of silent weeks in otherwise weekly tilbud (the rule is in the module docstring).

    ``visits`` needs ``tilbud``, ``date`` and ``antal`` (the clean attendance
    table). One row per gap, ordered by tilbud and first week, with the columns
    of :data:`GAP_COLUMNS`: ISO labels of the first and last silent week, their
    Monday and Sunday, the half-year of the first day, the context the decision
    rested on and the estimated missing visits.

    >>> days = pd.date_range("2019-01-07", "2019-06-14", freq="W-MON")
    >>> v = pd.DataFrame({"tilbud": "A", "date": days, "antal": 3})
    >>> v = v[~v["date"].between("2019-03-04", "2019-03-17")]   # weeks 10 and 11 forgotten
    >>> find_gaps(v)[["tilbud", "first_week", "last_week", "weeks", "estimated_visits"]].values.tolist()
    [['A', '2019-W10', '2019-W11', 2, 6]]
    """
    weekly = weekly_visits(visits)
    rows = []
    for tilbud, weeks in weekly.groupby("tilbud", sort=True):
        weeks = weeks.reset_index(drop=True)
        silent = (weeks["visits"].to_numpy() == 0) & ~weeks["holiday"].to_numpy()
        for start, stop in _runs(silent):
            length = stop - start
            if not min_weeks <= length <= max_weeks:
                continue
            context = _context(weeks, start, stop, context_weeks)
            if len(context) < min_context_weeks:
                continue
            active = context["visits"] > 0
            share = float(active.mean())
            if share < min_active_share:
                continue
            median = float(context.loc[active, "visits"].median())
            first, last = weeks.at[start, "week"], weeks.at[stop - 1, "week"]
            rows.append({
                "tilbud": tilbud,
                "first_week": week_label(first),
                "last_week": week_label(last),
                "weeks": length,
                "first_day": first,
                "last_day": last + pd.Timedelta(days=6),
                "period": half_year_of(pd.Series([first])).iloc[0],
                "context_weeks": len(context),
                "active_share": round(share, 3),
                "median_weekly_visits": median,
                "estimated_visits": _round_half_up(median * length),
            })
    gaps = pd.DataFrame(rows, columns=GAP_COLUMNS)
    gaps["weeks"] = gaps["weeks"].astype("int64")
    gaps["estimated_visits"] = gaps["estimated_visits"].astype("int64")
    return gaps


def gaps_by_period(gaps: pd.DataFrame) -> pd.DataFrame:
    """Silent weeks and estimated missing visits per tilbud and half-year.

    A gap that straddles two half-years is split by week: each silent week
    counts in the half-year of its Thursday (the ISO rule for which year a week
    belongs to), with the gap's median weekly visits. Columns: ``tilbud``,
    ``period``, ``gap_weeks``, ``estimated_visits``.

    >>> g = pd.DataFrame({"tilbud": ["A"], "first_day": [pd.Timestamp("2019-06-24")], "weeks": [2],
    ...                   "median_weekly_visits": [4.0]})
    >>> gaps_by_period(g).values.tolist()
    [['A', '2019H1', 1, 4], ['A', '2019H2', 1, 4]]
    """
    columns = ["tilbud", "period", "gap_weeks", "estimated_visits"]
    if gaps.empty:
        return pd.DataFrame(columns=columns)
    weeks = []
    for gap in gaps.itertuples(index=False):
        for k in range(int(gap.weeks)):
            thursday = pd.Timestamp(gap.first_day) + pd.Timedelta(days=7 * k + 3)
            weeks.append((gap.tilbud, thursday, float(gap.median_weekly_visits)))
    frame = pd.DataFrame(weeks, columns=["tilbud", "thursday", "visits"])
    frame["period"] = half_year_of(frame["thursday"]).astype(str)
    out = frame.groupby(["tilbud", "period"], sort=True).agg(gap_weeks=("visits", "size"), estimated_visits=("visits", "sum"))
    out["estimated_visits"] = out["estimated_visits"].map(_round_half_up).astype("int64")
    return out.reset_index()[columns]


def gaps_for_json(gaps: pd.DataFrame) -> list[dict]:
    """The gaps as plain JSON records (dates as ``YYYY-MM-DD``), for ``kvalitet.json``."""
    records = []
    for row in gaps.to_dict("records"):
        row["first_day"] = pd.Timestamp(row["first_day"]).strftime("%Y-%m-%d")
        row["last_day"] = pd.Timestamp(row["last_day"]).strftime("%Y-%m-%d")
        records.append({k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()})
    return records


def rule_parameters() -> dict:
    """The parameters of the rule, written beside the gaps so a reader knows what was applied."""
    return {
        "min_gap_weeks": MIN_GAP_WEEKS,
        "max_gap_weeks": MAX_GAP_WEEKS,
        "context_weeks_each_side": CONTEXT_WEEKS,
        "min_context_weeks": MIN_CONTEXT_WEEKS,
        "min_active_share": MIN_ACTIVE_SHARE,
        "holiday_weeks": "uge 28-32, 52, 53, 1 og påskeugen",
    }
