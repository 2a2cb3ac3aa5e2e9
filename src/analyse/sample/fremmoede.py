"""Synthetic attendance registrations (fremmøderegistreringer), calibrated to Tabel 3 and 4.

One raw row is one registration in Psykiatriens Hus, 1 January 2018 – 30 June
2019: a date, a tilbud, a participant's name (blank for an anonymous tally) and
sometimes ``Antal``. What the cleaner sees reproduces the published figures
exactly, per half-year:

- ``kontakter_pr_tilbud`` (distinct participants per tilbud) for every tilbud with
  a published number, and no identified participant where Tabel 4 has ``-``;
- ``kontakter_psykiatriens_hus`` (569, 711, 670) and
  ``unikke_borgere_psykiatriens_hus`` (467, 584, 471).

**2018H1.** Tabel 4 breaks out only Recoveryskolen (70); the other 499 contacts
are "Uoplyst tilbud", which the reference derives as 569 − 70. They cannot all be
*one* tilbud in the data: 499 distinct participants in one group would make at
least 499 unique citizens, not 467. So in this sample the house's first half of
2018 ran under its old activity names (:data:`OLD_ACTIVITIES`, not in Tabel 4,
so the cleaner keeps them as written and flags them) plus registrations with no
tilbud at all; together they are the 499 contacts the published table could
not attribute to a Tabel 4 tilbud (see :func:`analyse.fremmoede.tabel4`).

**How.** Per half-year, each participant gets a set of tilbud such that every
tilbud has exactly its number of participants and the number of participants is
the unique count (the surplus, contacts − unique, comes from people in two to
four tilbud): :func:`assign_tilbud` realises that bipartite degree sequence
greedily. Each (participant, tilbud) then gets visits on the tilbud's opening
days: regulars come often, occasional visitors once to a few times; July has a
summer dip, holidays are closed. Anonymous tallies (blank name, ``Antal`` often
above 1) come on top. Every tilbud registers in every ordinary week, except the
forgotten-registration gaps in :data:`PLANTED_GAPS`, whose visits simply happen in
other weeks.

On top come what real extracts hold: spelling variants of tilbud and of names
(case, spaces), exact duplicates (also across files) and the rows in
:data:`PLANTED_REJECTS`, which the cleaner must reject. Each of those uses a
person who appears nowhere else, so accepting one by mistake changes a count.

Files (:data:`FILES`): a cp1252 CSV with ``;``, an XLSX with a title row, a
tab-separated UTF-8 CSV and a comma-separated UTF-8-with-BOM CSV without ``Antal``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from dateutil.easter import easter
from openpyxl import Workbook

from analyse.gaps import is_holiday_week
from analyse.published import load_published
from analyse.sample.people import Person
from analyse.sample.xlsx import reproducible_xlsx

SOURCE = "fremmoede"
PERIODS = ("2018H1", "2018H2", "2019H1")
PERIOD_BOUNDS = {
    "2018H1": (dt.date(2018, 1, 1), dt.date(2018, 6, 30)),
    "2018H2": (dt.date(2018, 7, 1), dt.date(2018, 12, 31)),
    "2019H1": (dt.date(2019, 1, 1), dt.date(2019, 6, 30)),
}
UOPLYST = "Uoplyst tilbud"
BLANK = ""  # the tilbud cell of a registration without tilbud


@dataclass(frozen=True)
class Plan:
    """How a tilbud runs: opening weekdays (0 = Monday) and how it is used."""

    weekdays: tuple[int, ...]
    anonymous_days: float = 0.0  # share of opening days with an anonymous tally
    anonymous_max: int = 1  # Antal of an anonymous tally is 1..anonymous_max
    regular_share: float = 0.3  # share of participants who come most weeks
    fortnightly: bool = False  # open in even ISO weeks only
    summer_closed: bool = False  # closed in ISO weeks 29-31


PLANS: dict[str, Plan] = {
    "Recoveryskolen (kursister)": Plan((1, 3), regular_share=0.5, summer_closed=True),
    "NADA": Plan((0, 2), anonymous_days=0.9, anonymous_max=8),
    "Fitness": Plan((1, 3), anonymous_days=0.05, anonymous_max=2, summer_closed=True),
    "Mindful fitness": Plan((0,), regular_share=0.5),
    "Ungestedet": Plan((2,), anonymous_days=0.5, anonymous_max=4),
    "Samværstilbuddet (dag)": Plan((0, 1, 2, 3, 4), anonymous_days=0.9, anonymous_max=10, regular_share=0.35),
    "Samværstilbuddet (aften)": Plan((1, 3), anonymous_days=0.7, anonymous_max=6),
    "Kreativ": Plan((0, 3), anonymous_days=0.1, anonymous_max=3, summer_closed=True),
    "Malerværksted": Plan((2,), anonymous_days=0.05, anonymous_max=2, summer_closed=True),
    "Torsdags malerhold": Plan((3,), regular_share=0.6),
    "Kostvejledning": Plan((1,), fortnightly=True, summer_closed=True, regular_share=0.2),
    "Søndagsåbent": Plan((6,), anonymous_days=0.9, anonymous_max=8),
    "Pilates": Plan((4,), regular_share=0.5, summer_closed=True),
    "Kunstlaboratorier": Plan((2,), regular_share=0.5),
    # 2018H1: the house's old activities, and registrations without a tilbud.
    "Åbent hus": Plan((0, 1, 2, 3, 4), anonymous_days=0.8, anonymous_max=8),
    "Caféen": Plan((0, 2, 4), anonymous_days=0.7, anonymous_max=6),
    "Gågruppen": Plan((1,), anonymous_days=0.1, anonymous_max=3),
    "Morgenmad": Plan((4,), anonymous_days=0.3, anonymous_max=4),
    BLANK: Plan((0, 1, 2, 3), anonymous_days=0.15, anonymous_max=4),
}

# Contacts of the 2018H1 activities outside Tabel 4: together Tabel 4's 499 "Uoplyst tilbud".
OLD_ACTIVITIES = {"Åbent hus": 190, "Caféen": 160, "Gågruppen": 72, "Morgenmad": 47, BLANK: 30}

# Forgotten registrations: (tilbud, Monday of the first silent week, weeks).
PLANTED_GAPS = (
    ("Kreativ", dt.date(2018, 9, 10), 2),  # ISO weeks 37-38 2018
    ("NADA", dt.date(2018, 11, 19), 2),  # ISO weeks 47-48 2018
    ("Samværstilbuddet (dag)", dt.date(2019, 3, 4), 3),  # ISO weeks 10-12 2019
)

# Ways the tilbud are written besides the canonical label (all known to the mapping).
TILBUD_VARIANTS = {
    "Recoveryskolen (kursister)": ("Recovery skolen", "recoveryskolen", "Recoveryskolen", "RECOVERYSKOLEN (kursister)"),
    "NADA": ("Nada", "nada", "NADA øreakupunktur"),
    "Fitness": ("fitness", "FITNESS"),
    "Mindful fitness": ("Mindfulness fitness", "Mindful Fitness"),
    "Ungestedet": ("Unge stedet", "ungestedet"),
    "Samværstilbuddet (dag)": ("Samværstilbud dag", "Samværstilbuddet dag", "samværstilbuddet (dag)", "Samvær dag"),
    "Samværstilbuddet (aften)": ("Samværstilbud aften", "Samværstilbuddet aften", "Aftensamvær"),
    "Kreativ": ("Kreativt hold", "kreativ"),
    "Malerværksted": ("Malerværkstedet", "malerværksted"),
    "Torsdags malerhold": ("Torsdagsmalerhold", "Torsdags-malerhold"),
    "Kostvejledning": ("Kost vejledning", "kostvejledning"),
    "Søndagsåbent": ("Søndags åbent", "Søndagsåben", "søndagsåbent"),
    "Pilates": ("pilates", "Pilateshold"),
    "Kunstlaboratorier": ("Kunstlaboratoriet", "Kunstlab"),
    # Unknown names vary only in case and spaces: the cleaner groups those.
    "Åbent hus": ("Åbent Hus", "åbent hus", "Åbent  hus"),
    "Caféen": ("caféen", "CAFÉEN"),
    "Gågruppen": ("gågruppen",),
    "Morgenmad": ("morgenmad", "MORGENMAD"),
}
SHARE_TILBUD_VARIANT = 0.25
# Name spellings: share of rows written in lower case, upper case, with a doubled space.
NAME_STYLES = {"as_is": 0.78, "lower": 0.10, "upper": 0.05, "double_space": 0.05, "padded": 0.02}

SHARE_CARRY_OVER = 0.45  # of a half-year's participants, share who came the half-year before
SUMMER_DIP_WEEKS = range(28, 33)
SUMMER_WEIGHT = 0.35  # relative chance of a visit on a summer day
MAX_TILBUD_PER_PERSON = 4

# --- files ------------------------------------------------------------------------------------

FILE_2018H1 = "fremmoede_2018_1halvaar.csv"
FILE_2018H2 = "fremmoede_2018_2halvaar.xlsx"
FILE_2019H1 = "fremmoede_2019_1halvaar.csv"
FILE_SOENDAG = "soendagsaabent_2019.csv"


@dataclass(frozen=True)
class FileSpec:
    name: str
    encoding: str | None  # None for XLSX
    sep: str
    headers: tuple[str, ...]
    date_formats: dict[str, float]  # strftime format → share ("native"/"serial" for XLSX)
    has_antal: bool = True


FILES = (
    FileSpec(FILE_2018H1, "cp1252", ";", ("Dato", "Tilbud", "Deltager", "Antal"), {"%d-%m-%Y": 0.9, "%d.%m.%Y": 0.1}),
    FileSpec(FILE_2018H2, None, "", ("Dato", "Aktivitet", "Navn", "Antal"), {"native": 0.85, "serial": 0.15}),
    FileSpec(FILE_2019H1, "utf-8", "\t", (" date", "Hold", "Borger", "antal"), {"%Y-%m-%d": 0.7, "%d/%m/%Y": 0.3}),
    FileSpec(FILE_SOENDAG, "utf-8-sig", ",", ("Dato", "Tilbud", "Deltager"), {"%d-%m-%Y": 1.0}, has_antal=False),
)
XLSX_TITLE = "Fremmøderegistrering – Psykiatriens Hus, 2. halvår 2018"

# Exact copies of ordinary rows, per file; and rows of the XLSX repeated in the 2019 CSV.
DUPLICATES = {FILE_2018H1: 12, FILE_2018H2: 8, FILE_2019H1: 6, FILE_SOENDAG: 2}
CROSS_FILE_DUPLICATES = 4

# Rows the cleaner must reject: (file, period, date text or None for a valid date, Antal text, reason).
R_DATE = "date"
R_ANTAL = "antal"
PLANTED_REJECTS = (
    (FILE_2018H1, "2018H1", "30-02-2018", "", R_DATE),
    (FILE_2018H1, "2018H1", "31-04-2018", "", R_DATE),
    (FILE_2018H1, "2018H1", "", "1", R_DATE),
    (FILE_2018H1, "2018H1", None, "x", R_ANTAL),
    (FILE_2018H2, "2018H2", "32.10.2018", "", R_DATE),
    (FILE_2018H2, "2018H2", None, "-1", R_ANTAL),
    (FILE_2018H2, "2018H2", None, "0", R_ANTAL),
    (FILE_2019H1, "2019H1", "30-02-2019", "", R_DATE),
    (FILE_2019H1, "2019H1", None, "x", R_ANTAL),
    (FILE_2019H1, "2019H1", None, "-2", R_ANTAL),
    (FILE_2019H1, "2019H1", None, "1,5", R_ANTAL),
)

FIXED_TIMESTAMP = dt.datetime(2019, 7, 1)  # in the xlsx metadata, so the bytes never change


# --- targets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    contacts: dict[str, dict[str, int]]  # period → tilbud (or old name / BLANK) → participants
    unique: dict[str, int]  # period → distinct participants


def load_targets() -> Targets:
    """Tabel 4's contacts per tilbud (2018H1's "Uoplyst tilbud" split as OLD_ACTIVITIES) and Tabel 3's uniques."""
    t3 = load_published("Tabel 3")
    t4 = load_published("Tabel 4").dropna(subset=["value"])
    contacts: dict[str, dict[str, int]] = {p: {} for p in PERIODS}
    for row in t4.itertuples(index=False):
        if row.group == UOPLYST:
            assert row.period == "2018H1" and int(row.value) == sum(OLD_ACTIVITIES.values()), row
            contacts[row.period].update(OLD_ACTIVITIES)
        else:
            contacts[row.period][row.group] = int(row.value)
    unique = {}
    for period in PERIODS:
        total = t3[(t3.indicator == "kontakter_psykiatriens_hus") & (t3.period == period)]["value"].item()
        assert sum(contacts[period].values()) == int(total), period
        unique[period] = int(t3[(t3.indicator == "unikke_borgere_psykiatriens_hus") & (t3.period == period)]["value"].item())
    return Targets(contacts=contacts, unique=unique)


