"""Half-years, the reporting unit of the evaluation documents.

A half-year is written ``YYYYH1`` (1 January – 30 June) or ``YYYYH2``
(1 July – 31 December), as in ``indikatorer.csv``. Everything that turns dates
into half-years, checks a label typed by a user, or lays indicator rows out as
one column per half-year lives here, so every notebook counts the same way.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import pandas as pd

from analyse.exceptions import ConfigError

INDICATOR_FILE = "indikatorer.csv"
INDICATOR_COLUMNS = ("indicator", "group", "period", "value")

# Strict on purpose: a typo such as '2019H3' or '2019-1' must stop the run, not
# silently select nothing.
_LABEL = re.compile(r"^(\d{4})H([12])$")


def parse_half_year(label: str) -> tuple[int, int]:
    """``(year, half)`` of a label such as ``'2019H1'``.

    Surrounding spaces and a lower-case ``h`` are forgiven; anything else is a
    :class:`~analyse.exceptions.ConfigError` whose message says what is expected.

    >>> parse_half_year("2019H1")
    (2019, 1)
    >>> parse_half_year(" 2018h2 ")
    (2018, 2)
    >>> parse_half_year("2019H3")
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: ugyldigt halvår '2019H3': skriv årstal og H1 eller H2, fx '2019H1'
    """
    match = _LABEL.match(str(label).strip().upper()) if label is not None else None
    if match is None:
        raise ConfigError(
            f"ugyldigt halvår {label!r}: skriv årstal og H1 eller H2, fx '2019H1'"
        )
    return int(match.group(1)), int(match.group(2))


def half_year_label(year: int, half: int) -> str:
    """The label of a year and half.

    >>> half_year_label(2019, 2)
    '2019H2'
    """
    label = f"{year}H{half}"
    parse_half_year(label)  # validates half ∈ {1, 2} and a four-digit year
    return label


def half_year_index(label: str) -> int:
    """Consecutive integer for a half-year, so differences count half-years.

    >>> half_year_index("2017H1") - half_year_index("2016H2")
    1
    """
    year, half = parse_half_year(label)
    return year * 2 + (half - 1)


def _label_of_index(index: int) -> str:
    return f"{index // 2}H{index % 2 + 1}"


def half_year_bounds(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a half-year (both inclusive, at midnight).

    The indicator contract compares dates (start ≤ period end, end ≥ period
    start), so the last *day* is the natural end, not the next half's start.

    >>> half_year_bounds("2019H1")
    (Timestamp('2019-01-01 00:00:00'), Timestamp('2019-06-30 00:00:00'))
    >>> half_year_bounds("2016H2")
    (Timestamp('2016-07-01 00:00:00'), Timestamp('2016-12-31 00:00:00'))
    """
    year, half = parse_half_year(label)
    if half == 1:
        return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 6, 30)
    return pd.Timestamp(year, 7, 1), pd.Timestamp(year, 12, 31)


def half_year_range(first: str, last: str) -> list[str]:
    """Every half-year from ``first`` to ``last``, both included.

    >>> half_year_range("2016H2", "2018H1")
    ['2016H2', '2017H1', '2017H2', '2018H1']
    >>> half_year_range("2019H1", "2018H2")
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: første halvår '2019H1' ligger efter sidste halvår '2018H2'
    """
    start, stop = half_year_index(first), half_year_index(last)
    if start > stop:
        raise ConfigError(f"første halvår {first!r} ligger efter sidste halvår {last!r}")
    return [_label_of_index(i) for i in range(start, stop + 1)]


def half_year_of(dates: pd.Series) -> pd.Series:
    """The half-year label of each date; missing dates give ``<NA>``.

    >>> s = pd.Series(pd.to_datetime(["2019-06-30", "2019-07-01", None]))
    >>> half_year_of(s).tolist()
    ['2019H1', '2019H2', <NA>]
    """
    dates = pd.to_datetime(pd.Series(dates))
    year = dates.dt.year.astype("Int64").astype("string")
    half = (dates.dt.month > 6).map({False: "H1", True: "H2"}).astype("string")
    labels = year + half
    return labels.where(dates.notna(), pd.NA).rename(dates.name)


def read_indicators(processed_dir: str | PathLike) -> pd.DataFrame:
    """``indikatorer.csv`` from a processed folder, with ``value`` numeric.

    Raises :class:`ConfigError` when the file is missing (the usual cause: the
    data has not been cleaned yet) or lacks the contract's columns.
    """
    path = Path(processed_dir) / INDICATOR_FILE
    if not path.is_file():
        raise ConfigError(
            f"fil {path}: findes ikke; kør 'analyse clean' først, eller angiv processed_dir"
        )
    table = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in INDICATOR_COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(f"fil {path}: mangler kolonnerne {', '.join(missing)}")
    table["value"] = pd.to_numeric(table["value"].replace("", None), errors="coerce")
    return table


