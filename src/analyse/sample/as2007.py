"""Synthetic AS2007 extract: granted services (visiterede ydelser), calibrated to Tabel 1 and 2.

What the cleaner sees after reading these files reproduces the published figures
exactly: for every half-year 2016H1..2019H1, the number of distinct persons with
an active grant (Tabel 1) and the number per Ydelsestype (Tabel 2).

How: persons are simulated half-year by half-year (:func:`simulate_holdings`).
Most holders carry on to the next half-year; holders are dropped or recruited per
Ydelsestype until each type's count is exact, and the overlap between types (one
person holding §85 timetakst and §103 at once, say) is fitted so the number of
distinct persons is exact too. Each unbroken run of one person holding one type
becomes one grant whose start lies in the run's first half-year and whose end
lies in its last (blank when still running in 2019H1).

On top of that come rows a real extract has and the cleaner must handle without
changing the counts: extensions and overlapping renewals of the same grant,
exact duplicates, and the rows listed in :data:`PLANTED`, which cleaning must
reject (each would change a count if it were wrongly accepted).

The rows are spread over four files in the formats of the product contract
(see :data:`FILE_SPECS`), each grant in the file of its start year.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from analyse.published import load_published, ydelsestyper
from analyse.sample.people import Person
from analyse.sample.xlsx import reproducible_xlsx

SOURCE = "as2007"

T85_TIME = "§ 85 bostøtte timetakst"
T85_DOEGN = "§ 85 bostøtte døgntakst"
T85_OEVRIGE = "§ 85 øvrige udgifter"
T107 = "§ 107 Midlertidigt botilbud"
T108 = "§ 108 Længerevarende botilbud"
T103 = "§ 103 Beskyttet beskæftigelse"
T104 = "§ 104 Aktivitets- og samværstilbud"
T76_OEVRIGE = "§ 76A plejefam. øvrige udg."
T76_VEDERLAG = "§ 76A plejefam. vederlag"
UNKNOWN_YDELSE = "§ 999 Ukendt ydelse"

# --- simulation parameters ------------------------------------------------------------

# Chance that a person leaves all services between two half-years (plus the
# type-level churn below; together roughly 10-15 % turnover per half-year).
PERSON_LEAVE = 0.08
# Chance that a holder keeps a given type into the next half-year, if they stay.
TYPE_RETENTION_DEFAULT = 0.96
TYPE_RETENTION = {
    T107: 0.80,  # midlertidigt: temporary by definition
    "§ 84 midlertidig botilbud, aflastning": 0.5,
    "§ 102 Behandling": 0.5,
    T85_OEVRIGE: 0.85,
}
# Share of newly needed holders who are former users coming back after a gap.
RETURN_SHARE = 0.12
# How likely a type is to be a newcomer's first (or only) service; the remaining
# holdings become second services of people already in the count.
PRIMARY_WEIGHT_DEFAULT = 1.0
PRIMARY_WEIGHT = {
    T103: 0.15,
    T104: 0.15,
    T85_OEVRIGE: 0.05,
    T76_OEVRIGE: 0.05,
    "§ 97 Ledsagerordning": 0.3,
    "Kompenserende specialundervisning": 0.3,
}
# Second services go preferably to people holding one of these types.
PARTNER_TYPES = {
    T85_OEVRIGE: (T85_TIME, T85_DOEGN),
    T103: (T85_TIME, T85_DOEGN, T107, T108),
    T104: (T85_TIME, T85_DOEGN, T107, T108),
    T76_OEVRIGE: (T76_VEDERLAG,),
    T76_VEDERLAG: (T76_OEVRIGE,),
    "Kompenserende specialundervisning": (T85_TIME,),
    "§ 97 Ledsagerordning": (T85_TIME, T108),
}
MAX_TYPES_PER_PERSON = 3
EARLIEST_START = dt.date(2012, 1, 1)  # runs already active in 2016H1 began years before
ADULT_AGE = 18  # serviceloven's adult services

# --- extract realism ------------------------------------------------------------------

SHARE_ENDED_IN_LAST_PERIOD = 0.08  # runs active in 2019H1 mostly have a blank end date
SHARE_EXTENDED = 0.5  # chance a long grant is (once more) re-granted back-to-back (forlængelse)
MIN_DAYS_TO_RENEW = 400
N_OVERLAPPING_RENEWALS = 25  # a new grant made before the old one ended
SHARE_BLANK_BELOEB = 0.05
SHARE_BLANK_LEVERANDOER = 0.04

LEVERANDOERER = {
    T85_TIME: (
        "Randers Kommune, Center for Psykiatri",
        "Randers Kommune, Socialpsykiatrien",
        "Bostøtteteam Nord",
        "Bostøtteteam Syd",
    ),
    T85_DOEGN: ("Bostedet Engen", "Bofællesskabet Vestergade"),
    T85_OEVRIGE: ("Randers Kommune, Center for Psykiatri",),
    T107: ("Bostedet Engen", "Botilbuddet Lindely"),
    T108: ("Bocentret Skovbakken", "Region Midtjylland, Bostedet Fjordglimt"),
    T103: ("Beskæftigelsesværkstedet Randers",),
    T104: ("Aktivitetscentret Vestervang", "Samværstilbuddet Nørregade"),
    "§ 84 midlertidig botilbud, aflastning": ("Bostedet Engen",),
    "§ 97 Ledsagerordning": ("Randers Kommune, Ledsagerordningen",),
    "§ 102 Behandling": ("Region Midtjylland, Psykiatrien",),
    T76_OEVRIGE: ("Plejefamilie (privat)",),
    T76_VEDERLAG: ("Plejefamilie (privat)",),
    "Kompenserende specialundervisning": ("Specialundervisning for Voksne, Randers",),
    UNKNOWN_YDELSE: ("Randers Kommune, Center for Psykiatri",),
}
# Plausible monthly amounts in kroner (low, high); §85 timetakst is priced from hours.
BELOEB_RANGE = {
    T85_DOEGN: (36_000, 72_000),
    T85_OEVRIGE: (300, 4_000),
    T107: (45_000, 95_000),
    T108: (60_000, 120_000),
    T103: (6_000, 14_000),
    T104: (4_000, 9_000),
    "§ 84 midlertidig botilbud, aflastning": (15_000, 30_000),
    "§ 97 Ledsagerordning": (1_500, 3_500),
    "§ 102 Behandling": (10_000, 25_000),
    T76_OEVRIGE: (2_000, 6_000),
    T76_VEDERLAG: (15_000, 25_000),
    "Kompenserende specialundervisning": (3_000, 8_000),
    UNKNOWN_YDELSE: (1_000, 5_000),
}
TIMER_CHOICES = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
TIMER_WEIGHTS = (10, 6, 14, 8, 12, 10, 6, 4, 2, 1)

# Spellings seen in extracts. Every one reduces to its canonical label's key under
# the cleaner's normalisation (lowercase, non-alphanumerics → space, drop a leading
# "sel"), so they must be mapped, never rejected.
LABEL_VARIANTS = {
    T85_TIME: (
        "SEL §85 Bostøtte - timetakst",
        "§85 bostøtte timetakst",
        "85 Bostøtte timetakst",
        "§ 85 Bostøtte timetakst",
    ),
    T85_DOEGN: ("SEL §85 Bostøtte - døgntakst", "§85 bostøtte døgntakst"),
    T85_OEVRIGE: ("§85 øvrige udgifter", "SEL §85 Øvrige udgifter"),
    T107: ("§ 107 midlertidigt botilbud", "SEL § 107 Midlertidigt botilbud", "§107 Midlertidigt botilbud"),
    T108: ("SEL § 108 længerevarende botilbud", "§108 Længerevarende botilbud"),
    T103: ("SEL § 103 Beskyttet beskæftigelse", "§103 beskyttet beskæftigelse"),
    T104: ("SEL § 104 aktivitets og samværstilbud", "§104 Aktivitets- og samværstilbud"),
    "§ 84 midlertidig botilbud, aflastning": ("SEL § 84 midlertidig botilbud - aflastning",),
    "§ 97 Ledsagerordning": ("SEL § 97 ledsagerordning",),
    "§ 102 Behandling": ("§102 behandling",),
    T76_OEVRIGE: ("§76A Plejefam. øvrige udg.",),
    T76_VEDERLAG: ("§76A plejefam vederlag",),
    "Kompenserende specialundervisning": (
        "kompenserende specialundervisning",
        "KOMPENSERENDE SPECIALUNDERVISNING",
    ),
}
SHARE_LABEL_VARIANT = 0.3


# --- periods and targets --------------------------------------------------------------


@dataclass(frozen=True)
class HalfYear:
    """A half-year period such as 2016H1 (1 January - 30 June)."""

    label: str
    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, label: str) -> HalfYear:
        """``"2016H2"`` → HalfYear("2016H2", 2016-07-01, 2016-12-31)."""
        year, half = int(label[:4]), int(label[5])
        if half == 1:
            return cls(label, dt.date(year, 1, 1), dt.date(year, 6, 30))
        return cls(label, dt.date(year, 7, 1), dt.date(year, 12, 31))


@dataclass(frozen=True)
class Targets:
    """The published counts the sample must reproduce."""

    periods: list[HalfYear]
    types: list[str]  # canonical Ydelsestype labels, in the document's order
    totals: list[int]  # Tabel 1, per period
    per_type: dict[str, list[int]]  # Tabel 2, per type, per period


def load_targets() -> Targets:
    """Tabel 1 and Tabel 2 of the published figures, as integer targets."""
    tabel1 = load_published("Tabel 1")
    tabel2 = load_published("Tabel 2")
    labels = sorted(tabel1["period"].unique())
    totals = [int(tabel1.loc[tabel1.period == p, "value"].item()) for p in labels]
    types = ydelsestyper()
    per_type = {}
    for ydelse in types:
        rows = tabel2[tabel2.group == ydelse].set_index("period")["value"]
        per_type[ydelse] = [int(rows.get(p, 0)) for p in labels]
    return Targets([HalfYear.parse(p) for p in labels], types, totals, per_type)


# --- simulation of who holds what in each half-year ------------------------------------

Holdings = dict[int, list[str]]  # person index → the types held (canonical order)


def _carry_over(rng: np.random.Generator, previous: Holdings) -> Holdings:
    """Who keeps which services from the previous half-year, before fitting the targets."""
    kept: Holdings = {}
    for pid in sorted(previous):
        if rng.random() < PERSON_LEAVE:
            continue
        types = [t for t in previous[pid] if rng.random() < TYPE_RETENTION.get(t, TYPE_RETENTION_DEFAULT)]
        if types:
            kept[pid] = types
    return kept


def _remove_type(holdings: Holdings, pid: int, ydelse: str) -> None:
    """Drop one type from a person; a person without types leaves the count."""
    holdings[pid].remove(ydelse)
    if not holdings[pid]:
        del holdings[pid]


def _trim_to_targets(rng: np.random.Generator, kept: Holdings, targets: dict[str, int]) -> None:
    """Drop random holders of any type that has more holders than its target."""
    for ydelse, target in targets.items():
        holders = [pid for pid in sorted(kept) if ydelse in kept[pid]]
        if len(holders) > target:
            for pid in rng.choice(holders, len(holders) - target, replace=False):
                _remove_type(kept, int(pid), ydelse)


def _fit_overlap(rng: np.random.Generator, kept: Holdings, total: int, excess: int) -> None:
    """Make room so that newcomers and second services can hit the targets exactly.

    ``excess`` is (sum of Tabel 2) − Tabel 1: the number of second services in the
    period. Kept people may not already hold more than that, and may not
    outnumber the total.
    """
    while sum(len(t) - 1 for t in kept.values()) > excess:
        multi = [pid for pid in sorted(kept) if len(kept[pid]) > 1]
        pid = int(rng.choice(multi))
        _remove_type(kept, pid, str(rng.choice(kept[pid])))
    while len(kept) > total:
        # Prefer letting single-service people go, so combinations survive.
        single = [pid for pid in sorted(kept) if len(kept[pid]) == 1] or sorted(kept)
        del kept[int(rng.choice(single))]


class _Recruiter:
    """Hands out people for new holdings: former users coming back, or fresh adults."""

    def __init__(self, rng: np.random.Generator, persons: list[Person]):
        self.rng = rng
        self.persons = persons
        self.next_fresh = 0
        self.skipped: list[int] = []  # too young when first offered; tried again later
        self.ever_active: list[int] = []

    def recruit(self, n: int, day: dt.date, unavailable: set[int]) -> list[int]:
        """``n`` people who are adults on ``day`` and not in ``unavailable``."""
        former = [pid for pid in self.ever_active if pid not in unavailable]
        n_return = min(len(former), int(self.rng.binomial(n, RETURN_SHARE)))
        chosen = [int(pid) for pid in self.rng.choice(former, n_return, replace=False)] if n_return else []
        while len(chosen) < n:
            chosen.append(self._fresh_adult(day))
        seen = set(self.ever_active)
        self.ever_active.extend(pid for pid in chosen if pid not in seen)
        return chosen

    def _fresh_adult(self, day: dt.date) -> int:
        for i, pid in enumerate(self.skipped):
            if self.persons[pid].age_on(day) >= ADULT_AGE:
                return self.skipped.pop(i)
        while self.next_fresh < len(self.persons):
            pid = self.next_fresh
            self.next_fresh += 1
            if self.persons[pid].age_on(day) >= ADULT_AGE:
                return pid
            self.skipped.append(pid)
        raise RuntimeError("the pool of synthetic persons is too small for the AS2007 sample")


def _fill_deficits(
    rng: np.random.Generator,
    kept: Holdings,
    newcomers: list[int],
    deficits: dict[str, int],
    order: dict[str, int],
) -> None:
    """Give each newcomer a first service and the remaining deficits as second services."""
    units = [ydelse for ydelse, n in deficits.items() for _ in range(n)]
    if not units:
        return
    weights = np.array([PRIMARY_WEIGHT.get(t, PRIMARY_WEIGHT_DEFAULT) for t in units])
    firsts = sorted(rng.choice(len(units), len(newcomers), replace=False, p=weights / weights.sum()))
    for pid, i in zip(rng.permutation(newcomers), firsts):
        kept[int(pid)] = [units[i]]
    first_set = set(int(i) for i in firsts)
    for i, ydelse in enumerate(units):
        if i in first_set:
            continue
        candidates = [
            pid for pid in sorted(kept) if ydelse not in kept[pid] and len(kept[pid]) < MAX_TYPES_PER_PERSON
        ]
        partners = PARTNER_TYPES.get(ydelse, (T85_TIME,))
        w = np.array([10.0 if any(t in partners for t in kept[pid]) else 1.0 for pid in candidates])
        pid = int(rng.choice(candidates, p=w / w.sum()))
        kept[pid] = sorted(kept[pid] + [ydelse], key=order.__getitem__)


def simulate_holdings(rng: np.random.Generator, persons: list[Person], targets: Targets) -> list[Holdings]:
    """Who holds which Ydelsestype in each half-year, matching Tabel 1 and 2 exactly."""
    order = {t: i for i, t in enumerate(targets.types)}
    recruiter = _Recruiter(rng, persons)
    states: list[Holdings] = []
    previous: Holdings = {}
    for p, period in enumerate(targets.periods):
        period_targets = {t: targets.per_type[t][p] for t in targets.types}
        total = targets.totals[p]
        kept = _carry_over(rng, previous)
        _trim_to_targets(rng, kept, period_targets)
        _fit_overlap(rng, kept, total, sum(period_targets.values()) - total)
        deficits = {t: n - sum(t in held for held in kept.values()) for t, n in period_targets.items()}
        newcomers = recruiter.recruit(total - len(kept), period.start, set(kept) | set(previous))
        _fill_deficits(rng, kept, newcomers, deficits, order)
        states.append(kept)
        previous = kept
    return states


# --- from holdings to grants ------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """One row of the extract, before formatting: one person's grant of one type."""

    cpr: str | int  # 10 digits as text; an int only for the planted numeric xlsx value
    ydelsestype: str
    start: dt.date | str  # text: a planted unparseable date, written as is
    end: dt.date | str | None  # None: ongoing (blank)
    leverandoer: str = ""
    timer: float | None = None
    beloeb: float | None = None


