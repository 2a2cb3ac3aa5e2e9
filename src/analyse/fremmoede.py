"""The attendance cleaner: fremmøderegistreringer from Psykiatriens Hus.

Contract: PRODUCT.md, "fremmoede/". One raw row is one registration: a date, a
tilbud, a participant (blank = anonymous) and optionally ``Antal`` (how many
visits the row stands for; default 1, anonymous tallies often write more).

Each step below is a pure ``DataFrame -> DataFrame`` function; :func:`clean_fremmoede`
chains them. Rows that cannot be used are kept with a reason (see
:func:`analyse.cleaning.reject`), never dropped.

- **Tilbud** names are mapped to the Tabel 4 labels through the extendable mapping
  ``mappings/tilbud.csv`` (case, punctuation and spacing never matter, and a name
  that differs from a known one only by spaces, ``Søndags åbent``/``Søndagsåbent``,
  is recognised too). An unknown name is kept as written (trimmed, inner spaces
  collapsed), flagged ``tilbud_kendt = False`` and listed in the quality report:
  activities come and go. Spellings of one unknown name that differ only in case
  or punctuation are one tilbud, shown as most rows write it. A blank tilbud is
  ``Uoplyst tilbud``. Published tables (:func:`tabel4`) and the contract's
  indicators (``kontakter_pr_tilbud``, ``besoeg_pr_tilbud``) count unknown names
  under ``Uoplyst tilbud``, as the published Tabel 4 does; ``indikatorer.csv`` also
  has each unknown name by itself, under ``kontakter_pr_ukendt_tilbud`` and
  ``besoeg_pr_ukendt_tilbud`` (see :func:`analyse.indicators.fremmoede_indicators`).
- **Participants** are normalised (Unicode NFKC, case folded, whitespace
  collapsed) so ``Anne Hansen``, `` anne  hansen `` and ``ANNE HANSEN`` are one
  person, then pseudonymised with the same keyed HMAC as CPR numbers. The name
  itself never leaves memory. A blank participant, or one of
  :data:`ANONYMOUS_MARKERS`, is an anonymous registration: it counts as visits,
  never as a contact or a citizen.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from analyse import config, published
from analyse.cleaning import SHIFTED_ROW, CleanContext, SourceSpec, reject
from analyse.gaps import find_gaps, gaps_for_json, rule_parameters
from analyse.mappings import LabelMapping, load_mapping, warn_about
from analyse.pseudonym import pseudonymise
from analyse.readers import Column
from analyse.values import label_key, map_distinct, parse_dates, parse_numbers

SOURCE = "fremmoede"
UOPLYST = "Uoplyst tilbud"

COLUMNS = (
    Column("date_raw", "Dato", ("dato", "date")),
    Column("tilbud_raw", "Tilbud", ("tilbud", "aktivitet", "hold")),
    Column("deltager", "Deltager", ("deltager", "borger", "navn", "initialer")),
    Column("antal_raw", "Antal", ("antal",), required=False),
)

OUTPUT_COLUMNS = (
    "date",
    "tilbud",
    "tilbud_kendt",
    "pseudonym",
    "anonymous",
    "antal",
    "source_file",
    "source_row",
)

# Written in the Deltager column instead of leaving it blank; compared after normalisation.
ANONYMOUS_MARKERS = frozenset({"-", "--", "?", "anonym", "anonymt", "anonyme", "ukendt", "ikke oplyst"})

# Reasons as they appear in kvalitet.json and the rejected-rows file.
R_DATE = "ugyldig eller manglende dato"
# An attendance is registered after it happened: a date after the day of cleaning is a typo.
R_FUTURE = "dato i fremtiden"
R_ANTAL = "ugyldigt antal (skal være et helt tal over 0)"
R_NAME_AS_TILBUD = f"deltagernavn i Tilbud-kolonnen {SHIFTED_ROW}"


def normalise_spaces(text: str) -> str:
    """Trim and collapse inner whitespace (non-breaking spaces included).

    >>> normalise_spaces("  Samvær\\u00a0  dag ")
    'Samvær dag'
    """
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip()


def normalise_participant(text: str) -> str | None:
    """The participant identifier that is pseudonymised; None for an anonymous row.

    >>> {normalise_participant(s) for s in ["Anne Hansen", " anne  hansen ", "ANNE HANSEN"]}
    {'anne hansen'}
    >>> normalise_participant(""), normalise_participant(" Anonym ")
    (None, None)
    """
    key = normalise_spaces(unicodedata.normalize("NFKC", str(text))).casefold()
    if not key or key in ANONYMOUS_MARKERS:
        return None
    return key


def _compact(key: str) -> str:
    return key.replace(" ", "")


def tilbud_mapping(mappings_dir: Path | None = None) -> LabelMapping:
    """The tilbud mapping: the shipped ``tilbud.csv`` plus the user's, onto the Tabel 4 labels."""
    return load_mapping("tilbud", published.tilbud_labels(), mappings_dir)


def known_tilbud(mappings_dir: Path | None = None) -> list[str]:
    """Every canonical tilbud label: Tabel 4's, in its order, then any a user's mapping adds."""
    return list(tilbud_mapping(mappings_dir).canonical)