# --- calendar ---------------------------------------------------------------------------------


def closed_days(year: int) -> set[dt.date]:
    """Days the house is closed: Danish public holidays and Christmas to New Year."""
    e = easter(year)
    offsets = (-3, -2, 1, 26, 39, 50)  # skærtorsdag, langfredag, 2. påskedag, st. bededag, Kr. himmelfart, 2. pinsedag
    days = {e + dt.timedelta(days=k) for k in offsets}
    days |= {dt.date(year, 6, 5), dt.date(year, 1, 1)}
    days |= {dt.date(year, 12, d) for d in range(24, 32)}
    return days


def iso_week(day: dt.date) -> int:
    return day.isocalendar()[1]


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _gap_weeks(tilbud: str) -> set[dt.date]:
    return {
        first + dt.timedelta(weeks=k) for name, first, weeks in PLANTED_GAPS if name == tilbud for k in range(weeks)
    }


def opening_days(tilbud: str, period: str) -> list[dt.date]:
    """The days a tilbud registers in a half-year (planted gap weeks excluded)."""
    plan = PLANS[tilbud]
    first, last = PERIOD_BOUNDS[period]
    closed = closed_days(first.year)
    gaps = _gap_weeks(tilbud)
    days = []
    day = first
    while day <= last:
        week = iso_week(day)
        if (
            day.weekday() in plan.weekdays
            and day not in closed
            and not (plan.fortnightly and week % 2)
            and not (plan.summer_closed and 29 <= week <= 31)
            and monday(day) not in gaps
        ):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _day_weights(days: list[dt.date]) -> np.ndarray:
    weights = np.array([SUMMER_WEIGHT if iso_week(d) in SUMMER_DIP_WEEKS else 1.0 for d in days])
    return weights / weights.sum()