def _runs(states: list[Holdings]) -> list[tuple[int, str, int, int]]:
    """(person, type, first period, last period) for each unbroken run of a holding."""
    periods_held: dict[tuple[int, str], list[int]] = {}
    for p, state in enumerate(states):
        for pid in sorted(state):
            for ydelse in state[pid]:
                periods_held.setdefault((pid, ydelse), []).append(p)
    runs = []
    for (pid, ydelse), held in periods_held.items():
        first = held[0]
        for prev, cur in zip(held, held[1:]):
            if cur != prev + 1:  # a gap: the person came back later, on a new grant
                runs.append((pid, ydelse, first, prev))
                first = cur
        runs.append((pid, ydelse, first, held[-1]))
    return runs


def _random_date(rng: np.random.Generator, first: dt.date, last: dt.date) -> dt.date:
    """A uniformly drawn date in [first, last]."""
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _adult_from(person: Person) -> dt.date:
    """The day the person turns 18 (1 March for those born on 29 February)."""
    born = person.birth_date
    try:
        return born.replace(year=born.year + ADULT_AGE)
    except ValueError:
        return dt.date(born.year + ADULT_AGE, 3, 1)


def _run_dates(
    rng: np.random.Generator, person: Person, first: HalfYear, last: HalfYear, is_first: bool, is_last: bool
) -> tuple[dt.date, dt.date | None]:
    """Start inside the run's first half-year (or years before 2016), end inside its last."""
    start = _random_date(rng, first.start, first.end)
    if is_first and rng.random() < 0.65:
        earliest = max(EARLIEST_START, _adult_from(person))
        if earliest < first.start:
            start = _random_date(rng, earliest, first.start - dt.timedelta(days=1))
    if is_last and rng.random() >= SHARE_ENDED_IN_LAST_PERIOD:
        return start, None
    return start, _random_date(rng, max(start, last.start), last.end)


