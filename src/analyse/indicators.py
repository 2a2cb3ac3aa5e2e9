"""The indicator definitions of the product contract (PRODUCT.md, "Indicators").

Every indicator is a function of a processed table returning rows of
``indicator;group;period;value``. Periods are half-years ``YYYYH1``/``YYYYH2``
unless an indicator says otherwise. Values are exact: suppression of small
counts happens only in published tables (see :mod:`analyse.suppression`).
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
import pandas as pd

from analyse.periods import INDICATOR_COLUMNS, half_year_bounds, half_year_of, half_year_range
from analyse.rusmiddel import rusmiddel_indicators

TOTAL = "I alt"


def _frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))


def active_in(start: pd.Series, end: pd.Series, period: str) -> pd.Series:
    """True where an interval [start, end] (end NaT = ongoing) overlaps the half-year.

    >>> s = pd.to_datetime(pd.Series(["2016-06-30", "2016-07-01", "2015-01-01"]))
    >>> e = pd.to_datetime(pd.Series([None, None, "2016-01-01"]))
    >>> active_in(s, e, "2016H1").tolist()
    [True, False, True]
    """
    first_day, last_day = half_year_bounds(period)
    return (start <= last_day) & (end.isna() | (end >= first_day))


def grant_periods(grants: pd.DataFrame, today: pd.Timestamp | None = None) -> list[str]:
    """The half-years an AS2007 table covers: from the first start to the last start, at most to today's.

    Ongoing grants do not stretch the range past the newest start date, since
    the extract says nothing about half-years after it was drawn. Nor does a grant
    planned to start later (AS2007 keeps those): a half-year that has not begun
    has no figures yet, and every ongoing grant would count in it.

    >>> g = pd.DataFrame({"start_date": pd.to_datetime(["2018-03-01", "2031-01-01"])})
    >>> grant_periods(g, today=pd.Timestamp("2019-08-01"))
    ['2018H1', '2018H2', '2019H1', '2019H2']
    """
    if grants.empty:
        return []
    today = pd.Timestamp.today().normalize() if today is None else today
    first = half_year_of(pd.Series([grants["start_date"].min()])).iloc[0]
    last = half_year_of(pd.Series([min(grants["start_date"].max(), max(today, grants["start_date"].min()))])).iloc[0]
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
    # Integer codes make the per-period distinct counts cheap on large tables: a person
    # (or a person and type) counts once however many active grants it has, by marking
    # its code in a boolean array (0 stands for a missing pseudonym, counted as one value).
    person = pd.factorize(grants["pseudonym"])[0].astype(np.int64) + 1
    n_person = int(person.max()) + 1 if len(person) else 1
    types = grants["ydelsestype"].astype("category")
    type_code = types.cat.codes.to_numpy().astype(np.int64)
    n_types = len(types.cat.categories)
    # active_in on plain datetime64 arrays (NaT end = ongoing; NaT compares False).
    start = grants["start_date"].to_numpy(dtype="datetime64[ns]")
    end = grants["end_date"].to_numpy(dtype="datetime64[ns]")
    ongoing = np.isnat(end)
    # One code per (type, person); rows without a type get an extra slot that counts for the
    # total only. Per half-year: mark the codes of the active rows, then count per type and
    # count persons marked under any slot.
    slots = n_types + 1
    pairs = np.where(type_code >= 0, type_code, n_types) * n_person + person
    small = slots * n_person <= 50_000_000
    marks = np.zeros(slots * n_person if small else 0, dtype=bool)
    rows = []
    for period in periods:
        first_day, last_day = (np.datetime64(d, "ns") for d in half_year_bounds(period))
        active = (start <= last_day) & (ongoing | (end >= first_day))
        if small:
            marks.fill(False)
            marks[pairs[active]] = True
            matrix = marks.reshape(slots, n_person)
            total = int(matrix.any(axis=0).sum())
            per_type = matrix[:n_types].sum(axis=1)
        else:
            distinct = np.unique(pairs[active])
            total = len(np.unique(distinct % n_person))
            per_type = np.bincount(distinct // n_person, minlength=slots)[:n_types]
        rows.append(("unikke_personer_visiteret_ydelse", TOTAL, period, total))
        rows.extend(
            ("unikke_personer_pr_ydelsestype", str(t), period, int(n))
            for t, n in zip(types.cat.categories, per_type)
        )
    return _frame(rows)


def attendance_periods(visits: pd.DataFrame) -> list[str]:
    """The half-years an attendance table covers: from its first to its last registration."""
    if visits.empty:
        return []
    labels = half_year_of(pd.Series([visits["date"].min(), visits["date"].max()]))
    return half_year_range(labels.iloc[0], labels.iloc[1])


def _tilbud_order(tilbud: pd.Series) -> list[str]:
    """The tilbud seen, in Tabel 4's order first, then other names alphabetically."""
    from analyse.published import tilbud_labels

    seen = set(tilbud.astype(str))
    known = [t for t in tilbud_labels() if t in seen]
    return known + sorted(seen - set(known))


