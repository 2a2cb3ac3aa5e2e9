"""Goal follow-up: the agreement's goals, their current values and their status.

The agreement between the city council and the centre (aftale 2019–2020, section
3.1) sets 14 goals, each with a baseline and a target. They live in a YAML file
(:data:`analyse.config.GOALS_FILE`, shipped as ``reference/maal.yaml``, moved
with ``ANALYSE_GOALS``) that a user edits when a new agreement is signed. The
file is checked when it is read: a mistake is a
:class:`~analyse.exceptions.ConfigError` naming the goal and the field, e.g.
``mål 'hjemloese': feltet 'direction' skal være 'højere' eller 'lavere'``.

For a goal with a data source in this project, the *current value* is the
indicator of ``indikatorer.csv`` for the newest whole year or half-year up to the
status date (``window: år`` / ``halvår``), or, for the treatment-outcome shares,
any span of months up to it computed from the episodes (``window: "12 måneder"``).
Shares with a denominator get a Wilson interval; the change since baseline gets
a Newcombe interval when the baseline's N is known too.

Status rules (:func:`judge`; the report prints :func:`status_rules`):

1. **Kan ikke vurderes** – the goal has no data source in the project yet, the
   data has no value for the period, or the value rests on fewer cases than the
   disclosure threshold (default 5; the reports show such a goal as **Ikke vist**).
2. **Nået** – the current value has reached the target in the goal's direction
   (at least the target where higher is better, at most where lower is better,
   e.g. homelessness). Values are compared as the agreement writes them: shares
   in whole percent, counts in whole numbers.
3. **På vej** – not reached, but the deadline has not passed (the status date is
   before 31 December of the target year; a goal without a deadline has none to
   pass) and the value is better than the baseline in the goal's direction.
4. **Ikke nået** – otherwise: not reached, and either the deadline has passed or
   the value is no better than the baseline.

The status is judged on the values themselves, as the agreement is; whether a
change could be chance is shown beside it (intervals), not folded into it.

Where the reports may not show the current value (disclosure control), they do not
show the status either: they show **Ikke vist** (:data:`NOT_SHOWN`), never a status
:func:`judge` returns. "Nået" against a target of 60 % on 3 episodes would say that
at least 2 of the 3 reached the outcome. The status is still judged and kept in
:class:`GoalResult`; :func:`analyse.goals_report.shown_status` decides what is shown.

A treatment-outcome goal's value is a figure report 03 publishes too (a year's share and its
episodes). :func:`evaluate_goals` marks it where 03, with its default periods on the same
episodes, hides it, or where the goal's window would let a reader work out a cell 03 hides
(:func:`follow_report_03`); the reports then show it as any hidden value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from os import PathLike
from pathlib import Path

import pandas as pd

from analyse import config
from analyse.exceptions import ConfigError

THEMES = ("mestring af eget liv", "uddannelse og beskæftigelse", "sundhed", "socialt liv")
TYPES = ("nationalt mål", "centermål")
UNITS = ("andel", "antal")
DIRECTIONS = ("højere", "lavere")
NO_SOURCE = "ingen datakilde endnu"

REACHED = "Nået"
ON_TRACK = "På vej"
NOT_REACHED = "Ikke nået"
CANNOT_JUDGE = "Kan ikke vurderes"
STATUSES = (REACHED, ON_TRACK, NOT_REACHED, CANNOT_JUDGE)
# Not a status judge() gives: what the reports show instead of the status where the current
# value is hidden by the disclosure rule (the status would tell on which side of the target
# the few episodes lie).
NOT_SHOWN = "Ikke vist"


def status_rules(threshold: int = 5) -> str:
    """The status rules in Danish words (Markdown bullets), as the reports print them.

    ``threshold`` is the report's disclosure limit (``suppression_threshold``).

    >>> print(status_rules().splitlines()[4])  # doctest: +ELLIPSIS
    - **Ikke vist:** værdien vises ikke af hensyn til fortroligheden: den bygger på under 5 forløb, ...
    """
    return (
        f"- **{REACHED}:** den aktuelle værdi har nået målet i den retning, målet peger: mindst målet, "
        "hvor højere er bedre, og højst målet, hvor lavere er bedre (fx antallet af hjemløse). Værdierne "
        "sammenlignes, som aftalen skriver dem: andele i hele procent, antal i hele tal.\n"
        f"- **{ON_TRACK}:** målet er ikke nået, men fristen er ikke passeret (opgørelsesdatoen ligger før "
        "31. december i målåret; et mål uden frist har ingen frist at passere), og værdien er bedre end "
        "baseline i målets retning.\n"
        f"- **{NOT_REACHED}:** målet er ikke nået, og enten er fristen passeret, eller værdien er ikke bedre "
        "end baseline.\n"
        f"- **{CANNOT_JUDGE}:** projektet har endnu ingen datakilde for målet, data har ingen værdi "
        "for perioden, eller aftalens baseline og mål er opgjort på en anden måde end den aktuelle værdi "
        "(fx i et nationalt register), så de ikke kan sammenlignes direkte.\n"
        f"- **{NOT_SHOWN}:** værdien vises ikke af hensyn til fortroligheden: den bygger på under "
        f"{threshold} forløb, er et antal under {threshold}, eller ville afsløre, at 1-{threshold - 1} "
        "nåede (eller ikke nåede) resultatet, alene eller sammen med tallene i rapporten om "
        "behandlingsresultaterne i Rusmiddelcenter Randers. Så vises status heller ikke, for den ville "
        "fortælle, om de få nåede resultatet eller ej.\n\n"
        "Status vurderes på værdierne selv, som aftalen gør. Om en ændring kan skyldes tilfældigheder, "
        "viser konfidensintervallerne ved siden af."
    )


STATUS_RULES = status_rules()

# Indicators a goal may point at (PRODUCT.md, "Indicators").
KNOWN_INDICATORS = (
    "unikke_personer_visiteret_ydelse",
    "unikke_personer_pr_ydelsestype",
    "kontakter_pr_tilbud",
    "kontakter_psykiatriens_hus",
    "unikke_borgere_psykiatriens_hus",
    "besoeg_pr_tilbud",
    "antal_afsluttede_forloeb",
    "andel_reduktion_eller_ophoer",
    "andel_national_maal",
)
# Shares that can be computed for any span from the treatment episodes:
# indicator → the column of analyse.rusmiddel.outcome_shares with the numerator.
SPAN_INDICATORS = {
    "andel_reduktion_eller_ophoer": "successes",
    "andel_national_maal": "national_successes",
}

_GOAL_FIELDS = {
    "id", "name", "beskrivelse", "måltema", "type", "unit", "direction", "baseline", "target",
    "datakilde", "note", "datagrundlag",
}
_ALIASES = {"maaltema": "måltema"}
_SOURCE_FIELDS = {"indicator", "group", "window", "n_indicator"}
_ID = re.compile(r"^[a-z0-9_]+$")
_MONTHS = re.compile(r"^(\d{1,2})\s*(måneder|maaneder|mdr\.?)$")


@dataclass(frozen=True)
class DataSource:
    """Where a goal's current value comes from in this project."""

    indicator: str
    group: str
    window: str = "år"
    n_indicator: str | None = None

    @property
    def months(self) -> int | None:
        """The span in months for a ``"<n> måneder"`` window, else None."""
        match = _MONTHS.match(self.window)
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Goal:
    """One goal of the agreement (see the module docstring and ``reference/maal.yaml``)."""

    id: str
    name: str
    theme: str
    kind: str
    unit: str
    direction: str
    baseline: float
    target: float
    baseline_period: str | None = None
    baseline_n: int | None = None
    deadline: int | None = None
    # False where the agreement's baseline is measured otherwise than the current value (a
    # national register against the centre's own episodes): no change since baseline is shown.
    baseline_comparable: bool = True
    source: DataSource | None = None
    description: str = ""
    note: str | None = None
    datagrundlag: str | None = None

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "højere"

    @property
    def is_share(self) -> bool:
        return self.unit == "andel"


