"""Treatment episodes at Rusmiddelcenter Randers: the cleaner and the outcome definitions.

Contract: PRODUCT.md, "rusmiddel/" and "Indicators". The cleaner follows
:mod:`analyse.as2007` step for step and reuses its CPR and date steps, so the
same CPR number gets the same pseudonym in both sources (same key, same
normalisation) and episodes can be linked to granted services.

The outcome measure of the agreement with the city council: of the episodes
that *ended* in a period, leaving out those that ended because the citizen
moved (``Flyttet``) or died (``Død``), the share that ended with abstinence or
reduced use (``Ophørt`` or ``Reduceret``). The national goals count a wider
set of statuses over the same denominator (:data:`NATIONAL_SUCCESS`).
Ongoing episodes (no end date) are in no denominator.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from analyse.as2007 import CPR_ALIASES, END_ALIASES, START_ALIASES, add_dates, add_person
from analyse.cleaning import CleanContext, SourceSpec, reject
from analyse.exceptions import ConfigError
from analyse.mappings import load_mapping
from analyse.periods import INDICATOR_COLUMNS, half_year_of, half_year_range
from analyse.periods import period_bounds  # noqa: F401 - also this module's API (reports import it from here)
from analyse.readers import Column
from analyse.values import blank_open_end

SOURCE = "rusmiddel"

# The contract's closed lists (PRODUCT.md, "rusmiddel/"); the schema checks them too.
SUBSTANCES = ("Alkohol", "Stof")
STATUSES = (
    "Ophørt", "Reduceret", "Stabiliseret", "Uændret", "Øget",
    "Henvist", "Udeblevet", "Afbrudt", "Flyttet", "Død",
)
# Ended for reasons the treatment does not answer for: not in the denominator.
EXCLUDED = ("Flyttet", "Død")
# The agreement's measure: abstinence or reduced use.
SUCCESS = ("Ophørt", "Reduceret")
# The national goals (Aftale om udsatteområdet) count more statuses as a good end.
NATIONAL_SUCCESS = {
    "Alkohol": ("Ophørt", "Reduceret", "Henvist"),
    "Stof": ("Ophørt", "Reduceret", "Stabiliseret"),
}

COLUMNS = (
    Column("cpr", "CPR", CPR_ALIASES),
    Column("rusmiddel_raw", "Rusmiddel", ("type", "rusmiddel", "misbrugstype")),
    Column("start_raw", "Startdato", START_ALIASES),
    Column("end_raw", "Slutdato", END_ALIASES),
    Column("status_raw", "Afslutningsstatus", ("status", "afslutningsstatus", "udfald")),
)

OUTPUT_COLUMNS = (
    "pseudonym",
    "birth_year",
    "sex",
    "rusmiddel",
    "start_date",
    "end_date",
    "afslutningsstatus",
    "source_file",
    "source_row",
)

# Reasons as they appear in kvalitet.json and the rejected-rows file (CPR and date
# reasons come from the AS2007 steps, so both sources word them alike).
R_RUSMIDDEL = "ukendt eller manglende rusmiddel"
R_STATUS = "ukendt afslutningsstatus"
R_END_WITHOUT_STATUS = "slutdato uden afslutningsstatus"
R_STATUS_WITHOUT_END = "afslutningsstatus uden slutdato"
# An episode cannot have ended after the day of cleaning (a start date in the future is a
# planned episode and is kept; an end date in the future is a typo).
R_END_FUTURE = "slutdato i fremtiden"


# --- cleaning -------------------------------------------------------------------------------


def add_rusmiddel(frame: pd.DataFrame, mappings_dir) -> pd.DataFrame:
    """``Alkohol`` or ``Stof`` from any case or known variant; reject anything else.

    >>> df = pd.DataFrame({"rusmiddel_raw": ["ALKOHOL", " stof ", "Stofmisbrug", "Tobak", ""]})
    >>> out = add_rusmiddel(df, "/ingen/brugermapning")
    >>> out["rusmiddel"].tolist(), out["_reason"].notna().tolist()
    (['Alkohol', 'Stof', 'Stof', <NA>, <NA>], [False, False, False, True, True])
    """
    mapping = load_mapping("rusmiddel", list(SUBSTANCES), mappings_dir, closed=True)
    out = frame.copy()
    mapped = mapping.lookup(frame["rusmiddel_raw"])
    out["rusmiddel"] = mapped.where(mapped.isin(SUBSTANCES)).astype("string")
    return reject(out, out["rusmiddel"].isna(), R_RUSMIDDEL, "Rusmiddel")


def add_status(frame: pd.DataFrame, mappings_dir) -> pd.DataFrame:
    """The canonical Afslutningsstatus of ended episodes.

    A status is required when the episode has an end date, and only then: an
    end date without a status, a status without an end date and a status the
    mapping does not know are each rejected with their own reason. A user's
    mapping may only map to the canonical statuses, since the outcome
    definitions are written in terms of them: a line mapping to anything else
    stops the clean (:class:`~analyse.exceptions.ConfigError`, from
    :func:`~analyse.mappings.load_mapping`), rather than its rows being
    rejected as an unknown status.

    >>> df = pd.DataFrame({"end_raw": ["01-03-2018", "01-03-2018", "", "", "01-03-2018"],
    ...                    "status_raw": ["stoffri", "", "", "Udeblevet", "måske"]})
    >>> out = add_status(df, "/ingen/brugermapning")
    >>> out["afslutningsstatus"].tolist()
    ['Ophørt', <NA>, <NA>, <NA>, <NA>]
    >>> out["_reason"].tolist()
    [None, 'slutdato uden afslutningsstatus', None, 'afslutningsstatus uden slutdato', 'ukendt afslutningsstatus']
    """
    mapping = load_mapping("afslutningsstatus", list(STATUSES), mappings_dir, closed=True)
    out = frame.copy()
    mapped = mapping.lookup(frame["status_raw"])
    known = mapped.where(mapped.isin(STATUSES))
    has_status = frame["status_raw"] != ""
    has_end = frame["end_raw"] != ""
    out = reject(out, has_status & known.isna(), R_STATUS, "Afslutningsstatus")
    out = reject(out, has_end & ~has_status, R_END_WITHOUT_STATUS, "Afslutningsstatus")
    out = reject(out, has_status & ~has_end, R_STATUS_WITHOUT_END, "Afslutningsstatus")
    out["afslutningsstatus"] = known.where(has_end).astype("string")
    return out


def reject_future_end(frame: pd.DataFrame, today=None) -> pd.DataFrame:
    """Reject episodes whose end date lies after ``today`` (default: the day of cleaning).

    >>> df = pd.DataFrame({"end_date": pd.to_datetime(["2019-05-01", "2090-05-01", None])})
    >>> reject_future_end(df, today="2020-01-01")["_reason"].tolist()
    [None, 'slutdato i fremtiden', None]
    """
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today)
    return reject(frame, frame["end_date"] > today, R_END_FUTURE, "Slutdato")


def clean_rusmiddel(raw: pd.DataFrame, context: CleanContext) -> pd.DataFrame:
    """All steps; one output row per input row, rejected ones carrying a reason."""
    raw = raw.assign(end_raw=blank_open_end(raw["end_raw"]))  # 31-12-9999: no end, i.e. ongoing
    out = add_person(raw, context.key)
    out = add_rusmiddel(out, context.mappings_dir)
    out = add_dates(out)
    out = reject_future_end(out)
    return add_status(out, context.mappings_dir)


def describe_rusmiddel(clean: pd.DataFrame, rejected: pd.DataFrame) -> dict:
    """Source-level quality facts: unknown statuses (to add to the mapping), span, ongoing episodes."""
    unknown = rejected.loc[rejected["reason"] == R_STATUS, "Afslutningsstatus"].value_counts()
    ended = clean["end_date"].notna()
    return {
        "unknown_labels": {str(k): int(v) for k, v in unknown.items()},
        "first_start": None if clean.empty else str(clean["start_date"].min().date()),
        "last_start": None if clean.empty else str(clean["start_date"].max().date()),
        "last_end": None if not ended.any() else str(clean["end_date"].max().date()),
        "ongoing_episodes": int((~ended).sum()),
        "episodes_by_rusmiddel": {str(k): int(v) for k, v in clean["rusmiddel"].value_counts().items()},
    }


SPEC = SourceSpec(
    name=SOURCE,
    title="Behandlingsforløb, Rusmiddelcenter Randers",
    columns=COLUMNS,
    clean=clean_rusmiddel,
    output_columns=OUTPUT_COLUMNS,
    personal_columns=("cpr",),
    date_and_number_columns=("start_raw", "end_raw"),
    describe=describe_rusmiddel,
    # One episode: the same person, rusmiddel and start date (its end and status may have
    # changed between an old and a new extract).
    identity_columns=("pseudonym", "rusmiddel", "start_date"),
    identity_date="start_date",
)


# --- outcome definitions --------------------------------------------------------------------



def read_episodes(processed_dir) -> pd.DataFrame:
    """The clean episode table (``rusmiddel.parquet``) from a processed folder.

    Raises :class:`ConfigError` when it is missing (the usual cause: no extract
    in ``data/raw/rusmiddel/``, or the data has not been cleaned yet).
    """
    from pathlib import Path

    path = Path(processed_dir) / f"{SOURCE}.parquet"
    if not path.is_file():
        raise ConfigError(
            f"fil {path}: findes ikke; læg udtræk i data/raw/{SOURCE}/ og kør 'analyse clean'"
        )
    return pd.read_parquet(path)


def completed_episodes(episodes: pd.DataFrame, start, end) -> pd.DataFrame:
    """The denominator: episodes whose end date lies in [start, end], minus ``Flyttet``/``Død``.

    Ongoing episodes (no end date) are never included.
    """
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    ended = episodes["end_date"].between(first, last, inclusive="both")
    return episodes[ended & ~episodes["afslutningsstatus"].isin(EXCLUDED)]


OUTCOME_COLUMNS = ["group", "n", "successes", "share", "national_successes", "national_share"]


def outcome_shares(episodes: pd.DataFrame, start, end) -> pd.DataFrame:
    """The outcome shares per rusmiddel for episodes ending between ``start`` and ``end`` (inclusive).

    ``n`` is the number of completed episodes (the denominator), ``successes``
    those ending ``Ophørt`` or ``Reduceret``, ``national_successes`` those the
    national goal counts. Shares are NaN when ``n`` is 0. Both groups are always
    present.

    >>> ep = pd.DataFrame({
    ...     "rusmiddel": ["Alkohol", "Alkohol", "Alkohol", "Stof", "Stof"],
    ...     "end_date": pd.to_datetime(["2018-01-10", "2018-02-01", "2018-03-01", "2018-04-01", None]),
    ...     "afslutningsstatus": ["Ophørt", "Henvist", "Død", "Stabiliseret", None],
    ... })
    >>> outcome_shares(ep, "2017-12-01", "2018-05-31").to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'group': 'Alkohol', 'n': 2, 'successes': 1, 'share': 0.5, 'national_successes': 2, 'national_share': 1.0},
     {'group': 'Stof', 'n': 1, 'successes': 0, 'share': 0.0, 'national_successes': 1, 'national_share': 1.0}]
    """
    done = completed_episodes(episodes, start, end)
    rows = []
    for group in SUBSTANCES:
        status = done.loc[done["rusmiddel"] == group, "afslutningsstatus"]
        n = len(status)
        successes = int(status.isin(SUCCESS).sum())
        national = int(status.isin(NATIONAL_SUCCESS[group]).sum())
        rows.append({
            "group": group,
            "n": n,
            "successes": successes,
            "share": successes / n if n else np.nan,
            "national_successes": national,
            "national_share": national / n if n else np.nan,
        })
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def outcome_table(episodes: pd.DataFrame, periods: list, confidence: float = 0.95) -> pd.DataFrame:
    """:func:`outcome_shares` for several periods, with Wilson intervals for both shares.

    ``periods`` holds labels or ``(start, end)`` pairs (see :func:`period_bounds`);
    the ``period`` column keeps them as given. Interval columns are NaN where n is 0.
    """
    from analyse.stats import wilson_interval

    frames = []
    for period in periods:
        shares = outcome_shares(episodes, *period_bounds(period))
        shares.insert(0, "period", [period] * len(shares))
        frames.append(shares)
    table = pd.concat(frames, ignore_index=True)
    alpha = 1 - confidence
    for prefix, hits in (("", "successes"), ("national_", "national_successes")):
        bounds = [
            wilson_interval(int(s), int(n), alpha) if n else (np.nan, np.nan)
            for s, n in zip(table[hits], table["n"])
        ]
        table[f"{prefix}ci_low"] = [b[0] for b in bounds]
        table[f"{prefix}ci_high"] = [b[1] for b in bounds]
    return table


def episode_periods(episodes: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The half-years and calendar years the ended episodes span (first to last end date)."""
    ends = episodes["end_date"].dropna()
    if ends.empty:
        return [], []
    first, last = ends.min(), ends.max()
    half_years = half_year_range(*half_year_of(pd.Series([first, last])).tolist())
    years = [str(y) for y in range(first.year, last.year + 1)]
    return half_years, years