# --- who comes where --------------------------------------------------------------------------


def participant_names(persons: list[Person]) -> list[str]:
    """Distinct participant names (as a person writes them) from the shared pool.

    Two persons with the same name would be one participant to the cleaner, so only
    the first person of each name is used; if the pool runs short, a middle name
    makes more.
    """
    names, seen = [], set()

    def add(name: str) -> None:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            names.append(name)

    for p in persons:
        add(f"{p.first_name} {p.last_name}")
    for p in persons:
        add(f"{p.first_name} {p.last_name[0]}. {p.last_name}")
    return names


def choose_participants(rng: np.random.Generator, targets: Targets, n_names: int, reserved: int) -> dict[str, list[int]]:
    """Name indices per half-year: part carries over from the half-year before, the rest are new.

    Indices below ``reserved`` are kept for the planted rows (persons seen nowhere else).
    """
    fresh = iter(reserved + i for i in rng.permutation(n_names - reserved))
    chosen: dict[str, list[int]] = {}
    previous: list[int] = []
    for period in PERIODS:
        n = targets.unique[period]
        carry = min(len(previous), round(n * SHARE_CARRY_OVER))
        kept = [previous[int(i)] for i in rng.choice(len(previous), carry, replace=False)] if carry else []
        try:
            new = [next(fresh) for _ in range(n - carry)]
        except StopIteration:
            raise RuntimeError("for få syntetiske navne til fremmøde-eksemplet") from None
        chosen[period] = sorted(kept + new)
        previous = chosen[period]
    return chosen