def _service_details(rng: np.random.Generator, ydelse: str) -> tuple[str, float | None, float | None]:
    """Leverandør, Timer pr. uge (only §85 timetakst) and a plausible monthly Beløb."""
    leverandoer = "" if rng.random() < SHARE_BLANK_LEVERANDOER else str(rng.choice(LEVERANDOERER[ydelse]))
    timer = None
    if ydelse == T85_TIME:
        weights = np.array(TIMER_WEIGHTS, dtype=float)
        timer = float(rng.choice(TIMER_CHOICES, p=weights / weights.sum()))
        beloeb = timer * 4.33 * float(rng.integers(430, 521))
    else:
        low, high = BELOEB_RANGE[ydelse]
        beloeb = float(rng.uniform(low, high))
    beloeb = None if rng.random() < SHARE_BLANK_BELOEB else round(beloeb * 2) / 2
    return leverandoer, timer, beloeb


def grants_from_holdings(
    rng: np.random.Generator, persons: list[Person], states: list[Holdings], periods: list[HalfYear]
) -> list[Grant]:
    """One grant per run; the grant's dates place it exactly in the run's half-years."""
    grants = []
    for pid, ydelse, first, last in _runs(states):
        start, end = _run_dates(
            rng, persons[pid], periods[first], periods[last], first == 0, last == len(periods) - 1
        )
        grants.append(Grant(persons[pid].cpr, ydelse, start, end, *_service_details(rng, ydelse)))
    return grants