UOPLYST_TILBUD = "Uoplyst tilbud"


def fremmoede_indicators(visits: pd.DataFrame, periods: list[str] | None = None) -> pd.DataFrame:
    """Attendance in Psykiatriens Hus per half-year (PRODUCT.md, "Indicators").

    - ``kontakter_pr_tilbud``: distinct identified participants per tilbud;
    - ``kontakter_psykiatriens_hus`` (I alt): the sum of those over tilbud, so a
      participant in two tilbud is two contacts;
    - ``unikke_borgere_psykiatriens_hus`` (I alt): distinct identified participants;
    - ``besoeg_pr_tilbud``: visits, i.e. the sum of ``antal``, anonymous rows included.

    As in the published Tabel 4, contacts and visits under a tilbud name the
    mapping does not know (``tilbud_kendt`` False) are counted under ``Uoplyst
    tilbud`` together with blank tilbud: contacts are still counted per name as
    written, then summed. So that nothing is hidden, each unknown name also gets
    its own rows under ``kontakter_pr_ukendt_tilbud`` and ``besoeg_pr_ukendt_tilbud``
    (an extension of the contract); adding the name to the tilbud mapping makes it
    a tilbud of its own.

    Every tilbud in the table gets a row in every half-year, zero included.

    >>> v = pd.DataFrame({
    ...     "date": pd.to_datetime(["2019-02-01", "2019-02-08", "2019-03-01", "2019-03-01", "2019-03-02"]),
    ...     "tilbud": ["NADA", "Fitness", "NADA", "NADA", "Yoga"],
    ...     "tilbud_kendt": [True, True, True, True, False],
    ...     "pseudonym": ["a", "a", "b", None, "a"],
    ...     "antal": [1, 1, 1, 4, 1],
    ... })
    >>> for row in fremmoede_indicators(v)[["indicator", "group", "value"]].values.tolist(): print(row)
    ['kontakter_psykiatriens_hus', 'I alt', 4]
    ['unikke_borgere_psykiatriens_hus', 'I alt', 2]
    ['kontakter_pr_tilbud', 'NADA', 2]
    ['kontakter_pr_tilbud', 'Fitness', 1]
    ['kontakter_pr_tilbud', 'Uoplyst tilbud', 1]
    ['besoeg_pr_tilbud', 'NADA', 6]
    ['besoeg_pr_tilbud', 'Fitness', 1]
    ['besoeg_pr_tilbud', 'Uoplyst tilbud', 1]
    ['kontakter_pr_ukendt_tilbud', 'Yoga', 1]
    ['besoeg_pr_ukendt_tilbud', 'Yoga', 1]
    """
    periods = attendance_periods(visits) if periods is None else periods
    period_of = half_year_of(visits["date"])
    person = pd.Series(pd.factorize(visits["pseudonym"], use_na_sentinel=True)[0], index=visits.index)
    identified = visits["pseudonym"].notna()
    names = visits["tilbud"].astype(str)
    known = visits["tilbud_kendt"].astype(bool) if "tilbud_kendt" in visits else pd.Series(True, index=visits.index)
    unknown_names = sorted(set(names[~known]))
    # Contacts are counted per name as written; unknown names are then folded into Uoplyst.
    tilbud = pd.Series(pd.Categorical(names, categories=_tilbud_order(names)), index=visits.index)
    group = names.where(known, UOPLYST_TILBUD)
    groups = [t for t in _tilbud_order(group) if t not in unknown_names]
    if unknown_names and UOPLYST_TILBUD not in groups:
        groups.append(UOPLYST_TILBUD)
    fold = {t: (UOPLYST_TILBUD if t in unknown_names else t) for t in tilbud.cat.categories}
    antal = pd.to_numeric(visits["antal"]).astype("int64")
    rows, unknown_rows = [], []
    for period in periods:
        in_period = (period_of == period).fillna(False).astype(bool)
        counted = in_period & identified
        contacts = person[counted].groupby(tilbud[counted], observed=False).nunique()
        visits_per = antal[in_period].groupby(tilbud[in_period], observed=False).sum()
        folded_contacts = contacts.groupby(contacts.index.map(fold)).sum().reindex(groups, fill_value=0)
        folded_visits = visits_per.groupby(visits_per.index.map(fold)).sum().reindex(groups, fill_value=0)
        rows.append(("kontakter_psykiatriens_hus", TOTAL, period, int(contacts.sum())))
        rows.append(("unikke_borgere_psykiatriens_hus", TOTAL, period, int(person[counted].nunique())))
        rows.extend(("kontakter_pr_tilbud", str(t), period, int(n)) for t, n in folded_contacts.items())
        rows.extend(("besoeg_pr_tilbud", str(t), period, int(n)) for t, n in folded_visits.items())
        unknown_rows.extend(("kontakter_pr_ukendt_tilbud", t, period, int(contacts.get(t, 0))) for t in unknown_names)
        unknown_rows.extend(("besoeg_pr_ukendt_tilbud", t, period, int(visits_per.get(t, 0))) for t in unknown_names)
    return _frame(rows + unknown_rows)