def lookup_tilbud(values: pd.Series, mapping: LabelMapping) -> pd.Series:
    """Canonical label per raw tilbud name; NA where unknown (blank → ``Uoplyst tilbud``).

    Tried in order: the mapping (case, punctuation and spacing ignored), then the
    same without any spaces, so ``Torsdagsmalerhold`` finds ``Torsdags malerhold``
    without its own line in the mapping.

    >>> m = tilbud_mapping()
    >>> lookup_tilbud(pd.Series(["recovery  skolen", "Torsdagsmalerhold", "", "Yoga"]), m).tolist()
    ['Recoveryskolen (kursister)', 'Torsdags malerhold', 'Uoplyst tilbud', None]
    """
    compact: dict[str, str | None] = {}
    for key, label in mapping.by_key.items():
        c = _compact(key)
        # Two labels that differ only by spaces would be ambiguous: then neither is used.
        compact[c] = label if compact.get(c, label) == label else None

    def find(text: str) -> str | None:
        key = label_key(text)
        if not key:
            return UOPLYST
        return mapping.by_key.get(key) or compact.get(_compact(key))

    return map_distinct(values.fillna(""), find, dtype=object)


# --- the cleaning steps ------------------------------------------------------------------------


def add_date(frame: pd.DataFrame, today=None) -> pd.DataFrame:
    """Parse the date (any of the contract's forms); reject a bad or missing one, or one after ``today``.

    >>> add_date(pd.DataFrame({"date_raw": ["02-09-2019", "30-02-2019", "", "02-09-2090"]}),
    ...          today="2020-01-01")["_reason"].tolist()
    [None, 'ugyldig eller manglende dato', 'ugyldig eller manglende dato', 'dato i fremtiden']
    """
    out = frame.copy()
    out["date"] = parse_dates(frame["date_raw"])
    out = reject(out, out["date"].isna(), R_DATE, "Dato")
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today)
    return reject(out, out["date"] > today, R_FUTURE, "Dato")


def spelling_of_unknown(as_written: pd.Series) -> pd.Series:
    """One spelling per unknown name: the most frequent of those with the same label key.

    ``Yoga``, ``yoga`` and ``YOGA`` are one (unknown) tilbud, not three; it is shown
    as most rows write it (ties: the alphabetically first spelling).

    >>> spelling_of_unknown(pd.Series(["Yoga", "yoga", "Yoga", "Gåtur"])).tolist()
    ['Yoga', 'Yoga', 'Yoga', 'Gåtur']
    """
    if as_written.empty:
        return as_written
    keys = map_distinct(as_written, label_key)
    counts = pd.DataFrame({"key": keys, "text": as_written}).value_counts().reset_index(name="n")
    counts = counts.sort_values(["key", "n", "text"], ascending=[True, False, True])
    chosen = counts.drop_duplicates("key").set_index("key")["text"]
    return keys.map(chosen)


def add_tilbud(frame: pd.DataFrame, mappings_dir: Path | None = None) -> pd.DataFrame:
    """Canonical tilbud, or the name as written (spaces tidied) flagged as unknown.

    >>> df = add_tilbud(pd.DataFrame({"tilbud_raw": ["Samværstilbud  dag", "", "  Yoga   i parken ", "yoga i Parken"]}))
    >>> df["tilbud"].tolist(), df["tilbud_kendt"].tolist()
    (['Samværstilbuddet (dag)', 'Uoplyst tilbud', 'Yoga i parken', 'Yoga i parken'], [True, True, False, False])
    """
    mapping = tilbud_mapping(config.USER_MAPPINGS_DIR if mappings_dir is None else mappings_dir)
    warn_about(mapping)  # a new tilbud nearly like a known one: probably a typo in the mapping
    canonical = lookup_tilbud(frame["tilbud_raw"], mapping)
    unknown = canonical.isna()
    written = map_distinct(frame.loc[unknown, "tilbud_raw"].fillna(""), normalise_spaces, dtype=object)
    out = frame.copy()
    out["tilbud_kendt"] = (~unknown).astype(bool)
    tilbud = canonical.astype(object).copy()
    tilbud[unknown] = spelling_of_unknown(written)
    out["tilbud"] = tilbud.astype("string")
    return out


def reject_participant_as_tilbud(frame: pd.DataFrame) -> pd.DataFrame:
    """Reject rows whose unknown tilbud is written like a participant of the same extract.

    An unknown tilbud is shown by name in the reports (Tabel 5), so a name that a shifted
    row put in the Tilbud column would be published. A participant's name is recognised the
    way participants are (:func:`normalise_participant`); known tilbud are never touched.

    >>> df = pd.DataFrame({"tilbud_raw": ["NADA", "Ulrik J. Jensen", "Yoga"], "tilbud_kendt": [True, False, False],
    ...                    "deltager": ["ulrik j.  jensen", "Bo", ""]})
    >>> reject_participant_as_tilbud(df)["_reason"].tolist()
    [None, 'deltagernavn i Tilbud-kolonnen (forskudt række?)', None]
    """
    participants = {p for p in map_distinct(frame["deltager"].fillna(""), normalise_participant, dtype=object)
                    .dropna().unique()}
    as_participant = map_distinct(frame["tilbud_raw"].fillna(""), normalise_participant, dtype=object)
    named = as_participant.isin(participants) & ~frame["tilbud_kendt"].astype(bool)
    return reject(frame, named, R_NAME_AS_TILBUD, "Tilbud")