def _days(grant: Grant, last_day: dt.date) -> int:
    """How long a grant runs, counting an ongoing one to ``last_day``."""
    return ((grant.end or last_day) - grant.start).days


def _split(rng: np.random.Generator, grant: Grant, last_day: dt.date, overlap: bool) -> tuple[Grant, Grant]:
    """The grant as an old grant plus its renewal, together covering the same days."""
    end = grant.end or last_day
    cut = _random_date(rng, grant.start + dt.timedelta(days=120), end - dt.timedelta(days=120))
    if overlap:
        overlap_days = int(rng.integers(7, 90))
        renewed_from = max(grant.start + dt.timedelta(days=1), cut - dt.timedelta(days=overlap_days))
    else:
        renewed_from = cut + dt.timedelta(days=1)
    # Re-visitation may change hours, price and provider.
    details = _service_details(rng, grant.ydelsestype)
    renewal = Grant(grant.cpr, grant.ydelsestype, renewed_from, grant.end, *details)
    return replace(grant, end=cut), renewal


def add_renewals(rng: np.random.Generator, grants: list[Grant], last_day: dt.date) -> list[Grant]:
    """Split long grants into successive grants covering exactly the same days.

    Most renewals are extensions (forlængelse) starting the day after the old
    grant ends; :data:`N_OVERLAPPING_RENEWALS` start before it ends. Either way
    the union of days, and so every count, is unchanged, while the cleaner sees
    realistic re-grants.
    """
    long_ids = [i for i, g in enumerate(grants) if _days(g, last_day) >= MIN_DAYS_TO_RENEW]
    overlapping = {int(i) for i in rng.choice(long_ids, N_OVERLAPPING_RENEWALS, replace=False)}
    out: list[Grant] = []
    for i, grant in enumerate(grants):
        overlap = i in overlapping
        while _days(grant, last_day) >= MIN_DAYS_TO_RENEW and (overlap or rng.random() < SHARE_EXTENDED):
            old, grant = _split(rng, grant, last_day, overlap)
            out.append(old)
            overlap = False
        out.append(grant)
    return out