def degree_sequence(rng: np.random.Generator, n_people: int, n_contacts: int, n_tilbud: int) -> np.ndarray:
    """How many tilbud each participant attends: all at least one, summing to the contacts."""
    degrees = np.ones(n_people, dtype=int)
    cap = min(MAX_TILBUD_PER_PERSON, n_tilbud)
    surplus = n_contacts - n_people
    if surplus < 0 or surplus > n_people * (cap - 1):
        raise ValueError("kontakter og unikke borgere kan ikke forenes")
    while surplus:
        multi = np.flatnonzero((degrees >= 2) & (degrees < cap))
        # Mostly a second tilbud for someone; now and then a third or fourth for a regular.
        pool = multi if len(multi) and rng.random() < 0.2 else np.flatnonzero(degrees < cap)
        degrees[int(rng.choice(pool))] += 1
        surplus -= 1
    return degrees


def assign_tilbud(rng: np.random.Generator, people: list[int], counts: dict[str, int]) -> dict[int, list[str]]:
    """Each person's tilbud, so every tilbud gets exactly ``counts`` persons (and nobody twice).

    The greedy rule (largest remaining need first, the person with most tilbud
    first) realises any feasible bipartite degree sequence (Gale–Ryser).
    """
    degrees = degree_sequence(rng, len(people), sum(counts.values()), len(counts))
    remaining = dict(counts)
    labels = sorted(counts)
    order = sorted(range(len(people)), key=lambda i: (-degrees[i], rng.random()))
    assignment: dict[int, list[str]] = {}
    for i in order:
        noise = {t: rng.random() for t in labels}
        ranked = sorted(labels, key=lambda t: (-remaining[t], noise[t]))
        picked = ranked[: degrees[i]]
        if any(remaining[t] <= 0 for t in picked):
            raise RuntimeError("tilbudsfordelingen kunne ikke realiseres")
        for t in picked:
            remaining[t] -= 1
        assignment[people[i]] = picked
    assert not any(remaining.values()), remaining
    return assignment