@dataclass(frozen=True)
class CurrentValue:
    """A goal's value in the current period; shares with their count and Wilson interval."""

    value: float
    period: str
    n: int | None = None
    successes: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class GoalResult:
    """A goal at a status date: current value, change since baseline and status."""

    goal: Goal
    status: str
    reason: str
    current: CurrentValue | None = None
    change: float | None = None
    change_low: float | None = None
    change_high: float | None = None
    deadline_passed: bool = field(default=False)
    # The report that publishes the same figure hides it (a treatment-outcome goal and report 03),
    # or showing it would let a reader work out a cell that report hides: see follow_report_03.
    hidden_in_source_report: bool = field(default=False)


# --- loading and validation -------------------------------------------------------------------


def _fail(goal: str, name: str, problem: str) -> ConfigError:
    return ConfigError(f"mål {goal}: feltet {name!r} {problem}")


def _choice(raw: dict, goal: str, name: str, choices: tuple[str, ...]) -> str:
    value = raw.get(name)
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text not in choices:
        allowed = " eller ".join(f"'{c}'" for c in choices) if len(choices) == 2 else \
            ", ".join(f"'{c}'" for c in choices[:-1]) + f" eller '{choices[-1]}'"
        got = "mangler" if value is None else f"er {value!r}"
        raise _fail(goal, name, f"skal være {allowed} ({got})")
    return text