def rusmiddel_indicators(episodes: pd.DataFrame, periods: list[str] | None = None) -> pd.DataFrame:
    """``antal_afsluttede_forloeb``, ``andel_reduktion_eller_ophoer`` and ``andel_national_maal``.

    Rows for every half-year and every calendar year (``'YYYY'``) from the
    first to the last end date, or for ``periods`` when given. The count is
    written for every period (0 included); a share only where the count is
    above 0 (a share of nothing is undefined, not 0).

    >>> ep = pd.DataFrame({
    ...     "rusmiddel": ["Alkohol", "Alkohol", "Stof"],
    ...     "end_date": pd.to_datetime(["2018-06-30", "2018-07-01", "2018-07-02"]),
    ...     "afslutningsstatus": ["Reduceret", "Uændret", "Flyttet"],
    ... })
    >>> rusmiddel_indicators(ep, ["2018H1", "2018"]).query("group == 'Alkohol'")  # doctest: +NORMALIZE_WHITESPACE
                         indicator    group  period  value
    0      antal_afsluttede_forloeb  Alkohol  2018H1    1.0
    1  andel_reduktion_eller_ophoer  Alkohol  2018H1    1.0
    2           andel_national_maal  Alkohol  2018H1    1.0
    4      antal_afsluttede_forloeb  Alkohol    2018    2.0
    5  andel_reduktion_eller_ophoer  Alkohol    2018    0.5
    6           andel_national_maal  Alkohol    2018    0.5
    """
    if periods is None:
        half_years, years = episode_periods(episodes)
        periods = [*half_years, *years]
    rows = []
    for period in periods:
        for r in outcome_shares(episodes, *period_bounds(period)).itertuples(index=False):
            rows.append(("antal_afsluttede_forloeb", r.group, period, float(r.n)))
            if r.n:
                rows.append(("andel_reduktion_eller_ophoer", r.group, period, r.share))
                rows.append(("andel_national_maal", r.group, period, r.national_share))
    return pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