# --- registrations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    day: dt.date
    tilbud: str  # canonical label, old name, or BLANK
    person: int | None  # name index; None = anonymous
    antal: int | None = None  # None = the Antal cell is blank (1)


def _visit_count(rng: np.random.Generator, plan: Plan, n_days: int, regular: bool) -> int:
    if regular:
        return max(3, round(n_days * rng.uniform(0.25, 0.6)))
    return int(rng.choice([1, 1, 1, 2, 2, 3, 4, 5]))


def simulate(rng: np.random.Generator, targets: Targets, chosen: dict[str, list[int]]) -> list[Registration]:
    """All ordinary registrations of the sample (no duplicates, no rows to reject)."""
    registrations: list[Registration] = []
    for period in PERIODS:
        assignment = assign_tilbud(rng, chosen[period], targets.contacts[period])
        members: dict[str, list[int]] = defaultdict(list)
        for person in sorted(assignment):
            for tilbud in assignment[person]:
                members[tilbud].append(person)
        for tilbud in sorted(members):
            plan = PLANS[tilbud]
            days = opening_days(tilbud, period)
            weights = _day_weights(days)
            seen: set[tuple[int, dt.date]] = set()
            for person in members[tilbud]:
                regular = rng.random() < plan.regular_share
                n = min(len(days), _visit_count(rng, plan, len(days), regular))
                for k in sorted(rng.choice(len(days), n, replace=False, p=weights)):
                    registrations.append(Registration(days[int(k)], tilbud, person))
                    seen.add((person, days[int(k)]))
            registrations += _fill_silent_weeks(rng, tilbud, days, members[tilbud], seen)
            for day in days:
                if rng.random() < plan.anonymous_days * (SUMMER_WEIGHT if iso_week(day) in SUMMER_DIP_WEEKS else 1):
                    # A file without an Antal column can only say "one visit".
                    most = plan.anonymous_max if _has_antal(day, tilbud) else 1
                    antal = int(rng.integers(1, most + 1))
                    registrations.append(Registration(day, tilbud, None, antal))
    return registrations


def _fill_silent_weeks(
    rng: np.random.Generator, tilbud: str, days: list[dt.date], members: list[int], seen: set[tuple[int, dt.date]]
) -> list[Registration]:
    """One extra visit by a member in every ordinary week the tilbud is open but nobody came.

    Only planted gaps may be silent: an accidental silent fortnight would be a gap
    the sample did not intend. Extra visits by existing members change no count.
    """
    by_week: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in days:
        by_week[monday(day)].append(day)
    visited = {monday(day) for _, day in seen}
    extra = []
    for week, open_days in sorted(by_week.items()):
        if week in visited or is_holiday_week(week):
            continue
        person = members[int(rng.integers(len(members)))]
        day = open_days[int(rng.integers(len(open_days)))]
        seen.add((person, day))
        extra.append(Registration(day, tilbud, person))
    return extra