def _number(value, goal: str, name: str, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(goal, name, f"skal være et tal ({'mangler' if value is None else f'er {value!r}'})")
    value = float(value)
    if unit == "andel" and not 0 <= value <= 1:
        raise _fail(goal, name, f"skal være en andel mellem 0 og 1, fx 0.47 for 47 % (er {value:g})")
    if unit == "antal" and value < 0:
        raise _fail(goal, name, f"skal være et antal ≥ 0 (er {value:g})")
    return value


def _mapping(raw: dict, goal: str, name: str, fields: set[str]) -> dict:
    value = raw.get(name)
    if not isinstance(value, dict):
        raise _fail(goal, name, f"skal have underfelterne {', '.join(sorted(fields))}")
    unknown = sorted(set(value) - fields)
    if unknown:
        raise _fail(goal, f"{name}.{unknown[0]}", f"er ukendt (kendte felter: {', '.join(sorted(fields))})")
    return value


def _optional_text(raw: dict, goal: str, name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _fail(goal, name, "skal være en tekst")
    return value.strip() or None


def _source(raw: dict, goal: str, unit: str) -> DataSource | None:
    value = raw.get("datakilde")
    if isinstance(value, str) and value.strip().lower() == NO_SOURCE:
        return None
    if not isinstance(value, dict):
        raise _fail(goal, "datakilde", f"skal være '{NO_SOURCE}' eller have underfelterne "
                    "indicator, group, window (og evt. n_indicator)")
    source = _mapping(raw, goal, "datakilde", _SOURCE_FIELDS)
    indicator = source.get("indicator")
    if indicator not in KNOWN_INDICATORS:
        raise _fail(goal, "datakilde.indicator",
                    f"skal være en indikator i indikatorer.csv, fx 'andel_reduktion_eller_ophoer' (er {indicator!r})")
    group = source.get("group")
    if not isinstance(group, str) or not group.strip():
        raise _fail(goal, "datakilde.group", "skal være en gruppe i indikatorer.csv, fx 'Alkohol' eller 'I alt'")
    n_indicator = source.get("n_indicator")
    if n_indicator is not None and n_indicator not in KNOWN_INDICATORS:
        raise _fail(goal, "datakilde.n_indicator", f"skal være en indikator i indikatorer.csv (er {n_indicator!r})")
    window = str(source.get("window", "år")).strip().lower()
    result = DataSource(indicator, group.strip(), window, n_indicator)
    if window not in ("år", "halvår") and result.months is None:
        raise _fail(goal, "datakilde.window", f"skal være 'år', 'halvår' eller fx '12 måneder' (er {window!r})")
    if result.months is not None and not (1 <= result.months <= 60 and indicator in SPAN_INDICATORS):
        raise _fail(goal, "datakilde.window",
                    "kan kun være et antal måneder (1–60) for " + " og ".join(SPAN_INDICATORS)
                    + ", der kan opgøres for enhver periode")
    if unit == "andel" and not indicator.startswith("andel"):
        raise _fail(goal, "datakilde.indicator", f"skal være en andel, når unit er 'andel' (er {indicator!r})")
    return result


def parse_goal(raw, number: int) -> Goal:
    """One goal from its YAML mapping; ``number`` (1-based) names it when the id is missing."""
    if not isinstance(raw, dict):
        raise ConfigError(f"mål nr. {number}: skal være en samling felter (id, name, måltema, …)")
    raw = {_ALIASES.get(k, k): v for k, v in raw.items()}
    gid = raw.get("id")
    if not isinstance(gid, str) or not _ID.match(gid):
        raise ConfigError(f"mål nr. {number}: feltet 'id' skal være et kort navn med små bogstaver, "
                          f"tal og _ (er {gid!r})")
    goal = repr(gid)
    unknown = sorted(set(raw) - _GOAL_FIELDS)
    if unknown:
        raise _fail(goal, unknown[0], f"er ukendt (kendte felter: {', '.join(sorted(_GOAL_FIELDS))})")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(goal, "name", "mangler")
    theme = _choice(raw, goal, "måltema", THEMES)
    kind = _choice(raw, goal, "type", TYPES)
    unit = _choice(raw, goal, "unit", UNITS)
    direction = _choice(raw, goal, "direction", DIRECTIONS)

    baseline = _mapping(raw, goal, "baseline", {"value", "period", "n", "sammenlignelig"})
    comparable = baseline.get("sammenlignelig", True)
    if not isinstance(comparable, bool):
        raise _fail(goal, "baseline.sammenlignelig", f"skal være true eller false (er {comparable!r})")
    baseline_value = _number(baseline.get("value"), goal, "baseline.value", unit)
    baseline_n = baseline.get("n")
    if baseline_n is not None and (isinstance(baseline_n, bool) or not isinstance(baseline_n, int) or baseline_n < 1):
        raise _fail(goal, "baseline.n", f"skal være et helt tal ≥ 1 eller tom (er {baseline_n!r})")
    baseline_period = baseline.get("period")
    if baseline_period is not None and not isinstance(baseline_period, (str, int)):
        raise _fail(goal, "baseline.period", "skal være en tekst, fx '2017' eller 'dec. 2017–maj 2018'")

    target = _mapping(raw, goal, "target", {"value", "deadline"})
    target_value = _number(target.get("value"), goal, "target.value", unit)
    deadline = target.get("deadline")
    if deadline is not None and (isinstance(deadline, bool) or not isinstance(deadline, int)
                                 or not 1990 <= deadline <= 2100):
        raise _fail(goal, "target.deadline", f"skal være et årstal, fx 2022, eller tom (er {deadline!r})")

    if (target_value > baseline_value) != (direction == "højere") or target_value == baseline_value:
        side = "over" if direction == "højere" else "under"
        raise _fail(goal, "direction", f"passer ikke med baseline og target: med '{direction}' skal målet "
                    f"ligge {side} baseline")

    return Goal(
        id=gid,
        name=name.strip(),
        theme=theme,
        kind=kind,
        unit=unit,
        direction=direction,
        baseline=baseline_value,
        target=target_value,
        baseline_period=None if baseline_period is None else str(baseline_period).strip() or None,
        baseline_n=baseline_n,
        baseline_comparable=comparable,
        deadline=deadline,
        source=_source(raw, goal, unit),
        description=_optional_text(raw, goal, "beskrivelse") or "",
        note=_optional_text(raw, goal, "note"),
        datagrundlag=_optional_text(raw, goal, "datagrundlag"),
    )


def parse_goals(data) -> list[Goal]:
    """All goals of a parsed goals file (``{"maal": [...]}``), checked; ids must be unique."""
    if not isinstance(data, dict) or not isinstance(data.get("maal"), list) or not data["maal"]:
        raise ConfigError("målfilen skal have en liste 'maal:' med mindst ét mål")
    goals, seen = [], set()
    for number, raw in enumerate(data["maal"], start=1):
        goal = parse_goal(raw, number)
        if goal.id in seen:
            raise ConfigError(f"mål {goal.id!r}: feltet 'id' findes mere end én gang i målfilen")
        seen.add(goal.id)
        goals.append(goal)
    return goals


def goals_path(
    path: str | PathLike | None = None,
    environ: Mapping[str, str] | None = None,
    base: str | PathLike | None = None,
) -> Path:
    """The goals file a report started now reads: ``path`` (a notebook's ``goals_file``), else
    ``$ANALYSE_GOALS`` as ``environ`` (default: this process's environment) has it now, else the
    shipped ``reference/maal.yaml``. A relative path is taken from ``base`` (default: the working
    directory), as the reading process would.

    :data:`analyse.config.GOALS_FILE` is fixed when this process imported the package; a report
    kernel is a new process that reads the variable again, so the build asks this function
    which file a report will use (and tracks that file's content).

    >>> goals_path(environ={}) == config.SHIPPED_GOALS_FILE
    True
    >>> goals_path(environ={"ANALYSE_GOALS": "mine/maal.yaml"}, base="/data").as_posix()
    '/data/mine/maal.yaml'
    >>> goals_path("/a/b.yaml", environ={"ANALYSE_GOALS": "/c/d.yaml"}).as_posix()
    '/a/b.yaml'
    """
    environ = os.environ if environ is None else environ
    chosen = str(path) if path else environ.get(config.GOALS_ENV_VAR, "")
    if not chosen.strip():
        return config.SHIPPED_GOALS_FILE
    chosen_path = Path(chosen).expanduser()
    if not chosen_path.is_absolute():
        chosen_path = Path(base if base is not None else Path.cwd()) / chosen_path
    return Path(os.path.normpath(chosen_path))


def load_goals(path: str | PathLike | None = None) -> list[Goal]:
    """Read and check the goals file: ``path``, else :data:`analyse.config.GOALS_FILE`.

    >>> goals = load_goals()
    >>> len(goals), goals[0].id, goals[0].direction
    (14, 'hjemloese', 'lavere')
    """
    import yaml

    path = Path(path) if path else Path(config.GOALS_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise ConfigError(f"målfil {path}: findes ikke eller kan ikke læses") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (linje {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"målfil {path}: er ikke gyldig YAML{where}") from None
    try:
        return parse_goals(data)
    except ConfigError as exc:
        raise ConfigError(f"målfil {path.name}: {exc}") from None


def read_data(processed_dir: str | PathLike) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The indicator table and the treatment episodes of a processed folder; None for what is missing.

    Goals are followed up on whatever sources are at hand: a goal whose source is
    missing is "Kan ikke vurderes", the report still builds.
    """
    from analyse.periods import INDICATOR_FILE, read_indicators
    from analyse.rusmiddel import SOURCE, read_episodes

    folder = Path(processed_dir)
    indicators = read_indicators(folder) if (folder / INDICATOR_FILE).is_file() else None
    episodes = read_episodes(folder) if (folder / f"{SOURCE}.parquet").is_file() else None
    return indicators, episodes


# --- current values ---------------------------------------------------------------------------


def _whole(value: float | Fraction, unit: str) -> int:
    """A value at the agreement's precision: whole percent for shares, whole numbers for counts,
    halves rounded up (:func:`analyse.formatting.round_half_up`; exact for a ``Fraction``)."""
    from analyse.formatting import round_half_up

    return int(round_half_up(value * 100 if unit == "andel" else value))


def successes_of(share: float, n: int) -> int:
    """The count behind a share of ``n`` (a published share is rounded; halves go up).

    >>> successes_of(0.47, 106), successes_of(0.57, 98)
    (50, 56)
    """
    from analyse.formatting import round_half_up

    return int(round_half_up(share * n))


def current_window(window: str, status_date) -> tuple[object, str]:
    """The period a ``window`` points at on ``status_date``: the key and the report's label.

    ``år``: the newest calendar year ending on or before the date (key ``'2021'``);
    ``halvår``: the newest half-year ending on or before it (``'2021H2'``);
    ``"<n> måneder"``: the n months up to and including the date, as a pair of dates.

    >>> current_window("år", "2021-12-31"), current_window("år", "2022-06-30")
    (('2021', '2021'), ('2021', '2021'))
    >>> current_window("halvår", "2022-06-30")
    ('2022H1', '1. halvår 2022')
    >>> current_window("12 måneder", "2022-06-30")
    (('2021-07-01', '2022-06-30'), 'jul. 2021–jun. 2022')
    """
    from analyse.formatting import format_half_year
    from analyse.rusmiddel_report import period_label

    date = pd.Timestamp(status_date).normalize()
    months = DataSource("x", "x", window).months
    if window == "år":
        year = date.year if (date.month, date.day) == (12, 31) else date.year - 1
        return str(year), str(year)
    if window == "halvår":
        if (date.month, date.day) == (12, 31):
            label = f"{date.year}H2"
        elif date >= pd.Timestamp(date.year, 6, 30):
            label = f"{date.year}H1"
        else:
            label = f"{date.year - 1}H2"
        return label, format_half_year(label)
    if months is None:
        raise ConfigError(f"ukendt periode {window!r}: skriv 'år', 'halvår' eller fx '12 måneder'")
    start = date - pd.DateOffset(months=months) + pd.Timedelta(days=1)
    span = (str(start.date()), str(date.date()))
    return span, period_label(span)


def _indicator_value(indicators: pd.DataFrame, indicator: str, group: str, period: str) -> float | None:
    rows = indicators[(indicators["indicator"] == indicator) & (indicators["group"] == group)
                      & (indicators["period"].astype(str) == period)]
    if rows.empty or pd.isna(rows["value"].iloc[0]):
        return None
    return float(rows["value"].iloc[0])


def _span_covered(indicators: pd.DataFrame, indicator: str, start, end) -> bool:
    """True when the indicator table has every half-year the span touches (the data reach it)."""
    from analyse.periods import half_year_of, half_year_range

    first, last = half_year_of(pd.Series(pd.to_datetime([start, end]))).tolist()
    have = set(indicators.loc[indicators["indicator"] == indicator, "period"].astype(str))
    return all(p in have for p in half_year_range(first, last))


def current_value(
    goal: Goal,
    indicators: pd.DataFrame | None,
    status_date,
    episodes: pd.DataFrame | None = None,
    confidence: float = 0.95,
) -> tuple[CurrentValue | None, str]:
    """The goal's value in its window up to ``status_date``, or None and the reason why not."""
    from analyse.stats import wilson_interval

    source = goal.source
    if source is None:
        return None, "ingen datakilde endnu"
    key, label = current_window(source.window, status_date)
    n_indicator = source.n_indicator
    if source.months is not None:
        from analyse.rusmiddel import outcome_shares

        if episodes is None:
            return None, "kræver behandlingsforløbene (rusmiddel.parquet), som ikke findes"
        coverage = n_indicator or "antal_afsluttede_forloeb"
        if indicators is not None and not _span_covered(indicators, coverage, *key):
            return None, f"data dækker ikke hele perioden {label}"
        shares = outcome_shares(episodes, *key).set_index("group")
        if source.group not in shares.index:
            return None, f"gruppen {source.group!r} findes ikke i behandlingsforløbene"
        row = shares.loc[source.group]
        n, successes = int(row["n"]), int(row[SPAN_INDICATORS[source.indicator]])
        if n == 0:
            return None, f"ingen afsluttede forløb i {label}"
        value = successes / n
    else:
        if indicators is None:
            return None, "indikatortabellen (indikatorer.csv) findes ikke"
        found = _indicator_value(indicators, source.indicator, source.group, key)
        if found is None:
            return None, f"ingen tal for {label}"
        value = found
        n = successes = None
        if n_indicator is not None:
            total = _indicator_value(indicators, n_indicator, source.group, key)
            if total is not None:
                n = int(round(total))
                successes = successes_of(value, n) if goal.is_share else None
    low = high = None
    if goal.is_share and n:
        low, high = wilson_interval(successes, n, 1 - confidence)
    return CurrentValue(value, label, n, successes, low, high), ""


# --- status -----------------------------------------------------------------------------------


def deadline_passed(goal: Goal, status_date) -> bool:
    """True when the status date is on or after 31 December of the goal's target year."""
    if goal.deadline is None:
        return False
    return pd.Timestamp(status_date).normalize() >= pd.Timestamp(goal.deadline, 12, 31)


def _at_least_as_good(goal: Goal, value: float, reference: float) -> bool:
    a, b = _whole(value, goal.unit), _whole(reference, goal.unit)
    return a >= b if goal.higher_is_better else a <= b


def _better(goal: Goal, value: float, reference: float) -> bool:
    a, b = _whole(value, goal.unit), _whole(reference, goal.unit)
    return a > b if goal.higher_is_better else a < b


def judge(
    goal: Goal,
    value: float | None,
    status_date,
    n: int | None = None,
    min_n: int = 5,
    missing_reason: str = "ingen værdi for perioden",
) -> tuple[str, str]:
    """The status of a goal with current ``value`` (on ``n`` cases) at ``status_date``, and why.

    The rules are in the module docstring and :func:`status_rules`.

    >>> g = Goal("hjemloese", "Hjemløse", "mestring af eget liv", "nationalt mål", "antal", "lavere",
    ...          baseline=86, target=75, deadline=2022, source=DataSource("x", "I alt"))
    >>> judge(g, 74, "2021-12-31")[0], judge(g, 80, "2021-12-31")[0], judge(g, 80, "2022-12-31")[0]
    ('Nået', 'På vej', 'Ikke nået')
    """
    if goal.source is None:
        return CANNOT_JUDGE, "ingen datakilde endnu"
    if value is None:
        return CANNOT_JUDGE, missing_reason
    if n is not None and n < min_n:
        return CANNOT_JUDGE, f"færre end {min_n} forløb i perioden"
    if not goal.baseline_comparable:
        # Baseline and target come from another count (a national register): "Nået" beside them
        # would compare two different measures.
        return CANNOT_JUDGE, ("aftalens baseline og mål er opgjort på en anden måde end den aktuelle "
                              "værdi, så de kan ikke sammenlignes direkte")
    if _at_least_as_good(goal, value, goal.target):
        return REACHED, "målet er nået"
    if deadline_passed(goal, status_date):
        return NOT_REACHED, f"målet er ikke nået, og fristen i {goal.deadline} er passeret"
    if _better(goal, value, goal.baseline):
        return ON_TRACK, "målet er ikke nået endnu, men værdien er bedre end baseline"
    return NOT_REACHED, "målet er ikke nået, og værdien er ikke bedre end baseline"


def evaluate_goal(
    goal: Goal,
    indicators: pd.DataFrame | None,
    status_date,
    episodes: pd.DataFrame | None = None,
    min_n: int = 5,
    confidence: float = 0.95,
) -> GoalResult:
    """Current value, change since baseline (with a Newcombe interval where both N are
    known) and status of one goal at ``status_date``."""
    from analyse.stats import newcombe_difference

    current, reason = current_value(goal, indicators, status_date, episodes, confidence)
    value = None if current is None else current.value
    if goal.is_share and goal.source is not None and goal.source.months is not None and current is not None:
        value = Fraction(current.successes, current.n)  # counted from the episodes: judge the exact share
    status, why = judge(goal, value, status_date,
                        None if current is None else current.n, min_n, reason or "ingen værdi for perioden")
    change = low = high = None
    if current is not None and status != CANNOT_JUDGE:
        change = current.value - goal.baseline
        if goal.is_share and goal.baseline_n and current.n:
            diff = newcombe_difference(successes_of(goal.baseline, goal.baseline_n), goal.baseline_n,
                                       current.successes, current.n, confidence)
            change, low, high = diff.difference, diff.ci_low, diff.ci_high
    return GoalResult(goal, status, why, current, change, low, high, deadline_passed(goal, status_date))


def evaluate_goals(
    goals: list[Goal],
    indicators: pd.DataFrame | None,
    status_date,
    episodes: pd.DataFrame | None = None,
    min_n: int = 5,
    confidence: float = 0.95,
) -> list[GoalResult]:
    """:func:`evaluate_goal` for every goal, in the file's order, with the treatment-outcome goals
    marked where report 03 hides their value (:func:`follow_report_03`; ``min_n`` is the
    reports' disclosure threshold)."""
    results = [evaluate_goal(g, indicators, status_date, episodes, min_n, confidence) for g in goals]
    return follow_report_03(results, status_date, episodes, min_n)


def follow_report_03(
    results: list[GoalResult], status_date, episodes: pd.DataFrame | None, threshold: int = 5,
) -> list[GoalResult]:
    """``results`` with :attr:`GoalResult.hidden_in_source_report` set where a goal's value is a
    figure of report 03 (the treatment outcomes, :data:`analyse.rusmiddel_report.GOAL_INDICATORS`)
    that 03, run with its default periods on the same ``episodes``, hides, or that would let a
    reader work out a cell 03 hides (:func:`analyse.rusmiddel_report.window_hidden`).

    Report 03 hides 2021's share where it is the second cell that keeps 2020's 3 of 20 from being
    read off "2020–2021: 36 % of 50"; "50 %, N=30" for 2021 here would give the 3 away. Reports 04
    and 00 show such a goal as they show any hidden value: "–" and "Ikke vist"
    (:func:`analyse.goals_report.shown_status`). Without episodes there is no report 03 to follow.
    """
    from analyse.rusmiddel import SUBSTANCES
    from analyse.rusmiddel_report import GOAL_INDICATORS, goal_cells, protected_periods, window_hidden

    def follows(r: GoalResult) -> bool:
        s = r.goal.source
        return r.current is not None and s is not None and s.indicator in GOAL_INDICATORS and s.group in SUBSTANCES

    if episodes is None or not any(follows(r) for r in results):
        return results
    protected = protected_periods(episodes, threshold)
    out = []
    for r in results:
        if follows(r):
            window, _ = current_window(r.goal.source.window, status_date)
            if window_hidden(window, goal_cells(protected, r.goal.source.indicator, r.goal.source.group)):
                r = replace(r, hidden_in_source_report=True)
        out.append(r)
    return out


RESULT_COLUMNS = [
    "id", "name", "theme", "kind", "unit", "direction", "baseline", "baseline_period", "baseline_n",
    "target", "deadline", "indicator", "group", "period", "value", "n", "successes", "ci_low", "ci_high",
    "change", "change_low", "change_high", "status", "reason", "hidden_in_source_report",
]


def results_frame(results: list[GoalResult]) -> pd.DataFrame:
    """The results as plain columns (:data:`RESULT_COLUMNS`), e.g. for a spreadsheet or a test."""
    rows = []
    for r in results:
        g, c = r.goal, r.current
        rows.append({
            "id": g.id, "name": g.name, "theme": g.theme, "kind": g.kind, "unit": g.unit,
            "direction": g.direction, "baseline": g.baseline, "baseline_period": g.baseline_period,
            "baseline_n": g.baseline_n, "target": g.target, "deadline": g.deadline,
            "indicator": g.source.indicator if g.source else None,
            "group": g.source.group if g.source else None,
            "period": c.period if c else None, "value": c.value if c else None,
            "n": c.n if c else None, "successes": c.successes if c else None,
            "ci_low": c.ci_low if c else None, "ci_high": c.ci_high if c else None,
            "change": r.change, "change_low": r.change_low, "change_high": r.change_high,
            "status": r.status, "reason": r.reason, "hidden_in_source_report": r.hidden_in_source_report,
        })
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def status_counts(results: list[GoalResult]) -> dict[str, int]:
    """How many goals have each judged status, in :data:`STATUSES` order (zeros included).

    Not for a published count: a report counts the statuses it shows, with a hidden value's
    status left out (:func:`analyse.goals_report.shown_status_counts`).
    """
    counts = {s: 0 for s in STATUSES}
    for r in results:
        counts[r.status] += 1
    return counts