# source name → indicator function over that source's clean table
INDICATORS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "as2007": as2007_indicators,
    "rusmiddel": rusmiddel_indicators,  # definitions in analyse.rusmiddel
    "fremmoede": fremmoede_indicators,
}


def indicators_by_source(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each source's indicator rows (a source's rows depend on its own table only)."""
    return {name: INDICATORS[name](table) for name, table in tables.items() if name in INDICATORS}


def compute_indicators(
    tables: Mapping[str, pd.DataFrame], by_source: Mapping[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """All indicators for the clean tables at hand, in the contract's column order.

    ``by_source`` (from :func:`indicators_by_source`) saves computing them again.
    """
    by_source = indicators_by_source(tables) if by_source is None else by_source
    frames = list(by_source.values())
    if not frames:
        return _frame([])
    result = pd.concat(frames, ignore_index=True)
    result["value"] = pd.to_numeric(result["value"])
    return result[list(INDICATOR_COLUMNS)]


def as_written(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicator table as ``indikatorer.csv`` holds it: whole numbers without ``.0``.

    Counts and shares share one column, which makes every count a float in memory; in
    the file a count stays a count, for whoever reads it with an integer parser.

    >>> t = pd.DataFrame({"indicator": ["a", "b"], "group": ["I alt", "Alkohol"], "period": ["2018H1"] * 2,
    ...                   "value": [49.0, 0.5]})
    >>> print(as_written(t).to_csv(sep=";", index=False).strip())
    indicator;group;period;value
    a;I alt;2018H1;49
    b;Alkohol;2018H1;0.5
    """
    out = indicators.copy()
    out["value"] = pd.Series([int(v) if float(v).is_integer() else float(v) for v in out["value"]],
                             index=out.index, dtype=object)
    return out