def check_calibration(registrations: list[Registration], targets: Targets) -> None:
    """The ordinary rows give exactly the published contacts and uniques, and honour the gaps."""
    contacts: dict[str, dict[str, set[int]]] = {p: defaultdict(set) for p in PERIODS}
    for r in registrations:
        if r.person is not None:
            period = next(p for p, (a, b) in PERIOD_BOUNDS.items() if a <= r.day <= b)
            contacts[period][r.tilbud].add(r.person)
    for period in PERIODS:
        got = {t: len(s) for t, s in contacts[period].items()}
        assert got == targets.contacts[period], (period, got)
        assert len(set().union(*contacts[period].values())) == targets.unique[period], period
    for tilbud, first, weeks in PLANTED_GAPS:
        silent = {first + dt.timedelta(weeks=k) for k in range(weeks)}
        assert not any(r.tilbud == tilbud and monday(r.day) in silent for r in registrations), tilbud


# --- writing ----------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, shares: dict[str, float]) -> str:
    keys = list(shares)
    weights = np.array([shares[k] for k in keys])
    return keys[int(rng.choice(len(keys), p=weights / weights.sum()))]


def name_as_written(rng: np.random.Generator, name: str) -> str:
    """A participant's name as a staff member happens to type it."""
    style = _pick(rng, NAME_STYLES)
    if style == "lower":
        return name.lower()
    if style == "upper":
        return name.upper()
    if style == "double_space":
        return name.replace(" ", "  ", 1)
    if style == "padded":
        return f" {name} "
    return name


def tilbud_as_written(rng: np.random.Generator, tilbud: str) -> str:
    variants = TILBUD_VARIANTS.get(tilbud)
    if variants and rng.random() < SHARE_TILBUD_VARIANT:
        return str(variants[int(rng.integers(len(variants)))])
    return tilbud


def _file_of(r: Registration) -> str:
    if r.day.year == 2018:
        return FILE_2018H1 if r.day.month <= 6 else FILE_2018H2
    return FILE_SOENDAG if r.tilbud == "Søndagsåbent" else FILE_2019H1


def _has_antal(day: dt.date, tilbud: str) -> bool:
    return next(spec for spec in FILES if spec.name == _file_of(Registration(day, tilbud, None))).has_antal


def _cells(rng: np.random.Generator, spec: FileSpec, r: Registration, names: list[str]) -> list:
    """One registration as the cells of its file (text for CSV, typed values for XLSX)."""
    fmt = _pick(rng, spec.date_formats)
    if spec.encoding is None:
        date_cell = r.day if fmt == "native" else (r.day - dt.date(1899, 12, 30)).days
    else:
        date_cell = r.day.strftime(fmt)
    name = "" if r.person is None else name_as_written(rng, names[r.person])
    tilbud = tilbud_as_written(rng, r.tilbud)
    if r.antal is not None and r.antal > 1:
        antal = r.antal
    else:  # identified rows and single anonymous visits: Antal mostly left blank
        antal = 1 if (r.person is None or rng.random() < 0.1) else None
    if spec.encoding is not None:
        antal = "" if antal is None else str(antal)
    cells = [date_cell, tilbud, name, antal]
    return cells if spec.has_antal else cells[:3]


def _planted_reject_rows(rng: np.random.Generator, names: list[str], targets: Targets) -> dict[str, list[list]]:
    """The rows to reject, each for a person seen nowhere else (name index < len(PLANTED_REJECTS))."""
    rows: dict[str, list[list]] = defaultdict(list)
    for k, (file, period, date_text, antal, _) in enumerate(PLANTED_REJECTS):
        first, last = PERIOD_BOUNDS[period]
        day = first + dt.timedelta(days=int(rng.integers(20, (last - first).days - 20)))
        tilbud = str(rng.choice(sorted(t for t in targets.contacts[period] if t != BLANK)))
        date_cell = date_text if date_text is not None else day
        if file != FILE_2018H2 and not isinstance(date_cell, str):
            date_cell = date_cell.strftime("%d-%m-%Y")
        rows[file].append([date_cell, tilbud, names[k], antal])
    return rows