def count_active(grants: list[Grant], periods: list[HalfYear]) -> tuple[list[int], dict[str, list[int]]]:
    """Distinct persons per period overall and per type, by the contract's definition."""
    overall: list[set] = [set() for _ in periods]
    per_type: dict[str, list[set]] = {}
    for g in grants:
        for p, period in enumerate(periods):
            if g.start <= period.end and (g.end is None or g.end >= period.start):
                overall[p].add(g.cpr)
                per_type.setdefault(g.ydelsestype, [set() for _ in periods])[p].add(g.cpr)
    return [len(s) for s in overall], {t: [len(s) for s in sets] for t, sets in per_type.items()}


def check_calibration(grants: list[Grant], targets: Targets) -> None:
    """Fail loudly if the valid grants do not reproduce Tabel 1 and Tabel 2 exactly."""
    totals, per_type = count_active(grants, targets.periods)
    zeros = [0] * len(targets.periods)
    wrong = [t for t in targets.types if per_type.get(t, zeros) != targets.per_type[t]]
    if totals != targets.totals or wrong or set(per_type) - set(targets.types):
        raise AssertionError(f"AS2007 sample off target: totals {totals}, types {wrong}")


# --- planted problems ---------------------------------------------------------------------


class RawText(str):
    """A value written exactly as given: how planted bad values reach the file."""


@dataclass(frozen=True)
class Planted:
    """A row the sample plants on purpose, for the cleaner (and its tests) to catch."""

    file: str
    problem: str  # invalid_cpr | end_before_start | unparseable_date | unknown_ydelsestype
    #               | duplicate (exact copy within the file) | duplicate_across_files
    count: int
    detail: str


FILE_2016, FILE_2017, FILE_2018, FILE_2019 = (
    "as2007_2016.csv",
    "as2007_2017.csv",
    "as2007_2018.csv",
    "as2007_2019.xlsx",
)

