"""The indicator definitions of the product contract (PRODUCT.md, "Indicators").

Every indicator is a function of a processed table returning rows of
``indicator;group;period;value``. Periods are half-years ``YYYYH1``/``YYYYH2``
unless an indicator says otherwise. Values are exact: suppression of small
counts happens only in published tables (see :mod:`analyse.suppression`).
"""

from __future__ import annotations

from typing import Callable, Mapping

import pandas as pd

from analyse.periods import half_year_bounds, half_year_of, half_year_range

INDICATOR_COLUMNS = ["indicator", "group", "period", "value"]
TOTAL = "I alt"


def _frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def active_in(start: pd.Series, end: pd.Series, period: str) -> pd.Series:
    """True where an interval [start, end] (end NaT = ongoing) overlaps the half-year.

    >>> s = pd.to_datetime(pd.Series(["2016-06-30", "2016-07-01", "2015-01-01"]))
    >>> e = pd.to_datetime(pd.Series([None, None, "2016-01-01"]))
    >>> active_in(s, e, "2016H1").tolist()
    [True, False, True]
    """
    first_day, last_day = half_year_bounds(period)
    return (start <= last_day) & (end.isna() | (end >= first_day))


def grant_periods(grants: pd.DataFrame) -> list[str]:
    """The half-years an AS2007 table covers: from the first start to the last start.

    Ongoing grants do not stretch the range past the newest start date, since
    the extract says nothing about half-years after it was drawn.
    """
    if grants.empty:
        return []
    first = half_year_of(pd.Series([grants["start_date"].min()])).iloc[0]
    last = half_year_of(pd.Series([grants["start_date"].max()])).iloc[0]
    return half_year_range(first, last)


def as2007_indicators(grants: pd.DataFrame, periods: list[str] | None = None) -> pd.DataFrame:
    """``unikke_personer_visiteret_ydelse`` (I alt) and ``unikke_personer_pr_ydelsestype``.

    A person counts in a half-year when at least one grant is active in it:
    start ≤ period end and (no end or end ≥ period start). Every canonical type
    seen in the table gets a row for every period, zero included.

    >>> g = pd.DataFrame({
    ...     "pseudonym": ["a", "a", "b"],
    ...     "ydelsestype": ["§ 85 bostøtte timetakst", "§ 103 Beskyttet beskæftigelse", "§ 85 bostøtte timetakst"],
    ...     "start_date": pd.to_datetime(["2016-01-01", "2016-03-01", "2016-08-01"]),
    ...     "end_date": pd.to_datetime([None, "2016-05-01", None]),
    ... })
    >>> as2007_indicators(g).pivot_table(index="group", columns="period", values="value").astype(int)
    period                         2016H1  2016H2
    group                                        
    I alt                               1       2
    § 103 Beskyttet beskæftigelse       1       0
    § 85 bostøtte timetakst             1       2
    """
    periods = grant_periods(grants) if periods is None else periods
    # Integer codes make the per-period distinct counts cheap on large tables.
    person = pd.Series(pd.factorize(grants["pseudonym"])[0], index=grants.index)
    types = grants["ydelsestype"].astype("category")
    rows = []
    for period in periods:
        active = active_in(grants["start_date"], grants["end_date"], period)
        rows.append(("unikke_personer_visiteret_ydelse", TOTAL, period, person[active].nunique()))
        per_type = person[active].groupby(types[active], observed=False).nunique()
        rows.extend(
            ("unikke_personer_pr_ydelsestype", str(t), period, int(n)) for t, n in per_type.items()
        )
    return _frame(rows)


# source name → indicator function over that source's clean table
INDICATORS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "as2007": as2007_indicators,
}


def compute_indicators(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """All indicators for the clean tables at hand, in the contract's column order."""
    frames = [INDICATORS[name](table) for name, table in tables.items() if name in INDICATORS]
    if not frames:
        return _frame([])
    result = pd.concat(frames, ignore_index=True)
    result["value"] = pd.to_numeric(result["value"])
    return result[INDICATOR_COLUMNS]


def read_indicators(path) -> pd.DataFrame:
    """Read ``indikatorer.csv`` back (as notebooks do)."""
    return pd.read_csv(path, sep=";", encoding="utf-8", dtype={"group": str, "period": str})