def _with_duplicates(rng: np.random.Generator, rows: list[list], n: int) -> list[list]:
    """``rows`` with ``n`` of them written a second time right after the first (a double click)."""
    out = list(rows)
    for i in sorted(rng.choice(len(rows), n, replace=False), reverse=True):
        out.insert(int(i) + 1, list(rows[int(i)]))
    return out


def _csv_bytes(spec: FileSpec, rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=spec.sep, lineterminator="\r\n" if spec.encoding == "cp1252" else "\n")
    writer.writerow(spec.headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(spec.encoding)


def _xlsx_bytes(spec: FileSpec, rows: list[list]) -> bytes:
    """The workbook: a title line, a blank line, then the table; bytes depend on the rows only."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Fremmøde"
    sheet.append([XLSX_TITLE])
    sheet.append([])
    sheet.append(list(spec.headers))
    for row in rows:
        sheet.append(row)
    for (cell,) in sheet.iter_rows(min_row=4, min_col=1, max_col=1):
        if isinstance(cell.value, dt.date):
            cell.number_format = "dd-mm-yyyy"
    return reproducible_xlsx(workbook, FIXED_TIMESTAMP)


def _as_csv_text(cells: list) -> list[str]:
    """An XLSX row as the 2019 CSV would write it (for the cross-file duplicates)."""
    date_cell = cells[0]
    if isinstance(date_cell, dt.date):
        date_cell = date_cell.strftime("%Y-%m-%d")
    return [str(date_cell), cells[1], cells[2], "" if cells[3] is None else str(cells[3])]


def build_fremmoede(rng: np.random.Generator, persons: list[Person]) -> dict[str, bytes]:
    """The attendance extract files, ``{file name: bytes}``, calibrated to Tabel 3 and 4."""
    targets = load_targets()
    names = participant_names(persons)
    reserved = len(PLANTED_REJECTS)
    chosen = choose_participants(rng, targets, len(names), reserved)
    registrations = simulate(rng, targets, chosen)
    check_calibration(registrations, targets)

    per_file: dict[str, list[Registration]] = defaultdict(list)
    for r in sorted(registrations, key=lambda r: (r.day, rng.random())):
        per_file[_file_of(r)].append(r)
    planted = _planted_reject_rows(rng, names, targets)

    files: dict[str, bytes] = {}
    specs = {spec.name: spec for spec in FILES}
    xlsx_rows = [_cells(rng, specs[FILE_2018H2], r, names) for r in per_file[FILE_2018H2]]
    xlsx_rows = _with_duplicates(rng, xlsx_rows, DUPLICATES[FILE_2018H2])
    # The 2019 extract starts with a few December 2018 rows the 2018 one already had.
    december = [i for i, row in enumerate(xlsx_rows) if isinstance(row[0], dt.date) and row[0].month == 12
                and row[0].day <= 21]
    cross = [_as_csv_text(xlsx_rows[int(i)]) for i in sorted(rng.choice(december, CROSS_FILE_DUPLICATES, replace=False))]
    for row in planted[FILE_2018H2]:
        xlsx_rows.insert(int(rng.integers(len(xlsx_rows))), [row[0], row[1], row[2], int(row[3]) if row[3] else None])
    files[FILE_2018H2] = _xlsx_bytes(specs[FILE_2018H2], xlsx_rows)

    for spec in FILES:
        if spec.encoding is None:
            continue
        rows = [_cells(rng, spec, r, names) for r in per_file[spec.name]]
        rows = _with_duplicates(rng, rows, DUPLICATES[spec.name])
        for row in planted.get(spec.name, []):
            rows.insert(int(rng.integers(len(rows))), row[: len(spec.headers)])
        if spec.name == FILE_2019H1:
            rows = cross + rows
        files[spec.name] = _csv_bytes(spec, rows)
    return {name: files[name] for name in sorted(files)}


def write_fremmoede(out_dir: Path, rng: np.random.Generator, persons: list[Person]) -> list[Path]:
    """Write the attendance extract files into ``out_dir`` (atomically); return their paths."""
    from analyse.sample import write_files_atomic  # here, as the package imports this module

    return write_files_atomic(Path(out_dir), build_fremmoede(rng, persons))