def period_table(
    indicators: pd.DataFrame,
    indicator: str,
    periods: list[str],
    groups: list[str] | None = None,
) -> pd.DataFrame:
    """One indicator as a table: a row per group, a column per half-year.

    ``groups`` fixes the first rows and their order (e.g. every Ydelsestype of
    Tabel 2); a group the data has beyond those (a label a user added to the
    mapping) follows in alphabetical order rather than disappearing. A group
    without a row in a half-year the data covers counted nobody, so it is 0. A
    half-year the indicator has no rows for at all is outside the data, and
    that is an error rather than a column of zeros.

    >>> ind = pd.DataFrame({"indicator": ["n", "n", "n"], "group": ["A", "B", "A"],
    ...                     "period": ["2019H1", "2019H1", "2019H2"], "value": [7, 2, 5]})
    >>> period_table(ind, "n", ["2019H1", "2019H2"], groups=["A", "C"]).to_dict("index")
    {'A': {'2019H1': 7, '2019H2': 5}, 'C': {'2019H1': 0, '2019H2': 0}, 'B': {'2019H1': 2, '2019H2': 0}}
    >>> period_table(ind, "m", ["2019H1"])
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: indikatoren 'm' har ingen tal i indikatortabellen: er kildens udtræk lagt i rå-mappen og renset ('analyse clean' eller 'analyse build')?
    """
    rows = indicators[indicators["indicator"] == indicator]
    covered = set(rows["period"])
    outside = [p for p in periods if p not in covered]
    if outside and not covered:
        # No rows at all: the source was not cleaned (or had no usable rows), not a wrong period.
        raise ConfigError(
            f"indikatoren {indicator!r} har ingen tal i indikatortabellen: er kildens udtræk lagt i "
            "rå-mappen og renset ('analyse clean' eller 'analyse build')?"
        )
    if outside:
        span = f"{min(covered)}–{max(covered)}"
        raise ConfigError(
            f"indikatoren {indicator!r} har ingen tal for {', '.join(outside)} "
            f"(data dækker {span}); ret first_period/last_period"
        )
    rows = rows[rows["period"].isin(periods)]
    table = rows.pivot_table(
        index="group", columns="period", values="value", aggfunc="sum", fill_value=0
    )
    present = list(dict.fromkeys(rows["group"]))
    if groups is None:
        groups = present
    else:
        groups = list(groups) + sorted(g for g in present if g not in set(groups))
    table = table.reindex(index=groups, columns=periods, fill_value=0).fillna(0)
    table.index.name, table.columns.name = "group", "period"
    return table.round().astype("int64")


# --- periods of other lengths (years, spans of years, explicit dates) -------------------------

_YEAR = re.compile(r"^(\d{4})$")
_YEAR_SPAN = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")


def period_bounds(period: str | tuple) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day (both inclusive) of a period label or an explicit span.

    Labels: a half-year ``'2018H1'``, a calendar year ``'2018'``, a span of
    years ``'2020-2021'``; or a ``(start, end)`` pair of dates.

    >>> [str(d.date()) for d in period_bounds("2020-2021")]
    ['2020-01-01', '2021-12-31']
    >>> [str(d.date()) for d in period_bounds(("2017-12-01", "2018-05-31"))]
    ['2017-12-01', '2018-05-31']
    >>> period_bounds("2018H3")
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: ugyldig periode '2018H3': skriv fx '2018H1', '2018', '2020-2021' eller (startdato, slutdato)
    """
    if isinstance(period, tuple):
        try:
            start, end = (pd.Timestamp(d).normalize() for d in period)
        except (ValueError, TypeError):
            raise ConfigError(f"ugyldig periode {period!r}: datoer skrives ÅÅÅÅ-MM-DD, fx '2017-12-01'") from None
    else:
        text = str(period).strip()
        if m := _YEAR.match(text):
            start, end = pd.Timestamp(int(m.group(1)), 1, 1), pd.Timestamp(int(m.group(1)), 12, 31)
        elif m := _YEAR_SPAN.match(text):
            start, end = pd.Timestamp(int(m.group(1)), 1, 1), pd.Timestamp(int(m.group(2)), 12, 31)
        else:
            try:
                start, end = half_year_bounds(text)
            except ConfigError:
                raise ConfigError(
                    f"ugyldig periode {period!r}: skriv fx '2018H1', '2018', '2020-2021' "
                    "eller (startdato, slutdato)"
                ) from None
    if end < start:
        raise ConfigError(f"perioden {period!r} slutter før den begynder")
    return start, end