# Every rejected row would change Tabel 1 or 2 if it were wrongly accepted: the
# person is not otherwise counted in the half-years the row would add them to.
PLANTED = (
    Planted(FILE_2016, "invalid_cpr", 1, "310299-1235: 31 February"),
    Planted(FILE_2016, "invalid_cpr", 1, "1O0385-2217: letter O instead of a zero"),
    Planted(FILE_2016, "end_before_start", 1, "20-11-2016 → 15-08-2016; person not active in 2016H2"),
    Planted(FILE_2016, "duplicate", 2, "two rows written twice, the copies elsewhere in the file"),
    Planted(FILE_2017, "unparseable_date", 1, "Bevilget til 31.02.2017; person not active 2017H1-2019H1"),
    Planted(FILE_2017, "unknown_ydelsestype", 1, f"{UNKNOWN_YDELSE!r} in 2017H2, person not active then"),
    Planted(FILE_2017, "invalid_cpr", 1, "2902000413: 29-02-1900 (7th digit 0 = 1900s, no leap year)"),
    Planted(FILE_2017, "duplicate", 1, "one row written twice"),
    Planted(FILE_2018, "end_before_start", 1, "28/05/2018 → 12/02/2018; person not active in 2018H1"),
    Planted(FILE_2018, "unparseable_date", 1, "start 31/02/2018, blank end; person not active 2018H1-2019H1"),
    Planted(FILE_2018, "invalid_cpr", 1, "1512A4-5678: letter in the date part"),
    Planted(FILE_2018, "duplicate", 1, "one row written twice"),
    Planted(FILE_2018, "duplicate_across_files", 2, f"two rows of {FILE_2016}, cell for cell"),
    Planted(FILE_2019, "invalid_cpr", 1, "1513851234 as a number: month 13"),
    Planted(FILE_2019, "unknown_ydelsestype", 1, f"{UNKNOWN_YDELSE!r} from 2019H1, person not active then"),
    Planted(FILE_2019, "end_before_start", 1, "03-06-2019 → 20-01-2019; person not active in 2019H1"),
    Planted(FILE_2019, "unparseable_date", 1, "Til dato as text 31-02-2019; person not active in 2019H1"),
    Planted(FILE_2019, "duplicate", 1, "one row written twice"),
)


def _inactive_person(
    rng: np.random.Generator, persons: list[Person], states: list[Holdings], periods: range, day: dt.date
) -> Person:
    """An adult known to AS2007 who holds nothing in any of ``periods``."""
    busy = {pid for p in periods for pid in states[p]}
    known = sorted({pid for state in states for pid in state} - busy)
    adults = [pid for pid in known if persons[pid].age_on(day) >= ADULT_AGE]
    return persons[int(rng.choice(adults))]


def _planted_rows(
    rng: np.random.Generator, persons: list[Person], states: list[Holdings], periods: list[HalfYear]
) -> dict[str, list[Grant]]:
    """The rows of :data:`PLANTED` that cleaning must reject, per file."""

    def who(first: int, last: int | None = None) -> str:
        span = range(first, (first if last is None else last) + 1)
        return _inactive_person(rng, persons, states, span, periods[first].start).cpr

    def row(cpr, ydelse, start, end) -> Grant:
        return Grant(cpr, ydelse, start, end, *_service_details(rng, ydelse))

    d = dt.date
    return {
        FILE_2016: [
            row(RawText("310299-1235"), T85_TIME, d(2016, 3, 14), None),
            row(RawText("1O0385-2217"), T85_TIME, d(2016, 9, 2), None),
            row(who(1), T85_TIME, d(2016, 11, 20), d(2016, 8, 15)),
        ],
        FILE_2017: [
            row(who(2, 6), T107, d(2017, 1, 16), RawText("31.02.2017")),
            row(who(3), UNKNOWN_YDELSE, d(2017, 8, 21), d(2017, 11, 30)),
            row(RawText("2902000413"), T85_TIME, d(2017, 4, 3), None),
        ],
        FILE_2018: [
            row(who(4), T85_TIME, d(2018, 5, 28), d(2018, 2, 12)),
            row(who(4, 6), T85_TIME, RawText("31/02/2018"), None),
            row(RawText("1512A4-5678"), T85_DOEGN, d(2018, 10, 1), None),
        ],
        FILE_2019: [
            row(1513851234, T85_TIME, d(2019, 2, 1), None),
            row(who(6), UNKNOWN_YDELSE, d(2019, 3, 11), None),
            row(who(6), T85_TIME, d(2019, 6, 3), d(2019, 1, 20)),
            row(who(6), T85_TIME, d(2019, 1, 7), RawText("31-02-2019")),
        ],
    }


# --- formatting the files -------------------------------------------------------------------

DATE_FORMATS = {"dmy-": "%d-%m-%Y", "dmy.": "%d.%m.%Y", "dmy/": "%d/%m/%Y", "iso": "%Y-%m-%d"}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel serial day 0 (after its 1900 leap-year bug)