def add_participant(frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Pseudonym of the normalised participant; NA and ``anonymous`` for a blank one.

    >>> df = add_participant(pd.DataFrame({"deltager": ["Anne Hansen", " anne  hansen ", ""]}), b"k" * 32)
    >>> bool(df.pseudonym[0] == df.pseudonym[1]), df.anonymous.tolist()
    (True, [False, False, True])
    """
    normalised = map_distinct(frame["deltager"].fillna(""), normalise_participant, dtype=object)
    out = frame.copy()
    out["pseudonym"] = pseudonymise(normalised, key)
    out["anonymous"] = normalised.isna().astype(bool)
    return out


def add_antal(frame: pd.DataFrame) -> pd.DataFrame:
    """``Antal`` as a whole number ≥ 1 (blank = 1); reject anything else.

    >>> df = add_antal(pd.DataFrame({"antal_raw": ["", "3", "2,0", "x", "-2", "0", "1,5"]}))
    >>> df["antal"].tolist()[:3], df["_reason"].notna().tolist()
    ([1, 3, 2], [False, False, False, True, True, True, True])
    """
    raw = frame["antal_raw"].fillna("")
    number = parse_numbers(raw.where(raw.str.strip() != "", "1"))
    valid = number.notna() & (number >= 1) & (number == number.round())
    out = frame.copy()
    out["antal"] = number.where(valid).round().astype("Int64")
    return reject(out, ~valid, R_ANTAL, "Antal")


def clean_fremmoede(raw: pd.DataFrame, context: CleanContext) -> pd.DataFrame:
    """All attendance steps; one output row per input row, rejected ones carrying a reason."""
    out = add_date(raw)
    out = add_antal(out)
    out = add_tilbud(out, context.mappings_dir)
    out = reject_participant_as_tilbud(out)
    out = add_participant(out, context.key)
    out["source_row"] = out["source_row"].astype("int64")
    return out


# --- facts for the quality report and the notebook --------------------------------------------


def anonymous_share(visits: pd.DataFrame, by_period: bool = False) -> pd.DataFrame:
    """Visits, anonymous visits and the anonymous share per tilbud (and half-year).

    Visits are the sum of ``antal``, as in ``besoeg_pr_tilbud``.

    >>> v = pd.DataFrame({"tilbud": ["A", "A", "B"], "anonymous": [True, False, False], "antal": [3, 1, 2]})
    >>> anonymous_share(v).to_dict("records")[0]
    {'tilbud': 'A', 'visits': 4, 'anonymous_visits': 3, 'anonymous_share': 0.75}
    """
    from analyse.periods import half_year_of

    keys = ["tilbud"]
    frame = pd.DataFrame({
        "tilbud": visits["tilbud"].astype(str).to_numpy(),
        "antal": pd.to_numeric(visits["antal"]).to_numpy(dtype="int64"),
        "anonymous": visits["anonymous"].astype(bool).to_numpy(),
    })
    if by_period:
        frame["period"] = half_year_of(visits["date"]).astype(str).to_numpy()
        keys.append("period")
    frame["anonymous_antal"] = frame["antal"].where(frame["anonymous"], 0)
    out = frame.groupby(keys, sort=True).agg(visits=("antal", "sum"), anonymous_visits=("anonymous_antal", "sum"))
    out["anonymous_share"] = (out["anonymous_visits"] / out["visits"]).round(4)
    out = out.reset_index()
    order = {label: i for i, label in enumerate(published.tilbud_labels())}
    out["_order"] = out["tilbud"].map(lambda t: order.get(t, len(order)))
    out = out.sort_values(["_order", *keys]).drop(columns="_order").reset_index(drop=True)
    for column in ("visits", "anonymous_visits"):
        out[column] = out[column].astype(int)
    return out


def unknown_tilbud(visits: pd.DataFrame) -> dict[str, int]:
    """Unknown tilbud names with their number of registrations, most frequent first."""
    counts = visits.loc[~visits["tilbud_kendt"].astype(bool), "tilbud"].astype(str).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def describe_fremmoede(clean: pd.DataFrame, rejected: pd.DataFrame) -> dict:
    """Source-level quality facts: unknown tilbud, anonymous shares, date span and gaps.

    ``gaps`` are the forgotten-registration weeks of :func:`analyse.gaps.find_gaps`
    with their estimated missing visits (never added to the indicators).
    """
    shares = anonymous_share(clean) if not clean.empty else pd.DataFrame(columns=["tilbud"])
    return {
        "unknown_tilbud": unknown_tilbud(clean),
        "anonymous_share": {
            r["tilbud"]: {k: r[k] for k in ("visits", "anonymous_visits", "anonymous_share")}
            for r in shares.to_dict("records")
        },
        "first_date": None if clean.empty else str(clean["date"].min().date()),
        "last_date": None if clean.empty else str(clean["date"].max().date()),
        "participants": int(clean["pseudonym"].nunique()),
        "gaps": gaps_for_json(find_gaps(clean)) if not clean.empty else [],
        "gap_rule": rule_parameters(),
    }


def describe_duplicates(repeated: pd.DataFrame) -> dict:
    """Exact duplicates removed within one file that are anonymous rows (the contract counts them once).

    A list that writes one line per anonymous visitor (``05-02-2019;NADA;;`` three times)
    loses all but one of them as exact duplicates; the analyst is told how many, and that
    ``Antal`` is the way to write several anonymous visits.

    >>> rows = pd.DataFrame({"deltager": ["", "Anonym", "Bo"], "source_file": ["a.csv", "b.csv", "a.csv"]})
    >>> describe_duplicates(rows)
    {'anonymous_duplicates_removed': 2, 'anonymous_duplicates_by_file': {'a.csv': 1, 'b.csv': 1}}
    """
    anonymous = map_distinct(repeated["deltager"].fillna(""), normalise_participant, dtype=object).isna()
    by_file = repeated.loc[anonymous, "source_file"].value_counts().sort_index()
    return {
        "anonymous_duplicates_removed": int(anonymous.sum()),
        "anonymous_duplicates_by_file": {str(k): int(v) for k, v in by_file.items()},
    }


# --- tables as the reports show them ----------------------------------------------------------


def tabel4(indicators: pd.DataFrame, periods: list[str], known: list[str] | None = None) -> pd.DataFrame:
    """Contacts per tilbud laid out like the published Tabel 4, with an ``I alt`` row.

    Rows are the known tilbud (Tabel 4's order, then labels a user's mapping
    adds), ``Uoplyst tilbud`` and ``I alt`` (= ``kontakter_psykiatriens_hus``).
    As in the published table, ``Uoplyst tilbud`` holds every contact not
    attributable to a known tilbud: registrations without a tilbud *and* those
    under names the mapping does not know (listed by :func:`unknown_tilbud_table`).
    It is the total minus the known rows, which is how the document derived it.

    Raises :class:`~analyse.exceptions.ConfigError` for half-years outside the data.
    """
    from analyse.periods import period_table

    known = known_tilbud() if known is None else list(known)
    named = [label for label in known if label != UOPLYST]
    total = period_table(indicators, "kontakter_psykiatriens_hus", periods, groups=["I alt"])
    per_tilbud = period_table(indicators, "kontakter_pr_tilbud", periods, groups=named)
    table = per_tilbud.reindex(named, fill_value=0)
    table.loc[UOPLYST] = total.loc["I alt"] - table.sum()
    table.loc["I alt"] = total.loc["I alt"]
    table.index.name = "Tilbud"
    return table.astype("int64")


def unknown_tilbud_table(indicators: pd.DataFrame, periods: list[str], known: list[str] | None = None) -> pd.DataFrame:
    """Contacts per tilbud name the mapping does not know (a row per name; may be empty).

    These contacts are inside ``Uoplyst tilbud`` in Tabel 4; this table shows them by name.
    """
    from analyse.periods import period_table

    known = set(known_tilbud() if known is None else known)
    rows = indicators[indicators["indicator"] == "kontakter_pr_ukendt_tilbud"]
    if rows.empty:
        table = pd.DataFrame(columns=periods, dtype="int64")
    else:
        table = period_table(indicators, "kontakter_pr_ukendt_tilbud", periods)
        table = table.loc[[g for g in table.index if g not in known]]
    table.index.name = "Tilbud (ukendt navn)"
    return table


def visits_table(indicators: pd.DataFrame, periods: list[str], known: list[str] | None = None) -> pd.DataFrame:
    """Visits (``besoeg_pr_tilbud``) laid out like :func:`tabel4`: known tilbud, ``Uoplyst tilbud``, ``I alt``."""
    from analyse.periods import period_table

    known = known_tilbud() if known is None else list(known)
    named = [label for label in known if label != UOPLYST]
    per_tilbud = period_table(indicators, "besoeg_pr_tilbud", periods, groups=named)
    table = per_tilbud.reindex(named, fill_value=0)
    table.loc[UOPLYST] = per_tilbud.sum() - table.sum()
    table.loc["I alt"] = per_tilbud.sum()
    table.index.name = "Tilbud"
    return table.astype("int64")


def overview_table(indicators: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Tabel 3 and visits side by side: contacts, unique citizens and visits per half-year.

    >>> ind = pd.DataFrame([("kontakter_psykiatriens_hus", "I alt", "2019H1", 12),
    ...     ("unikke_borgere_psykiatriens_hus", "I alt", "2019H1", 10), ("besoeg_pr_tilbud", "NADA", "2019H1", 80)],
    ...     columns=["indicator", "group", "period", "value"])
    >>> overview_table(ind, ["2019H1"])["2019H1"].tolist()
    [12, 10, 80]
    """
    from analyse.periods import period_table

    rows = {
        "Kontakter": period_table(indicators, "kontakter_psykiatriens_hus", periods, groups=["I alt"]).loc["I alt"],
        "Unikke borgere": period_table(indicators, "unikke_borgere_psykiatriens_hus", periods, groups=["I alt"]).loc["I alt"],
        "Besøg (registreringer)": period_table(indicators, "besoeg_pr_tilbud", periods).sum(),
    }
    table = pd.DataFrame(rows).T[periods]
    table.index.name = ""
    return table.astype("int64")


OVERLAP = "flere_tilbud"  # the unpublished table of report_tables
OVERLAP_ROW = "Ekstra kontakter (borgere i flere tilbud)"


def overlap_table(overview: pd.DataFrame) -> pd.DataFrame:
    """Contacts minus unique citizens per half-year (a row of :func:`overview_table`'s columns).

    A contact is a person in one tilbud, so this counts the extra contacts of persons who
    used two or more tilbud in the half-year: 1-4 of them means 1-4 such persons. The report does
    not show it, but a reader can subtract, so :func:`report_tables` protects it.

    >>> t3 = pd.DataFrame({"2019H1": [12, 10, 80], "2019H2": [9, 9, 70]},
    ...                   index=["Kontakter", "Unikke borgere", "Besøg (registreringer)"])
    >>> overlap_table(t3).loc[OVERLAP_ROW].tolist()
    [2, 0]
    """
    extra = overview.loc["Kontakter"] - overview.loc["Unikke borgere"]
    return extra.to_frame(OVERLAP_ROW).T.astype("int64")


def report_tables(
    indicators: pd.DataFrame,
    visits: pd.DataFrame,
    periods: list[str],
    threshold: int = 5,
    known: list[str] | None = None,
) -> dict:
    """Every count table report 02 publishes, and their display copies suppressed *together*.

    The report shows the same figures in several tables: Tabel 3's contacts are
    Tabel 4's ``I alt`` and its visits Tabel 6's ``I alt``; Tabel 5 breaks
    ``Uoplyst tilbud`` of Tabel 4 down by name; Tabel 9 repeats cells of Tabel 4
    and 6 (for a name the mapping does not know: its Tabel 5 contacts, and visits
    that are part of Tabel 6's ``Uoplyst tilbud``). Suppressed one table at a
    time, a cell hidden in one could be read in another, so all are passed to
    :func:`analyse.suppression.suppress_tables` with those links. Tabel 3's
    contacts minus its unique citizens is the number of extra contacts of persons
    in two or more tilbud (:func:`overlap_table`): not shown, but protected as an
    unpublished figure, so 1-4 such persons cannot be worked out. Returns
    ``{"raw": {...}, "shown": {...}, "gaps": ..., "beside": ...}`` with keys
    ``tabel3``, ``tabel4``, ``tabel5``, ``tabel6``, ``tabel9`` (Tabel 9 is indexed
    by (tilbud, half-year); empty tables where there is nothing to show).
    """
    from analyse import suppression
    from analyse.gaps import find_gaps

    known = known_tilbud() if known is None else list(known)
    t3 = overview_table(indicators, periods)
    t4 = tabel4(indicators, periods, known=known)
    # Tilbud without contacts in the whole period are left out; Uoplyst tilbud and I alt always shown.
    used = (t4.drop(index=[UOPLYST, "I alt"]) > 0).any(axis=1)
    t4 = t4.loc[[*used[used].index, UOPLYST, "I alt"]]
    t5 = unknown_tilbud_table(indicators, periods, known=known)
    t5 = t5[(t5 > 0).any(axis=1)] if len(t5) else t5
    t6 = visits_table(indicators, periods, known=known)
    # Tilbud with visits but no contacts (only anonymous registrations) keep their row, or
    # Tabel 6's rows would not add up to its I alt (nor to Tabel 3's visits).
    visited = (t6 > 0).any(axis=1)
    t6 = t6.loc[[t for t in t6.index if t in t4.index or visited[t]]]
    found = find_gaps(visits) if not visits.empty else pd.DataFrame(
        columns=["tilbud", "period", "first_week", "last_week", "first_day", "last_day", "weeks",
                 "median_weekly_visits", "estimated_visits"])
    beside = gaps_beside_published(found, indicators, periods, known=known) if not found.empty else pd.DataFrame(
        columns=["Tilbud", "Halvår", "Kontakter (registreret)", "Besøg (registreret)",
                 "Skønnet antal manglende besøg", "Skøn i pct. af registrerede besøg"])
    t9 = beside.set_index(["Tilbud", "Halvår"])[
        ["Kontakter (registreret)", "Besøg (registreret)", "Skønnet antal manglende besøg"]]

    # Fewer contacts than citizens cannot come from one register (a hand-made indicator file):
    # no overlap to protect there, and no relation (an empty cell is left out of its sums).
    overlap = overlap_table(t3)
    overlap = overlap.where(overlap >= 0)
    tables = {
        "tabel3": t3,
        "tabel4": suppression.CountTable(t4, total_row="I alt"),
        "tabel6": suppression.CountTable(t6, total_row="I alt"),
        OVERLAP: suppression.CountTable(overlap, published=False),
    }
    if len(t5):
        tables["tabel5"] = t5
    if len(t9):
        tables["tabel9"] = t9
    links = suppression.same_row("tabel3", "Kontakter", "tabel4", "I alt", periods)
    links += suppression.same_row("tabel3", "Besøg (registreringer)", "tabel6", "I alt", periods)
    # Kontakter = Unikke borgere + the extra contacts of persons in several tilbud.
    relations = [
        suppression.Relation((("tabel3", "Unikke borgere", period), (OVERLAP, OVERLAP_ROW, period)),
                             ("tabel3", "Kontakter", period))
        for period in periods if overlap.at[OVERLAP_ROW, period] >= 0
    ]
    # No tilbud has more citizens than the house: a reader bounds a hidden Unikke borgere from
    # below by the largest tilbud (and so the difference above), which the audit must know too.
    # (Uoplyst tilbud may hold one person under several names, so it is left out.)
    named = [("tabel4", t4, t) for t in t4.index if t not in (UOPLYST, "I alt")]
    named += [("tabel5", t5, t) for t in t5.index] if len(t5) else []
    relations += [
        suppression.Relation(((name, tilbud, period),), ("tabel3", "Unikke borgere", period), "le")
        for period in periods for name, table, tilbud in named
        if 0 < table.at[tilbud, period] <= t3.at["Unikke borgere", period]
    ]
    if len(t5):
        for period in periods:
            # Named parts of Uoplyst tilbud; when they are all of it, it is an equation.
            kind = "eq" if t5[period].sum() == t4.at[UOPLYST, period] else "le"
            relations.append(suppression.Relation(
                tuple(("tabel5", name, period) for name in t5.index), ("tabel4", UOPLYST, period), kind))
    unknown_visits: dict[str, list] = {}
    for tilbud, period in t9.index:
        if period not in periods:
            continue
        if tilbud in t4.index:
            links.append((("tabel9", (tilbud, period), "Kontakter (registreret)"), ("tabel4", tilbud, period)))
        elif len(t5) and tilbud in t5.index:
            links.append((("tabel9", (tilbud, period), "Kontakter (registreret)"), ("tabel5", tilbud, period)))
        if tilbud in t6.index:
            links.append((("tabel9", (tilbud, period), "Besøg (registreret)"), ("tabel6", tilbud, period)))
        elif registered_indicators(tilbud, known)[1] == "besoeg_pr_ukendt_tilbud":
            # An unknown name's visits are part of Tabel 6's Uoplyst tilbud, as its contacts (Tabel 5) of Tabel 4's.
            unknown_visits.setdefault(period, []).append(("tabel9", (tilbud, period), "Besøg (registreret)"))
    relations += [suppression.Relation(tuple(parts), ("tabel6", UOPLYST, period), "le")
                  for period, parts in unknown_visits.items()]
    shown = suppression.suppress_tables(tables, threshold, links=links, relations=relations)
    shown.setdefault("tabel5", t5.astype(object))
    shown.setdefault("tabel9", t9.astype(object))
    raw = {"tabel3": t3, "tabel4": t4, "tabel5": t5, "tabel6": t6, "tabel9": t9}
    return {"raw": raw, "shown": shown, "gaps": found, "beside": beside}


# Above this share of a half-year's contacts under Uoplyst tilbud, a 0 for a tilbud in that
# half-year says little (the application's Tabel 4 shows "-" there: not registered per tilbud).
UOPLYST_NOTE_SHARE = 0.2


def uoplyst_note(tabel: pd.DataFrame, shown: pd.DataFrame | None = None) -> str | None:
    """A sentence for Tabel 4 naming the half-years where many contacts have no known tilbud.

    ``tabel`` is :func:`tabel4` (raw counts); ``shown`` its published copy, so the sentence says
    nothing about a half-year whose Uoplyst tilbud or I alt is hidden.

    >>> t = pd.DataFrame({"2018H1": [0, 40, 60, 100], "2018H2": [50, 45, 5, 100]},
    ...                  index=["NADA", "Kreativ", UOPLYST, "I alt"])
    >>> uoplyst_note(t)
    'I 1. halvår 2018 (60 %) er en stor del af kontakterne ikke registreret under et kendt tilbud; et 0 i det halvår kan betyde, at tilbuddet ikke registrerede deltagerne under sit navn, ikke at ingen kom.'
    >>> uoplyst_note(t[["2018H2"]]) is None
    True
    """
    from analyse.formatting import format_half_year, format_list, format_percent
    from analyse.suppression import is_hidden

    many = []
    for period in tabel.columns:
        total, unknown = tabel.at["I alt", period], tabel.at[UOPLYST, period]
        hidden = shown is not None and (is_hidden(shown.at["I alt", period]) or is_hidden(shown.at[UOPLYST, period]))
        if total > 0 and not hidden and unknown / total > UOPLYST_NOTE_SHARE:
            many.append(f"{format_half_year(period)} ({format_percent(unknown / total)})")
    if not many:
        return None
    return (f"I {format_list(many)} er en stor del af kontakterne ikke registreret under et kendt tilbud; et 0 i "
            f"{'det halvår' if len(many) == 1 else 'de halvår'} kan betyde, at tilbuddet ikke registrerede "
            "deltagerne under sit navn, ikke at ingen kom.")


# The key figures of report 00 that are rows of report 02's Tabel 3: key → row.
KEY_FIGURE_ROWS = {"kontakter_psykiatriens_hus": "Kontakter", "borgere_psykiatriens_hus": "Unikke borgere"}


def published_overview(
    indicators: pd.DataFrame,
    visits: pd.DataFrame | None,
    periods: list[str],
    threshold: int = 5,
    known: list[str] | None = None,
) -> pd.DataFrame:
    """Tabel 3 as report 02 publishes it (:func:`report_tables`), for report 00's key figures.

    Report 00 shows contacts and unique citizens again. Suppressed apart, a cell 02 hides
    could be shown there, or the two figures subtracted there. Every relation of
    :func:`report_tables` is within one half-year, so a half-year's cells are the same
    whichever span of half-years a report covers. ``visits`` None (no attendance table):
    Tabel 9 is left out.

    >>> rows = [("kontakter_pr_tilbud", "NADA", "2019H1", 20), ("kontakter_pr_tilbud", "Kreativ", "2019H1", 30),
    ...         ("kontakter_psykiatriens_hus", "I alt", "2019H1", 50),
    ...         ("unikke_borgere_psykiatriens_hus", "I alt", "2019H1", 48), ("besoeg_pr_tilbud", "NADA", "2019H1", 90)]
    >>> ind = pd.DataFrame(rows, columns=["indicator", "group", "period", "value"])
    >>> published_overview(ind, None, ["2019H1"]).loc[["Kontakter", "Unikke borgere"], "2019H1"].tolist()
    [50, 'X']
    """
    if visits is None:
        visits = pd.DataFrame(columns=["date", "tilbud", "tilbud_kendt", "pseudonym", "anonymous", "antal"])
    return report_tables(indicators, visits, periods, threshold, known=known)["shown"]["tabel3"]


def load_visits(processed_dir: Path | str | None = None) -> pd.DataFrame:
    """The clean attendance table (``fremmoede.parquet``) of a processed folder."""
    from analyse.exceptions import ConfigError

    path = Path(processed_dir or config.PROCESSED_DIR) / f"{SOURCE}.parquet"
    if not path.is_file():
        raise ConfigError(f"fil {path}: findes ikke; kør 'analyse clean' med fremmøderegistreringer i {SOURCE}/")
    return pd.read_parquet(path)


def anonymous_share_table(visits: pd.DataFrame, periods: list[str], min_visits: int = 5) -> pd.DataFrame:
    """Share of visits registered anonymously, per tilbud (rows) and half-year (columns).

    A cell is NaN where the tilbud had fewer than ``min_visits`` visits (a share of
    very few visits says nothing and could point at a person). Unknown names are
    counted under ``Uoplyst tilbud``, as in :func:`tabel4`.
    """
    known = set(known_tilbud())
    frame = visits.copy()
    frame["tilbud"] = frame["tilbud"].astype(str).where(frame["tilbud"].astype(str).isin(known), UOPLYST)
    shares = anonymous_share(frame, by_period=True)
    shares = shares[shares["period"].isin(periods)]
    shares.loc[shares["visits"] < min_visits, "anonymous_share"] = float("nan")
    table = shares.pivot(index="tilbud", columns="period", values="anonymous_share")
    order = [t for t in known_tilbud() if t in table.index]
    table = table.reindex(index=order, columns=periods)
    table.index.name, table.columns.name = "Tilbud", None
    return table


def gap_table(gaps: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """The detected gaps in the chosen half-years, with Danish column names, for a report."""
    from analyse.formatting import format_date, format_number

    shown = gaps[gaps["period"].isin(periods)]
    table = pd.DataFrame({
        "Tilbud": shown["tilbud"],
        "Uger uden registreringer": [
            f"{a.replace('-W', ', uge ')}" + ("" if a == b else f" – {b.split('-W')[1].lstrip('0')}")
            for a, b in zip(shown["first_week"], shown["last_week"])
        ],
        "Fra": [format_date(d) for d in shown["first_day"]],
        "Til": [format_date(d) for d in shown["last_day"]],
        "Antal uger": shown["weeks"].astype(int),
        "Typisk antal besøg pr. uge": [format_number(m, 1 if m % 1 else 0) for m in shown["median_weekly_visits"]],
        "Skønnet antal manglende besøg": shown["estimated_visits"].astype(int),
    })
    return table.set_index("Tilbud")


def registered_indicators(tilbud: str, known: list[str] | None = None) -> tuple[str, str]:
    """The indicators (contacts, visits) that hold a tilbud's registered numbers as the report publishes them.

    A known tilbud (and ``Uoplyst tilbud``) is a row of Tabel 4 and 6
    (``kontakter_pr_tilbud``, ``besoeg_pr_tilbud``). A name the mapping does not
    know has no row there: its contacts and visits are inside ``Uoplyst tilbud``,
    and by name only in the ``*_ukendt_tilbud`` indicators, which Tabel 5 shows.

    >>> registered_indicators("NADA", ["NADA", "Uoplyst tilbud"])
    ('kontakter_pr_tilbud', 'besoeg_pr_tilbud')
    >>> registered_indicators("Yoga", ["NADA", "Uoplyst tilbud"])
    ('kontakter_pr_ukendt_tilbud', 'besoeg_pr_ukendt_tilbud')
    """
    known = known_tilbud() if known is None else known
    if tilbud in known or tilbud == UOPLYST:
        return "kontakter_pr_tilbud", "besoeg_pr_tilbud"
    return "kontakter_pr_ukendt_tilbud", "besoeg_pr_ukendt_tilbud"


def gaps_beside_published(
    gaps: pd.DataFrame, indicators: pd.DataFrame, periods: list[str], known: list[str] | None = None
) -> pd.DataFrame:
    """Per tilbud and half-year with a gap: contacts and visits as registered, and the estimate beside them.

    The estimate is *not* added to the registered numbers; the last column says
    how large it is relative to the visits registered. The registered numbers are
    the published ones (:func:`registered_indicators`): a tilbud name the mapping
    does not know gets its own numbers as in Tabel 5, not the 0 of a missing
    Tabel 4 row (``known`` as for :func:`tabel4`).
    """
    from analyse.gaps import gaps_by_period

    known = known_tilbud() if known is None else list(known)
    per_period = gaps_by_period(gaps)
    per_period = per_period[per_period["period"].isin(periods)]
    columns = ["Tilbud", "Halvår", "Kontakter (registreret)", "Besøg (registreret)",
               "Skønnet antal manglende besøg", "Skøn i pct. af registrerede besøg"]
    rows = []
    for gap in per_period.itertuples(index=False):
        def value(name):
            match = indicators[(indicators["indicator"] == name) & (indicators["group"] == gap.tilbud)
                               & (indicators["period"] == gap.period)]
            return int(match["value"].sum())

        contacts_indicator, visits_indicator = registered_indicators(gap.tilbud, known)
        visits = value(visits_indicator)
        rows.append([gap.tilbud, gap.period, value(contacts_indicator), visits, int(gap.estimated_visits),
                     gap.estimated_visits / visits if visits else float("nan")])
    return pd.DataFrame(rows, columns=columns)


def tilbud_chart(table: pd.DataFrame, title: str, xlabel: str, source: str, period: str, threshold: int | None = 5):
    """A seaborn bar chart of a tilbud × half-year table: one bar per half-year, tilbud as rows.

    Counts from 1 to ``threshold - 1`` are left out, as the tables suppress them,
    and the footer says so. Tilbud with no count in any half-year are not drawn.
    """
    import matplotlib
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import FuncFormatter

    from analyse.formatting import format_half_year, format_number

    long = table.rename_axis(index="tilbud", columns="period").stack().rename("value").reset_index()
    # Suppressed cells ('<5', 'X' from analyse.suppression) are not drawn; the footer says so.
    hidden_cells = bool(long["value"].map(lambda v: isinstance(v, str) and (v == "X" or v.startswith("<"))).any())
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    masked = hidden_cells
    if threshold is not None:
        small = long["value"].between(1, threshold - 1)
        masked = masked or bool(small.any())
        long.loc[small, "value"] = float("nan")
    drawn = long.groupby("tilbud", sort=False)["value"].transform(lambda v: v.fillna(0).sum() > 0)
    long = long[drawn]
    long["Halvår"] = long["period"].map(format_half_year)
    n_tilbud = max(1, long["tilbud"].nunique())
    sns.set_theme(style="whitegrid", context="notebook")
    with matplotlib.rc_context({"axes.formatter.use_locale": False}):
        fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * n_tilbud), dpi=100)
        sns.barplot(data=long, y="tilbud", x="value", hue="Halvår", orient="h", ax=ax, palette="Blues")
        ax.set_ylabel("")
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v)))
        ax.set_title(title, loc="left", fontweight="bold", pad=28)
        ax.legend(title=None, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0),
                  ncol=max(1, long["Halvår"].nunique()), borderaxespad=0.2)
        footer = f"Kilde: {source} · Periode: {period}"
        if masked:
            footer += f" · Tal under {threshold} er ikke vist."
        fig.text(0.01, 0.01, footer, fontsize=9, ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def show_tilbud_chart(table: pd.DataFrame, title: str, xlabel: str, source: str, period: str,
                      threshold: int | None = 5) -> None:
    """Draw :func:`tilbud_chart` once in the notebook (embedded PNG) and free it."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    fig = tilbud_chart(table, title, xlabel, source, period, threshold)
    display(fig)
    plt.close(fig)


SPEC = SourceSpec(
    name=SOURCE,
    title="Fremmøderegistreringer, Psykiatriens Hus",
    columns=COLUMNS,
    clean=clean_fremmoede,
    output_columns=OUTPUT_COLUMNS,
    personal_columns=("deltager",),
    date_and_number_columns=("date_raw", "antal_raw"),
    describe=describe_fremmoede,
    # A named registration: the same participant, day and tilbud. Anonymous rows have no
    # identity; two files with anonymous rows on the same days of a tilbud are reported instead.
    identity_columns=("pseudonym", "date", "tilbud"),
    identity_date="date",
    anonymous_groups=("tilbud",),
    describe_duplicates=describe_duplicates,
)
