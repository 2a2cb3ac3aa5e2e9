"""Whether a source's data cover a half-year (or a year) to its end: the one rule the reports use.

``indikatorer.csv`` keeps every half-year a source's data reach, also the last one when the
extract was drawn in the middle of it (PRODUCT.md, "Indicators (contract)": the internal file
keeps exact values). A report must not present such a half-year as if it were complete: three
registrations in two months beside 670 in six read as a collapse, and a trend model takes them at
face value. So the reports ask this module which of their half-years the data cover, leave an
incomplete *last* half-year out of default periods, trends and key figures with one sentence that
names it and the data's last date, and mark it where a user asked for it explicitly.

**The rule** (:func:`is_complete`): a period is fully covered by a source when the source's last
date lies at most :data:`COMPLETE_WITHIN_DAYS` days before the period's last day, or later. The
last date is what ``analyse clean`` records per source in ``kvalitet.json``
(:data:`LAST_DATE_KEYS`): for AS2007 the newest start date of a grant, for the attendance
registrations the last registration, for the treatment episodes the last end date. A source whose
last date is unknown (an older ``kvalitet.json``) counts as covering its half-years, as before.

Only an extract's end is judged. A first half-year the data start in the middle of is not a
question of when the extract was drawn, and is left as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import NamedTuple

import pandas as pd

# How many days before a period's last day a source's data may end and the period still count as
# fully covered. The tolerance is there because the last *date* of complete data is seldom the
# period's last day; it must stay far below the months an extract drawn mid-half-year lacks
# (the project application's Tabel 5 is dated 2 September: four months short).
#
# - fremmoede, 14 days: Psykiatriens Hus registers every weekday, but closes over Christmas and New
#   Year (weeks 52 and 1; the sample's 2018 ends on 23 December, 8 days before). The summer closure
#   (weeks 28-32) is in July and August, never at a half-year's end. Data ending 14 days early lack at
#   most 2 of 26 weeks of visits (8 %), and fewer contacts and citizens, since most come back.
# - rusmiddel, 14 days: about one episode ends per day (in the sample the last end date is at most
#   2 days before every half-year's end, 2016-2022); 14 days allows a quiet Christmas.
# - as2007, 31 days: new grants are far rarer than registrations (56 started in the sample's 2019H1,
#   the last on 16 June, 14 days before the end) and are often granted from the first of a month, so
#   the newest start of a complete half-year can be 1 June or 1 December, 29-30 days before its end.
#   A month of starts matters little to the count: a person counts in a half-year when any grant is
#   active, and most grants started earlier (about 490 persons beside those 56 starts).
COMPLETE_WITHIN_DAYS: dict[str, int] = {"as2007": 31, "fremmoede": 14, "rusmiddel": 14}
DEFAULT_WITHIN_DAYS = 14  # a source not listed above

# The key of kvalitet.json (per source) holding the date a source's data reach (describe_* of each cleaner).
LAST_DATE_KEYS: dict[str, str] = {"as2007": "last_start", "fremmoede": "last_date", "rusmiddel": "last_end"}

# Why a period is incomplete: "<fordi> ..." with the source's last date.
_REASON = {
    "as2007": "AS2007-udtrækkets nyeste bevilling starter {date}",
    "fremmoede": "fremmøderegistreringerne kun går til {date}",
    "rusmiddel": "de afsluttede behandlingsforløb kun går til {date}",
}

# Which source an indicator of indikatorer.csv comes from (for the goals' values, analyse.goal_periods).
SOURCE_OF_INDICATOR: dict[str, str] = {
    "unikke_personer_visiteret_ydelse": "as2007",
    "unikke_personer_pr_ydelsestype": "as2007",
    "kontakter_psykiatriens_hus": "fremmoede",
    "unikke_borgere_psykiatriens_hus": "fremmoede",
    "kontakter_pr_tilbud": "fremmoede",
    "besoeg_pr_tilbud": "fremmoede",
    "kontakter_pr_ukendt_tilbud": "fremmoede",
    "besoeg_pr_ukendt_tilbud": "fremmoede",
    "antal_afsluttede_forloeb": "rusmiddel",
    "andel_reduktion_eller_ophoer": "rusmiddel",
    "andel_national_maal": "rusmiddel",
}


def within_days(source: str) -> int:
    """The tolerance of a source, in days.

    >>> within_days("fremmoede"), within_days("as2007"), within_days("ny_kilde")
    (14, 31, 14)
    """
    return COMPLETE_WITHIN_DAYS.get(source, DEFAULT_WITHIN_DAYS)


def period_end(period) -> pd.Timestamp:
    """The last day of a half-year (``'2019H2'``), a year (``'2019'``), a span of years (``'2020-2021'``)
    or a pair of dates (:func:`analyse.periods.period_bounds`).

    >>> period_end("2019H1"), period_end("2019"), period_end(("2020-01-01", "2021-12-31"))
    (Timestamp('2019-06-30 00:00:00'), Timestamp('2019-12-31 00:00:00'), Timestamp('2021-12-31 00:00:00'))
    >>> period_end("2020-2021")
    Timestamp('2021-12-31 00:00:00')
    """
    from analyse.periods import period_bounds

    return period_bounds(period)[1]


def is_complete(period, last_date, source: str) -> bool:
    """True when data ending on ``last_date`` cover ``period`` to its end (the module's rule).

    ``last_date`` None (not known) counts as covered.

    >>> is_complete("2019H2", "2019-09-02", "fremmoede")
    False
    >>> is_complete("2019H1", "2019-09-02", "fremmoede")
    True
    >>> is_complete("2019H2", "2019-12-17", "fremmoede"), is_complete("2019H2", "2019-12-16", "fremmoede")
    (True, False)
    >>> is_complete("2019H1", "2019-06-16", "as2007"), is_complete("2019H1", "2019-05-29", "as2007")
    (True, False)
    >>> is_complete("2019", "2019-09-02", "rusmiddel"), is_complete("2019H2", None, "rusmiddel")
    (False, True)
    """
    if last_date is None or pd.isna(last_date):
        return True
    return pd.Timestamp(last_date).normalize() >= period_end(period) - pd.Timedelta(days=within_days(source))


def last_dates(processed_dir: str | PathLike) -> dict[str, pd.Timestamp]:
    """Per source, the date its data reach, as ``kvalitet.json`` of a processed folder records it.

    A source (or a whole file) without the date is left out: its periods count as covered.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> last_dates(d)
    {}
    >>> _ = (d / "kvalitet.json").write_text(json.dumps({"fremmoede": {"last_date": "2019-09-02"},
    ...                                                 "as2007": {"last_start": None}}))
    >>> last_dates(d)
    {'fremmoede': Timestamp('2019-09-02 00:00:00')}
    """
    try:
        quality = json.loads((Path(processed_dir) / "kvalitet.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = {}
    for source, key in LAST_DATE_KEYS.items():
        value = quality.get(source, {}).get(key) if isinstance(quality.get(source), dict) else None
        if value:
            try:
                found[source] = pd.Timestamp(value).normalize()
            except (ValueError, TypeError):
                continue
    return found


def last_date(processed_dir: str | PathLike, source: str) -> pd.Timestamp | None:
    """:func:`last_dates` of one source; None where it is not known."""
    return last_dates(processed_dir).get(source)


class Split(NamedTuple):
    """A report's periods after the rule: those it shows, the incomplete one it shows marked
    (asked for explicitly), and those it leaves out."""

    shown: list
    partial: str | None
    left_out: list


def split_periods(periods: Iterable, last_date, source: str, keep: bool = False) -> Split:
    """Which of ``periods`` (in order) a report shows, given the source's last date.

    Periods the data do not cover to their end can only be the last ones. They are left out,
    unless ``keep`` (the user asked for that period) or unless nothing would be left: then the
    last is kept as ``partial``, for the report to mark and keep out of trend models.

    >>> split_periods(["2019H1", "2019H2"], "2019-09-02", "fremmoede")
    Split(shown=['2019H1'], partial=None, left_out=['2019H2'])
    >>> split_periods(["2019H1", "2019H2"], "2019-09-02", "fremmoede", keep=True)
    Split(shown=['2019H1', '2019H2'], partial='2019H2', left_out=[])
    >>> split_periods(["2019H2"], "2019-09-02", "fremmoede")
    Split(shown=['2019H2'], partial='2019H2', left_out=[])
    >>> split_periods(["2019H1", "2019H2"], "2019-12-31", "fremmoede")
    Split(shown=['2019H1', '2019H2'], partial=None, left_out=[])
    """
    periods = list(periods)
    shown = [p for p in periods if is_complete(p, last_date, source)]
    left_out = [p for p in periods if p not in shown]
    if not left_out:
        return Split(periods, None, [])
    if keep or not shown:
        return Split(shown + left_out[:1], left_out[0], left_out[1:])
    return Split(shown, None, left_out)


def short_date(value) -> str:
    """A date as a column header has room for.

    >>> short_date("2019-09-02"), short_date("2019-05-30")
    ('2. sep.', '30. maj')
    """
    from babel.dates import format_date

    from analyse.formatting import LOCALE

    return format_date(pd.Timestamp(value).date(), format="d. MMM", locale=LOCALE)


def period_text(period) -> str:
    """A half-year or a year as a sentence names it.

    >>> period_text("2019H2"), period_text("2019")
    ('2. halvår 2019', 'året 2019')
    """
    from analyse.formatting import format_half_year

    text = str(period)
    return f"året {text}" if text.isdigit() else format_half_year(text)


def heading(period, last_date) -> str:
    """The header of an incompletely covered period: the period and how far the data go.

    >>> heading("2019H2", "2019-09-02"), heading("2019", "2019-09-02")
    ('2. halvår 2019 (til 2. sep.)', '2019 (til 2. sep.)')
    """
    from analyse.formatting import format_half_year

    text = str(period)
    label = text if text.isdigit() else format_half_year(text)
    return f"{label} (til {short_date(last_date)})"


def mark(table: pd.DataFrame, period, last_date) -> pd.DataFrame:
    """``table`` with the header of the incomplete ``period`` (a column or a row, by its label or
    as the report writes it) replaced by :func:`heading`; unchanged where ``period`` is None.

    >>> t = pd.DataFrame({"2019H1": [670], "2019H2": [3]}, index=["Kontakter"])
    >>> mark(t, "2019H2", "2019-09-02").columns.tolist()
    ['2019H1', '2. halvår 2019 (til 2. sep.)']
    >>> mark(pd.DataFrame({"n": [1]}, index=["2. halvår 2019"]), "2019H2", "2019-09-02").index.tolist()
    ['2. halvår 2019 (til 2. sep.)']
    >>> mark(t, None, None) is t
    True
    """
    if period is None:
        return table
    names = {str(period), period_text(period).removeprefix("året ")}
    new = heading(period, last_date)
    rename = lambda label: new if str(label) in names else label  # noqa: E731
    return table.rename(columns=rename, index=rename)


def chart_marks(period, last_date) -> dict[str, str]:
    """The marks :func:`analyse.formatting.period_chart` puts under an incomplete half-year.

    >>> chart_marks("2019H2", "2019-09-02"), chart_marks(None, None)
    ({'2019H2': 'til 2. sep.'}, {})
    """
    return {} if period is None else {str(period): f"til {short_date(last_date)}"}


def reason(last_date, source: str) -> str:
    """Why data ending on ``last_date`` do not cover a period, after "fordi".

    >>> reason("2019-09-02", "fremmoede")
    'fremmøderegistreringerne kun går til 2. september 2019'
    """
    from analyse.formatting import format_date

    return _REASON.get(source, "data kun går til {date}").format(date=format_date(last_date))


def _listed(periods: list) -> str:
    from analyse.formatting import format_list

    return format_list(period_text(p) for p in periods)


def short_note(partial, left_out, last_date) -> str:
    """How an incomplete last half-year is handled, short enough for a list of sources' periods.

    >>> short_note(None, ["2019H2"], "2019-09-02"), short_note("2019H2", [], "2019-09-02"), short_note(None, [], None)
    ('2. halvår 2019 er ikke med: data kun til 2. september 2019', '2. halvår 2019 kun til 2. september 2019', '')
    """
    from analyse.formatting import format_date

    if partial is not None:
        return f"{period_text(partial)} kun til {format_date(last_date)}"
    if left_out:
        return f"{_listed(list(left_out))} er ikke med: data kun til {format_date(last_date)}"
    return ""


def left_out_sentence(periods, last_date, source: str) -> str:
    """The sentence for incomplete periods a report leaves out; empty where there are none.

    >>> left_out_sentence(["2019H2"], "2019-09-02", "fremmoede")
    'Tallene for 2. halvår 2019 er ikke med, fordi fremmøderegistreringerne kun går til 2. september 2019.'
    >>> left_out_sentence(["2019H2", "2019"], "2019-09-02", "rusmiddel")
    'Tallene for 2. halvår 2019 og året 2019 er ikke med, fordi de afsluttede behandlingsforløb kun går til 2. september 2019.'
    >>> left_out_sentence(["2019H2"], "2019-09-02", "as2007")
    'Tallene for 2. halvår 2019 er ikke med, fordi AS2007-udtrækkets nyeste bevilling starter 2. september 2019.'
    >>> left_out_sentence([], None, "as2007")
    ''
    """
    periods = list(periods)
    if not periods:
        return ""
    return f"Tallene for {_listed(periods)} er ikke med, fordi {reason(last_date, source)}."


def kept_sentence(period, last_date, source: str, trend: bool = True) -> str:
    """The sentence for an incomplete period a report shows (asked for, or all there is); empty for None.

    >>> print(kept_sentence("2019H2", "2019-09-02", "fremmoede"))
    Tallene for 2. halvår 2019 er ufuldstændige, fordi fremmøderegistreringerne kun går til 2. september 2019. Halvåret er vist og markeret "til 2. sep.", men indgår ikke i udviklingen over tid.
    """
    if period is None:
        return ""
    unit = "Året" if str(period).isdigit() else "Halvåret"
    text = (f"Tallene for {period_text(period)} er ufuldstændige, fordi "
            f"{reason(last_date, source)}. {unit} er vist og markeret \"til {short_date(last_date)}\"")
    return text + (", men indgår ikke i udviklingen over tid." if trend else ".")


def describe(splits: Iterable[Split], last_date, source: str, trend: bool = True) -> str:
    """The sentences for one or more :func:`split_periods` of a source (half-years and years of
    one report): what is left out, and what is shown though incomplete.

    >>> h = split_periods(["2019H1", "2019H2"], "2019-09-02", "rusmiddel")
    >>> y = split_periods(["2018", "2019"], "2019-09-02", "rusmiddel")
    >>> describe([h, y], "2019-09-02", "rusmiddel")
    'Tallene for 2. halvår 2019 og året 2019 er ikke med, fordi de afsluttede behandlingsforløb kun går til 2. september 2019.'
    >>> describe([split_periods(["2019H1"], "2019-12-31", "rusmiddel")], "2019-12-31", "rusmiddel")
    ''
    """
    splits = list(splits)
    texts = [left_out_sentence([p for s in splits for p in s.left_out], last_date, source)]
    texts += [kept_sentence(s.partial, last_date, source, trend) for s in splits if s.partial is not None]
    return " ".join(t for t in texts if t)


def rows_shown(table: pd.DataFrame, split: Split) -> pd.DataFrame:
    """The rows of a table with a ``period`` column that a report shows after :func:`split_periods`.

    >>> t = pd.DataFrame({"period": ["2019H1", "2019H2"], "n": [90, 20]})
    >>> rows_shown(t, split_periods(["2019H1", "2019H2"], "2019-09-02", "rusmiddel"))["period"].tolist()
    ['2019H1']
    """
    return table[table["period"].astype(str).isin([str(p) for p in split.shown])]


def span_sentence(name: str, span: tuple, last_date, source: str) -> str:
    """A sentence where a period given as dates (report 03's baseline and comparison) reaches past the data.

    >>> span_sentence("Sammenligningsperioden", ("2020-01-01", "2021-12-31"), "2021-09-02", "rusmiddel")
    'Sammenligningsperioden går til 31. december 2021, men de afsluttede behandlingsforløb går kun til 2. september 2021; perioden er derfor kun delvist dækket.'
    >>> span_sentence("Baselineperioden", ("2017-12-01", "2018-05-31"), "2021-09-02", "rusmiddel")
    ''
    """
    from analyse.formatting import format_date

    if is_complete(tuple(span), last_date, source):
        return ""
    why = reason(last_date, source).replace(" kun går til ", " går kun til ")
    return f"{name} går til {format_date(period_end(tuple(span)))}, men {why}; perioden er derfor kun delvist dækket."