@dataclass(frozen=True)
class CsvSpec:
    """How one CSV extract is written: encoding, separator, headers and value styles."""

    name: str
    encoding: str
    sep: str
    headers: tuple[str, ...]
    lineterminator: str
    cpr_styles: dict[str, float]  # style → share of rows
    date_styles: dict[str, float]  # one dd-mm form per file plus ISO, so no form is ambiguous
    danish_numbers: bool


FILE_SPECS = (
    CsvSpec(
        FILE_2016, "utf-8-sig", ";",
        ("CPR-nr", "Ydelsestype", "Startdato", "Slutdato", "Leverandør", "Timer pr. uge", "Beløb"),
        "\n", {"dash": 0.80, "plain": 0.15, "spaces": 0.05}, {"dmy-": 0.85, "iso": 0.15}, True,
    ),
    CsvSpec(
        FILE_2017, "cp1252", ",",
        (" personnummer ", "Paragraf og ydelse", "Bevilget fra", "Bevilget til", "Udfører", "timer", "pris"),
        "\r\n", {"plain": 0.70, "dash": 0.30}, {"dmy.": 0.90, "dmy-": 0.10}, True,
    ),
    CsvSpec(
        FILE_2018, "utf-8", "\t",
        ("cpr", "ydelse", "start", "slut", "leverandoer", "timer", "beloeb"),
        "\n", {"dash": 0.60, "plain": 0.30, "spaces": 0.10}, {"dmy/": 0.60, "iso": 0.40}, False,
    ),
)
XLSX_HEADERS = ("CPR", "Ydelsestype", "Fra dato", "Til dato", "Leverandør", "Timer pr. uge", "Beløb")
FILE_BY_START_YEAR = {2016: FILE_2016, 2017: FILE_2017, 2018: FILE_2018, 2019: FILE_2019}


def _pick(rng: np.random.Generator, shares: dict[str, float]) -> str:
    """One key of ``shares``, drawn with those probabilities."""
    keys = list(shares)
    weights = np.array([shares[k] for k in keys])
    return keys[int(rng.choice(len(keys), p=weights / weights.sum()))]


def _format_cpr(cpr: str, style: str) -> str:
    """``DDMMYY-SSSS``, ``DDMMYYSSSS`` or with stray spaces as typed by hand."""
    return {
        "dash": f"{cpr[:6]}-{cpr[6:]}",
        "plain": cpr,
        "spaces": f" {cpr[:6]} -{cpr[6:]}",
    }[style]


