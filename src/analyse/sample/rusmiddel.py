"""Synthetic Rusmiddelcenter extract: treatment episodes 2016–2022, calibrated to the published shares.

What the cleaner sees after reading these files reproduces exactly:

- the baseline of the agreement with the city council, Dec 2017 – May 2018:
  50 of 106 completed alcohol episodes and 56 of 98 drug episodes ended with
  reduction or abstinence (47 % and 57 %);
- the 2023 strategy's 2020–2021 shares, 71 % (alcohol) and 53 % (drugs), when
  rounded to whole percent;
- the 2022 intake: 243 alcohol and 363 drug episodes started in 2022.

How: completed episodes (the denominator: ended, not ``Flyttet``/``Død``) are
laid out month by month from a yearly volume (:data:`COMPLETED_PER_YEAR`); the
baseline window gets exactly its published N. Each episode's status is drawn
from a success curve that rises for alcohol and stays flat for drugs, except
inside the two calibrated windows, where exactly the right number of successes
is dealt out at random. Episodes ended by moving or death come on top. Start
dates lie a random treatment length before the end; episodes still running
when the extract was drawn (end of 2022) have a blank end date and fill the
2022 intake up to the published figure. Persons come partly from the shared
sample pool, so some of them are also in the AS2007 extract and link through
the pseudonym; a share return for a new episode later, some are treated for
both substances.

On top come rows the cleaner must reject (:data:`PLANTED`) and exact
duplicates, none of which may change a share. The rows are spread over three
files in different formats (see :data:`CSV_SPECS` and :data:`XLSX_FILE`),
each episode in the file of its end year.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from analyse.sample.people import Person, make_persons
from analyse.sample.xlsx import reproducible_xlsx

SOURCE = "rusmiddel"
SUBSTANCES = ("Alkohol", "Stof")
SUCCESS = ("Ophørt", "Reduceret")
EXCLUDED = ("Flyttet", "Død")

FIRST_DAY = dt.date(2016, 1, 1)
LAST_DAY = dt.date(2022, 12, 31)  # the extract is drawn at the turn of the year
BASELINE = (dt.date(2017, 12, 1), dt.date(2018, 5, 31))
COMPARISON = (dt.date(2020, 1, 1), dt.date(2021, 12, 31))
INTAKE_YEAR = 2022

# --- simulation parameters ------------------------------------------------------------------

# Completed episodes (the denominator) per year. Drug treatment grows towards the
# 2022 intake of 363; alcohol is steadier (243 in 2022).
COMPLETED_PER_YEAR = {
    "Alkohol": {2016: 198, 2017: 206, 2018: 212, 2019: 216, 2020: 222, 2021: 228, 2022: 232},
    "Stof": {2016: 172, 2017: 186, 2018: 196, 2019: 232, 2020: 270, 2021: 300, 2022: 328},
}
# Episodes ended because the citizen moved or died, relative to the completed ones.
EXCLUDED_RATE = 0.04
SHARE_DIED = 0.25  # of the excluded ones
# Chance of ending with reduction or abstinence, by end year, outside the calibrated windows.
SUCCESS_CURVE = {
    "Alkohol": {2016: 0.45, 2017: 0.46, 2018: 0.52, 2019: 0.62, 2020: 0.71, 2021: 0.71, 2022: 0.69},
    "Stof": {2016: 0.55, 2017: 0.56, 2018: 0.57, 2019: 0.55, 2020: 0.53, 2021: 0.53, 2022: 0.54},
}
SHARE_OPHOERT = {"Alkohol": 0.45, "Stof": 0.35}  # of the successes; the rest is Reduceret
OTHER_STATUS_WEIGHTS = {
    "Alkohol": {"Stabiliseret": 10, "Uændret": 20, "Øget": 5, "Henvist": 17, "Udeblevet": 24, "Afbrudt": 24},
    "Stof": {"Stabiliseret": 30, "Uændret": 14, "Øget": 6, "Henvist": 8, "Udeblevet": 20, "Afbrudt": 22},
}
# Treatment length in days: log-normal around the median, clipped.
MEDIAN_DAYS = {"Alkohol": 150, "Stof": 240}
SIGMA_DAYS = {"Alkohol": 0.6, "Stof": 0.7}
DAYS_RANGE = {"Alkohol": (21, 900), "Stof": (21, 1500)}
SHORT_STATUSES = {"Udeblevet": 0.5, "Afbrudt": 0.6}  # those episodes end sooner
# Long-running episodes still open at the extract (e.g. substitution treatment), started 2019-2021.
LONG_ONGOING = {"Alkohol": 20, "Stof": 60}

MIN_AGE = 18
SHARE_FROM_POOL = 0.25  # new citizens drawn from the shared pool (some are in AS2007 too)
RETURN_SHARE = 0.18  # a new episode for a former client of the same substance
CROSS_SHARE = 0.07  # an episode for a client of the other substance
MIN_GAP_DAYS = 60
FRESH_PERSONS = 4000


@dataclass
class Episode:
    substance: str
    start: dt.date
    end: dt.date | None
    status: str | None
    person: Person | None = None


@dataclass(frozen=True)
class Targets:
    """The published figures the sample reproduces, per substance."""

    baseline_n: dict[str, int]
    baseline_successes: dict[str, int]
    comparison_percent: dict[str, int]
    intake: dict[str, int]


def whole_percent(successes: int, n: int) -> int:
    """A share in whole percent, halves rounded up (as the reports round).

    >>> whole_percent(50, 106), whole_percent(1, 8)
    (47, 13)
    """
    return int((Decimal(successes) * 100 / Decimal(n)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def load_targets() -> Targets:
    """The calibration targets from ``published_figures.csv`` (via the report's lookup)."""
    from analyse.rusmiddel_report import published_goals

    goals = published_goals()
    baseline_n = {g: int(goals.loc[g, "baseline_n"]) for g in SUBSTANCES}
    # The document gives a rounded share and N; the count of successes is the one that rounds to it.
    successes = {g: int(round(goals.loc[g, "baseline"] * baseline_n[g])) for g in SUBSTANCES}
    for g in SUBSTANCES:
        assert whole_percent(successes[g], baseline_n[g]) == round(goals.loc[g, "baseline"] * 100), g
    return Targets(
        baseline_n=baseline_n,
        baseline_successes=successes,
        comparison_percent={g: int(round(goals.loc[g, "share_2020_2021"] * 100)) for g in SUBSTANCES},
        intake={g: int(goals.loc[g, "intake_2022"]) for g in SUBSTANCES},
    )


# --- simulation -----------------------------------------------------------------------------


def _months() -> list[tuple[int, int]]:
    return [(y, m) for y in range(FIRST_DAY.year, LAST_DAY.year + 1) for m in range(1, 13)]


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _in(day: dt.date | None, window: tuple[dt.date, dt.date]) -> bool:
    return day is not None and window[0] <= day <= window[1]


def _random_day(rng: np.random.Generator, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _duration(rng: np.random.Generator, substance: str, status: str | None) -> int:
    days = MEDIAN_DAYS[substance] * np.exp(rng.normal(0, SIGMA_DAYS[substance]))
    days *= SHORT_STATUSES.get(status or "", 1.0)
    low, high = DAYS_RANGE[substance]
    return int(np.clip(round(days), low, high))


def _other_status(rng: np.random.Generator, substance: str) -> str:
    weights = OTHER_STATUS_WEIGHTS[substance]
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _success_status(rng: np.random.Generator, substance: str) -> str:
    return "Ophørt" if rng.random() < SHARE_OPHOERT[substance] else "Reduceret"


def completed_end_dates(rng: np.random.Generator, substance: str, baseline_n: int) -> list[dt.date]:
    """End dates of the completed episodes: Poisson per month around the yearly volume,
    with exactly ``baseline_n`` in the six baseline months."""
    baseline_months = [m for m in _months() if _in(_month_bounds(*m)[0], BASELINE)]
    in_baseline = dict(zip(baseline_months, rng.multinomial(baseline_n, [1 / len(baseline_months)] * len(baseline_months))))
    ends = []
    for year, month in _months():
        count = in_baseline.get((year, month))
        if count is None:
            count = int(rng.poisson(COMPLETED_PER_YEAR[substance][year] / 12))
        first, last = _month_bounds(year, month)
        ends.extend(_random_day(rng, first, last) for _ in range(int(count)))
    return ends


def deal_statuses(rng: np.random.Generator, substance: str, ends: list[dt.date], targets: Targets) -> list[str]:
    """A status per completed episode: exact success counts in the two calibrated windows,
    the success curve elsewhere."""
    success = np.zeros(len(ends), dtype=bool)
    base = [i for i, d in enumerate(ends) if _in(d, BASELINE)]
    comp = [i for i, d in enumerate(ends) if _in(d, COMPARISON)]
    n_comp = len(comp)
    s_comp = int(round(targets.comparison_percent[substance] / 100 * n_comp))
    assert whole_percent(s_comp, n_comp) == targets.comparison_percent[substance], (substance, s_comp, n_comp)
    for window, hits in ((base, targets.baseline_successes[substance]), (comp, s_comp)):
        chosen = rng.choice(len(window), hits, replace=False)
        success[[window[int(i)] for i in chosen]] = True
    calibrated = set(base) | set(comp)
    for i, day in enumerate(ends):
        if i not in calibrated:
            success[i] = rng.random() < SUCCESS_CURVE[substance][day.year]
    return [_success_status(rng, substance) if hit else _other_status(rng, substance) for hit in success]


def simulate_episodes(rng: np.random.Generator, substance: str, targets: Targets) -> list[Episode]:
    """Every episode of one substance: completed, ended by moving/death, and ongoing."""
    ends = completed_end_dates(rng, substance, targets.baseline_n[substance])
    statuses = deal_statuses(rng, substance, ends, targets)
    episodes = [
        Episode(substance, end - dt.timedelta(days=_duration(rng, substance, status)), end, status)
        for end, status in zip(ends, statuses)
    ]
    for year, month in _months():
        first, last = _month_bounds(year, month)
        for _ in range(int(rng.poisson(COMPLETED_PER_YEAR[substance][year] / 12 * EXCLUDED_RATE))):
            status = "Død" if rng.random() < SHARE_DIED else "Flyttet"
            end = _random_day(rng, first, last)
            episodes.append(Episode(substance, end - dt.timedelta(days=_duration(rng, substance, status)), end, status))

    # Ongoing: fill the intake year up to the published number of started episodes.
    started = sum(e.start.year == INTAKE_YEAR for e in episodes)
    missing = targets.intake[substance] - started
    assert missing >= 0, f"{substance}: {started} ended episodes already start in {INTAKE_YEAR}"
    year_start = dt.date(INTAKE_YEAR, 1, 1)
    for _ in range(missing):
        # Episodes still open at the turn of the year mostly began late in it.
        offset = int(rng.beta(2.0, 1.0) * 364)
        episodes.append(Episode(substance, year_start + dt.timedelta(days=offset), None, None))
    for _ in range(LONG_ONGOING[substance]):
        episodes.append(Episode(substance, _random_day(rng, dt.date(2019, 1, 1), dt.date(2021, 12, 31)), None, None))
    return episodes


class _PersonSource:
    """New citizens: a share from the shared pool (which links to AS2007), the rest fresh."""

    def __init__(self, rng: np.random.Generator, pool: list[Person]):
        self.rng = rng
        self.pool = [pool[int(i)] for i in rng.permutation(len(pool))]
        taken = {p.cpr for p in pool}
        self.fresh = [p for p in make_persons(rng, FRESH_PERSONS, birth_year_range=(1945, 2003))
                      if p.cpr not in taken]
        self.deferred: list[Person] = []  # too young when drawn; used later

    def new(self, start: dt.date) -> Person:
        for i, person in enumerate(self.deferred):
            if person.age_on(start) >= MIN_AGE:
                return self.deferred.pop(i)
        while True:
            queue = self.pool if (self.rng.random() < SHARE_FROM_POOL and self.pool) else self.fresh
            if not queue:
                raise RuntimeError("for få syntetiske personer til rusmiddeludtrækket")
            person = queue.pop()
            if person.age_on(start) >= MIN_AGE:
                return person
            self.deferred.append(person)


def assign_persons(rng: np.random.Generator, episodes: list[Episode], pool: list[Person]) -> None:
    """Give every episode a citizen: no one has two episodes of one substance at once,
    no one is treated after dying, and some return or are treated for both substances."""
    source = _PersonSource(rng, pool)
    far_future = dt.date(9999, 1, 1)
    busy_until: dict[tuple[str, str], dt.date] = {}  # (cpr, substance) → end of latest episode
    clients: dict[str, list[Person]] = {s: [] for s in SUBSTANCES}
    known: dict[str, set[str]] = {s: set() for s in SUBSTANCES}
    dead: set[str] = set()

    def free(person: Person, substance: str, start: dt.date) -> bool:
        if person.cpr in dead:
            return False
        until = busy_until.get((person.cpr, substance))
        return until is None or until + dt.timedelta(days=MIN_GAP_DAYS) < start

    for episode in sorted(episodes, key=lambda e: (e.start, e.substance)):
        chosen = None
        draw = rng.random()
        if episode.status != "Død" and draw < RETURN_SHARE + CROSS_SHARE:
            substance = episode.substance
            if draw >= RETURN_SHARE:
                substance = "Stof" if episode.substance == "Alkohol" else "Alkohol"
            candidates = clients[substance]
            for _ in range(min(30, len(candidates))):
                person = candidates[int(rng.integers(len(candidates)))]
                if free(person, episode.substance, episode.start):
                    chosen = person
                    break
        if chosen is None:
            chosen = source.new(episode.start)
        episode.person = chosen
        busy_until[(chosen.cpr, episode.substance)] = episode.end or far_future
        if chosen.cpr not in known[episode.substance]:
            known[episode.substance].add(chosen.cpr)
            clients[episode.substance].append(chosen)
        if episode.status == "Død":
            dead.add(chosen.cpr)


def outcome(episodes: list[Episode], substance: str, window: tuple[dt.date, dt.date]) -> tuple[int, int]:
    """(successes, completed) for episodes of ``substance`` ending in ``window``."""
    done = [e for e in episodes if e.substance == substance and _in(e.end, window) and e.status not in EXCLUDED]
    return sum(e.status in SUCCESS for e in done), len(done)


def check_calibration(episodes: list[Episode], targets: Targets) -> None:
    """Fail loudly if the simulation missed a published figure (a bug, not bad luck)."""
    for s in SUBSTANCES:
        assert outcome(episodes, s, BASELINE) == (targets.baseline_successes[s], targets.baseline_n[s]), s
        hits, n = outcome(episodes, s, COMPARISON)
        assert whole_percent(hits, n) == targets.comparison_percent[s], (s, hits, n)
        assert sum(e.substance == s and e.start.year == INTAKE_YEAR for e in episodes) == targets.intake[s], s
    present = {e.status for e in episodes}
    missing = [status for status in ("Ophørt", "Reduceret", "Stabiliseret", "Uændret", "Øget", "Henvist",
                                     "Udeblevet", "Afbrudt", "Flyttet", "Død") if status not in present]
    assert not missing, f"statusser uden forløb: {missing}"


# --- rows the cleaner must reject ------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    """Rows that cleaning must reject; ``cells`` are (CPR, rusmiddel, start, slut, status) as text."""

    file: str
    problem: str
    cells: tuple[str, str, str, str, str]


FILE_2016 = "rusmiddel_2016-2017.csv"
FILE_2018 = "rusmiddel_2018-2020.csv"
XLSX_FILE = "rusmiddel_2021-2022.xlsx"

PLANTED = (
    Planted(FILE_2016, "unknown status", ("{cpr}", "Alkohol", "03-02-2016", "14-09-2016", "Afsluttet efter aftale")),
    Planted(FILE_2016, "bad CPR", ("311304-1234", "Stof", "10-03-2017", "01-11-2017", "Stoffri")),
    Planted(FILE_2018, "end without status", ("{cpr}", "alkohol", "04.09.2017", "15.01.2018", "")),
    Planted(FILE_2018, "end without status", ("{cpr}", "Stof", "2017-10-02", "2018-03-20", "")),
    Planted(FILE_2018, "unknown status", ("{cpr}", "Alkohol", "01.11.2017", "28.02.2018", "Overført til psykiatrien")),
    Planted(FILE_2018, "unknown status", ("{cpr}", "Stof", "12.06.2019", "30.11.2019", "ukendt")),
    Planted(FILE_2018, "bad CPR", ("320187-1234", "Alkohol", "05.01.2018", "30.04.2018", "Reduceret")),
    Planted(FILE_2018, "bad CPR", ("12345-678", "Stof", "05.01.2019", "30.04.2019", "Afbrudt")),
    Planted(FILE_2018, "unknown rusmiddel", ("{cpr}", "Tobak", "01.02.2019", "01.06.2019", "Ophørt")),
    Planted(FILE_2018, "end before start", ("{cpr}", "Alkohol", "01.05.2018", "01.03.2018", "Ophørt")),
    Planted(FILE_2018, "status without end", ("{cpr}", "Stof", "01.10.2020", "", "Udeblevet")),
    Planted(XLSX_FILE, "end without status", ("{cpr}", "Stof", "2021-02-01", "2021-08-15", "")),
    Planted(XLSX_FILE, "unknown status", ("{cpr}", "Alkohol", "2021-03-01", "2021-10-01", "Afsluttet")),
    Planted(XLSX_FILE, "bad CPR", ("0000000000", "Alkohol", "2022-01-10", "", "")),
)
DUPLICATES = {FILE_2016: 2, FILE_2018: 2, XLSX_FILE: 2}


# --- writing the files -----------------------------------------------------------------------

# Spellings a caseworker's system or hand produces; each maps to the canonical status.
STATUS_VARIANTS = {
    "Ophørt": ("ophoert", "OPHØRT", "Ophørt (stoffri / alkoholfri)"),
    "Reduceret": ("reduceret forbrug", "REDUCERET", "Reduceret misbrug"),
    "Stabiliseret": ("stabiliseret forbrug", "stabiliseret"),
    "Uændret": ("uaendret", "Uændret forbrug"),
    "Øget": ("oeget", "Øget forbrug"),
    "Henvist": ("henvist til anden behandling", "Relevant henvist"),
    "Udeblevet": ("udeblevet", "Udeblevet fra behandling"),
    "Afbrudt": ("Afbrudt behandling", "afbrudt af borger"),
    "Flyttet": ("fraflyttet", "Flyttet fra kommunen"),
    "Død": ("død", "doed"),
}
ABSTINENT = {"Alkohol": "Alkoholfri", "Stof": "Stoffri"}
SUBSTANCE_VARIANTS = {"Alkohol": ("Alkohol", "ALKOHOL", "alkohol"), "Stof": ("Stof", "STOF", "stof")}
SHARE_VARIANT = 0.35


@dataclass(frozen=True)
class CsvSpec:
    name: str
    encoding: str
    sep: str
    headers: tuple[str, ...]
    lineterminator: str
    date_formats: tuple[str, ...]  # one dd-mm form per file (plus ISO), so no form is ambiguous
    cpr_styles: tuple[str, ...]


CSV_SPECS = (
    CsvSpec(FILE_2016, "cp1252", ",", ("CPR-nr", "Misbrugstype", "Startdato", "Slutdato", "Udfald"),
            "\r\n", ("%d-%m-%Y",), ("dash", "dash", "plain")),
    CsvSpec(FILE_2018, "utf-8", ";", ("cpr", "type", "start", "slut", "status"),
            "\n", ("%d.%m.%Y", "%d.%m.%Y", "%d.%m.%Y", "%Y-%m-%d"), ("dash", "plain", "spaces")),
)
XLSX_HEADERS = ("Personnummer", "Rusmiddel", "Startdato", "Slutdato", "Afslutningsstatus")
EXCEL_EPOCH = dt.date(1899, 12, 30)
FIXED_TIMESTAMP = dt.datetime(2023, 1, 2)  # in the xlsx metadata, so the bytes never change


def _file_for(episode: Episode) -> str:
    year = (episode.end or LAST_DAY).year
    return FILE_2016 if year <= 2017 else FILE_2018 if year <= 2020 else XLSX_FILE


def _status_text(rng: np.random.Generator, episode: Episode) -> str:
    if episode.status is None:
        return ""
    if rng.random() >= SHARE_VARIANT:
        return episode.status
    variants = STATUS_VARIANTS[episode.status]
    if episode.status == "Ophørt":
        variants = (*variants, ABSTINENT[episode.substance])
    return str(variants[int(rng.integers(len(variants)))])


def _substance_text(rng: np.random.Generator, substance: str) -> str:
    variants = SUBSTANCE_VARIANTS[substance]
    return str(variants[int(rng.choice(len(variants), p=[0.7, 0.15, 0.15]))])


def _cpr_text(cpr: str, style: str) -> str:
    return {"dash": f"{cpr[:6]}-{cpr[6:]}", "plain": cpr, "spaces": f" {cpr[:6]} -{cpr[6:]}"}[style]


def _csv_row(rng: np.random.Generator, episode: Episode, spec: CsvSpec) -> list[str]:
    fmt = spec.date_formats[int(rng.integers(len(spec.date_formats)))]
    style = spec.cpr_styles[int(rng.integers(len(spec.cpr_styles)))]
    return [
        _cpr_text(episode.person.cpr, style),
        _substance_text(rng, episode.substance),
        episode.start.strftime(fmt),
        episode.end.strftime(fmt) if episode.end else "",
        _status_text(rng, episode),
    ]


def _xlsx_row(rng: np.random.Generator, episode: Episode) -> list:
    """Typed cells: CPR mostly a number (Excel drops the leading zero), dates native or serial."""
    cpr = int(episode.person.cpr) if rng.random() < 0.8 else _cpr_text(episode.person.cpr, "dash")
    native = rng.random() < 0.6

    def date_cell(day: dt.date | None):
        if day is None:
            return None
        return day if native else (day - EXCEL_EPOCH).days

    status = _status_text(rng, episode) or None
    return [cpr, _substance_text(rng, episode.substance), date_cell(episode.start), date_cell(episode.end), status]


def _planted_cells(rng: np.random.Generator, planted: Planted, persons: list[Person]) -> list[str]:
    person = persons[int(rng.integers(len(persons)))]
    return [c.replace("{cpr}", _cpr_text(person.cpr, "dash")) for c in planted.cells]


def _with_duplicates(rng: np.random.Generator, rows: list[list], n: int) -> list[list]:
    """``rows`` with ``n`` of them written a second time, at random places."""
    out = list(rows)
    for i in sorted(rng.choice(len(rows), n, replace=False)):
        out.insert(int(rng.integers(0, len(out) + 1)), list(rows[int(i)]))
    return out


def _csv_bytes(spec: CsvSpec, rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=spec.sep, lineterminator=spec.lineterminator)
    writer.writerow(spec.headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(spec.encoding)


def _xlsx_bytes(rows: list[list]) -> bytes:
    """The workbook as bytes that depend on the rows only (no clock in zip or metadata)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Forløb"
    sheet.append(["Udtræk fra Rusmiddelcenter Randers (syntetiske data)"])  # a title row above the table
    sheet.append(XLSX_HEADERS)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=3, min_col=3, max_col=4):
        for cell in cells:
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "dd-mm-yyyy"
    return reproducible_xlsx(workbook, FIXED_TIMESTAMP)


def build_episodes(rng: np.random.Generator, persons: list[Person]) -> list[Episode]:
    """The calibrated episodes with their citizens (before formatting)."""
    targets = load_targets()
    episodes: list[Episode] = []
    for substance in SUBSTANCES:
        episodes += simulate_episodes(rng, substance, targets)
    assign_persons(rng, episodes, persons)
    check_calibration(episodes, targets)
    return episodes


def build_rusmiddel(rng: np.random.Generator, persons: list[Person]) -> dict[str, bytes]:
    """The Rusmiddelcenter extract files, ``{file name: bytes}``, calibrated to the published shares."""
    episodes = build_episodes(rng, persons)
    per_file: dict[str, list[Episode]] = {FILE_2016: [], FILE_2018: [], XLSX_FILE: []}
    for episode in episodes:
        per_file[_file_for(episode)].append(episode)

    files: dict[str, bytes] = {}
    for spec in CSV_SPECS:
        entries = per_file[spec.name]
        rows = [_csv_row(rng, entries[int(i)], spec) for i in rng.permutation(len(entries))]
        rows = _with_duplicates(rng, rows, DUPLICATES[spec.name])
        for planted in (p for p in PLANTED if p.file == spec.name):
            rows.insert(int(rng.integers(0, len(rows) + 1)), _planted_cells(rng, planted, persons))
        files[spec.name] = _csv_bytes(spec, rows)

    entries = per_file[XLSX_FILE]
    rows = [_xlsx_row(rng, entries[int(i)]) for i in rng.permutation(len(entries))]
    rows = _with_duplicates(rng, rows, DUPLICATES[XLSX_FILE])
    for planted in (p for p in PLANTED if p.file == XLSX_FILE):
        cells = [c or None for c in _planted_cells(rng, planted, persons)]
        rows.insert(int(rng.integers(0, len(rows) + 1)), cells)
    files[XLSX_FILE] = _xlsx_bytes(rows)
    return files


def write_rusmiddel(out_dir: Path, rng: np.random.Generator, persons: list[Person]) -> list[Path]:
    """Write the Rusmiddelcenter extract files into ``out_dir`` (atomically); return their paths."""
    from analyse.sample import write_files_atomic  # here, as the package imports this module

    return write_files_atomic(Path(out_dir), build_rusmiddel(rng, persons))