def _danish_number(value: float, decimals: int) -> str:
    """1234.5 → '1.234,50' (decimals=2)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _format_timer(value: float | None, danish: bool) -> str:
    if value is None:
        return ""
    text = f"{value:g}"  # 3 → '3', 2.5 → '2.5'
    return text.replace(".", ",") if danish else text


def _format_beloeb(value: float | None, danish: bool) -> str:
    if value is None:
        return ""
    return _danish_number(value, 2) if danish else f"{value:.2f}"


def _label(rng: np.random.Generator, ydelse: str) -> str:
    """The canonical label, or now and then a spelling variant that maps to it."""
    variants = LABEL_VARIANTS.get(ydelse)
    if variants and rng.random() < SHARE_LABEL_VARIANT:
        return str(rng.choice(variants))
    return ydelse


def _csv_cells(rng: np.random.Generator, grant: Grant, spec: CsvSpec) -> list[str]:
    """One grant as the text cells of a CSV extract."""
    date_style = DATE_FORMATS[_pick(rng, spec.date_styles)]

    def date_text(value: dt.date | str | None) -> str:
        if value is None or isinstance(value, str):
            return value or ""
        return value.strftime(date_style)

    if isinstance(grant.cpr, RawText):
        cpr = str(grant.cpr)
    else:
        cpr = _format_cpr(str(grant.cpr), _pick(rng, spec.cpr_styles))
    return [
        cpr,
        _label(rng, grant.ydelsestype),
        date_text(grant.start),
        date_text(grant.end),
        grant.leverandoer,
        _format_timer(grant.timer, spec.danish_numbers),
        _format_beloeb(grant.beloeb, spec.danish_numbers),
    ]


def _xlsx_cells(rng: np.random.Generator, grant: Grant) -> list:
    """One grant as typed Excel cells: CPR mostly a number (leading zero lost), dates
    as native dates or bare serial numbers."""
    if isinstance(grant.cpr, RawText):
        cpr: str | int = str(grant.cpr)
    elif isinstance(grant.cpr, int) or rng.random() < 0.85:
        cpr = int(grant.cpr)
    else:
        cpr = _format_cpr(grant.cpr, "dash")
    native = rng.random() < 0.6

    def date_cell(value: dt.date | str | None):
        if value is None or isinstance(value, str):
            return value
        return value if native else (value - EXCEL_EPOCH).days

    return [cpr, _label(rng, grant.ydelsestype), date_cell(grant.start), date_cell(grant.end),
            grant.leverandoer or None, grant.timer, grant.beloeb]


def _with_duplicates(rng: np.random.Generator, rows: list[list], eligible: list[int], n: int) -> list[list]:
    """``rows`` with ``n`` of the ``eligible`` ones written a second time, at random places."""
    out = list(rows)
    for i in sorted(rng.choice(eligible, n, replace=False)):
        out.insert(int(rng.integers(0, len(out) + 1)), list(rows[int(i)]))
    return out


def _cross_file_copies(
    rng: np.random.Generator, rows: list[list[str]], eligible: list[int], n: int
) -> list[list[str]]:
    """Rows that read identically in any of the CSV files (no stray spaces, no number
    whose form depends on the file's number style), to copy into another file."""
    plain_cpr = re.compile(r"^\d{6}-\d{4}$")
    candidates = [
        i for i in eligible
        if plain_cpr.match(rows[i][0]) and (rows[i][5].isdigit() or rows[i][5] == "") and rows[i][6] == ""
    ]
    return [list(rows[candidates[int(i)]]) for i in sorted(rng.choice(len(candidates), n, replace=False))]


def _csv_bytes(spec: CsvSpec, rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=spec.sep, lineterminator=spec.lineterminator)
    writer.writerow(spec.headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(spec.encoding)


FIXED_TIMESTAMP = dt.datetime(2019, 7, 1)  # in the xlsx metadata, so the bytes never change


def _xlsx_bytes(rows: list[list]) -> bytes:
    """The workbook as bytes that depend on the rows only (no clock in zip or metadata)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Visiterede ydelser"
    sheet.append(XLSX_HEADERS)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in cells:
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "dd-mm-yyyy"
    return reproducible_xlsx(workbook, FIXED_TIMESTAMP)


# --- putting it together --------------------------------------------------------------------


def _file_for(grant: Grant) -> str:
    """Each grant goes in the extract of its start year (earlier starts in the first one)."""
    return FILE_BY_START_YEAR[max(2016, grant.start.year)]


def build_as2007(rng: np.random.Generator, persons: list[Person]) -> dict[str, bytes]:
    """The AS2007 extract files, ``{file name: bytes}``, calibrated to Tabel 1 and 2."""
    targets = load_targets()
    states = simulate_holdings(rng, persons, targets)
    grants = grants_from_holdings(rng, persons, states, targets.periods)
    grants = add_renewals(rng, grants, targets.periods[-1].end)
    check_calibration(grants, targets)

    # Per file: (grant, planted?) — planted rows are never duplicated or copied.
    per_file: dict[str, list[tuple[Grant, bool]]] = {name: [] for name in FILE_BY_START_YEAR.values()}
    for grant in grants:
        per_file[_file_for(grant)].append((grant, False))
    for name, planted in _planted_rows(rng, persons, states, targets.periods).items():
        per_file[name].extend((grant, True) for grant in planted)
    for name, entries in per_file.items():  # extracts are not sorted in any useful way
        per_file[name] = [entries[int(i)] for i in rng.permutation(len(entries))]

    n_dup = {p.file: p.count for p in PLANTED if p.problem == "duplicate"}
    n_cross = sum(p.count for p in PLANTED if p.problem == "duplicate_across_files")
    files: dict[str, bytes] = {}
    cross_copies: list[list[str]] = []
    for spec in FILE_SPECS:
        entries = per_file[spec.name]
        ordinary = [i for i, (_, planted) in enumerate(entries) if not planted]
        rows = [_csv_cells(rng, grant, spec) for grant, _ in entries]
        if spec.name == FILE_2016:  # the 2018 extract repeats a few grants of the 2016 one
            cross_copies = _cross_file_copies(rng, rows, ordinary, n_cross)
        rows = _with_duplicates(rng, rows, ordinary, n_dup[spec.name])
        if spec.name == FILE_2018:
            for copy in cross_copies:
                rows.insert(int(rng.integers(0, len(rows) + 1)), copy)
        files[spec.name] = _csv_bytes(spec, rows)
    entries = per_file[FILE_2019]
    ordinary = [i for i, (_, planted) in enumerate(entries) if not planted]
    xlsx_rows = [_xlsx_cells(rng, grant) for grant, _ in entries]
    files[FILE_2019] = _xlsx_bytes(_with_duplicates(rng, xlsx_rows, ordinary, n_dup[FILE_2019]))
    return files


def write_as2007(out_dir: Path, rng: np.random.Generator, persons: list[Person]) -> list[Path]:
    """Write the AS2007 extract files into ``out_dir`` (atomically); return their paths."""
    from analyse.sample import write_files_atomic  # here, as the package imports this module

    return write_files_atomic(Path(out_dir), build_as2007(rng, persons))
