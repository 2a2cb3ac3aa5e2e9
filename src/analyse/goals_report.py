"""Presenting the goal follow-up (notebooks 04 and 00): the goals table, a chart per måltema, text.

The goals and the status rules live in :mod:`analyse.goals`; this module puts
them in the form a report shows, with Danish numbers and the disclosure rules of
the other reports (no count from 1 to 4 about persons; no share that would
reveal one), and a treatment-outcome goal's value hidden where report 03 hides the same
figure (:func:`analyse.goals.follow_report_03`). Where a goal's current value is hidden, its
status is not shown either (:func:`shown_status`): in the table, the sentences, the lists and
the chart.
"""

from __future__ import annotations

import textwrap

import pandas as pd

from analyse.completeness import SOURCE_OF_INDICATOR
from analyse.formatting import (
    MISSING, format_date, format_list, format_n, format_number, format_percent, format_points,
)
from analyse.goals import (
    CANNOT_JUDGE, NOT_REACHED, NOT_SHOWN, ON_TRACK, REACHED, THEMES, Goal, GoalResult,
)
from analyse.suppression import primary_marker, share_hidden

REPORT_TYPES = {"midtvejsstatus": "Midtvejsstatus", "slutstatus": "Slutstatus"}
# The statuses a report shows, in its order: the judged ones, and NOT_SHOWN where the value is hidden.
SHOWN_STATUSES = (REACHED, ON_TRACK, NOT_REACHED, NOT_SHOWN, CANNOT_JUDGE)
# A hidden status gets a neutral colour of its own: the colour must not tell the status either.
STATUS_COLOURS = {REACHED: "#2e7d32", ON_TRACK: "#1f5f8b", NOT_REACHED: "#b5651d", CANNOT_JUDGE: "#8a8a8a",
                  NOT_SHOWN: "#c4c4c4"}


def report_heading(report_type: str, status_date) -> str:
    """'Slutstatus pr. 31. december 2022'; an unknown report type is a ConfigError.

    >>> report_heading("midtvejsstatus", "2021-12-31")
    'Midtvejsstatus pr. 31. december 2021'
    """
    from analyse.exceptions import ConfigError

    if report_type not in REPORT_TYPES:
        raise ConfigError(f"report_type skal være 'midtvejsstatus' eller 'slutstatus' (er {report_type!r})")
    return f"{REPORT_TYPES[report_type]} pr. {format_date(status_date)}"


def report_period(report_type: str, status_date, results: list[GoalResult]) -> str:
    """The text of the report's 'Periode:' line: the status date and the periods the current
    values are computed for (each goal's data source names its own, e.g. a calendar year).

    >>> g = Goal("x", "X", "sundhed", "centermål", "andel", "højere", 0.47, 0.5)
    >>> from analyse.goals import CurrentValue
    >>> now = GoalResult(g, "Nået", "", CurrentValue(0.6, "2022", 100, 60))
    >>> report_period("slutstatus", "2022-12-31", [now, now, GoalResult(g, "Kan ikke vurderes", "")])
    'Slutstatus pr. 31. december 2022; aktuelle værdier for 2022'
    >>> report_period("midtvejsstatus", "2021-12-31", [GoalResult(g, "Kan ikke vurderes", "")])
    'Midtvejsstatus pr. 31. december 2021; ingen aktuelle værdier i data'
    """
    periods = list(dict.fromkeys(r.current.period for r in results if r.current is not None))
    if not periods:
        covered = "ingen aktuelle værdier i data"
    else:
        covered = "aktuelle værdier for " + format_list(periods)
    return f"{report_heading(report_type, status_date)}; {covered}"


# The sources of the current values as the 'Kilde:' line names them (which source an indicator
# comes from: analyse.completeness.SOURCE_OF_INDICATOR).
_SOURCE_LABELS = {
    "as2007": "AS2007 (visiterede ydelser)",
    "fremmoede": "Fremmøderegistreringer, Psykiatriens Hus",
    "rusmiddel": "Rusmiddelcenter Randers (behandlingsforløb)",
}


def source_text(results: list[GoalResult]) -> str:
    """The 'Kilde:' line of the goal follow-up: the agreement, and the sources of the current values.

    >>> g = Goal("x", "X", "sundhed", "centermål", "andel", "højere", 0.47, 0.5)
    >>> source_text([GoalResult(g, "Kan ikke vurderes", "")])
    'baseline og mål fra aftalen med byrådet'
    """
    used = []
    for r in results:
        if r.goal.source is not None:
            label = _SOURCE_LABELS[SOURCE_OF_INDICATOR.get(r.goal.source.indicator, "rusmiddel")]
            if label not in used:
                used.append(label)
    text = "baseline og mål fra aftalen med byrådet"
    return text + (f"; aktuelle værdier fra {', '.join(used)}" if used else "")


def format_value(goal: Goal, value: float | None, decimals: int = 0) -> str:
    """A goal's value as the agreement writes it: '47 %' for shares, '86' for counts.

    >>> g = Goal("x", "X", "sundhed", "centermål", "andel", "højere", 0.47, 0.5)
    >>> format_value(g, 0.4717), format_value(g, None)
    ('47 %', '–')
    """
    if value is None or pd.isna(value):
        return MISSING
    return format_percent(value, decimals) if goal.is_share else format_number(value, decimals)


def _signed(value: float, decimals: int = 0) -> str:
    text = format_number(abs(value), decimals)
    if text.strip("0,") == "":
        return text
    return ("+" if value > 0 else "−") + text


def change_text(result: GoalResult) -> str:
    """'+22 procentpoint (11 til 33)' (interval in brackets where known), '−11' for counts, or '–'.

    Written as the goal's sentence writes it (:func:`analyse.stats.describe_share_change`): a
    point or bound that is not 0 gets a decimal rather than reading as 0.

    >>> g = Goal("x", "X", "sundhed", "centermål", "andel", "højere", 0.57, 0.6, baseline_n=98)
    >>> change_text(GoalResult(g, "Ikke nået", "", change=-0.0562, change_low=-0.162, change_high=0.058))
    '−6 procentpoint (−16 til 6)'
    >>> change_text(GoalResult(g, "Nået", "", change=0.12, change_low=0.003, change_high=0.24))
    '+12 procentpoint (0,3 til 24)'
    """
    if not result.goal.baseline_comparable:
        return "ikke sammenlignelig"
    if result.change is None:
        return MISSING
    if not result.goal.is_share:
        return _signed(result.change)
    text = f"{format_points(result.change, plus=True)} procentpoint"
    if result.change_low is not None:
        text += f" ({format_points(result.change_low)} til {format_points(result.change_high)})"
    return text


def _small_count(result: GoalResult, threshold: int) -> bool:
    """True for a count goal whose current value is 1 to ``threshold − 1`` (published as ``<5``)."""
    c = result.current
    return not result.goal.is_share and c is not None and 1 <= c.value < threshold


def _hidden(result: GoalResult, threshold: int) -> bool:
    """True when the current value must not be shown: too few cases, a share that reveals 1–4,
    a count of 1–4, or a figure the report that publishes it hides (report 03 for the treatment
    outcomes, :func:`analyse.goals.follow_report_03`), where showing it here could undo that.

    >>> g = Goal("x", "X", "sundhed", "centermål", "andel", "højere", 0.47, 0.6)
    >>> from analyse.goals import CurrentValue
    >>> [_hidden(GoalResult(g, "Nået", "", CurrentValue(s / n, "2022", n, s)), 5) for s, n in ((2, 3), (48, 50), (30, 50))]
    [True, True, False]
    >>> _hidden(GoalResult(g, "Nået", "", CurrentValue(0.5, "2021", 30, 15), hidden_in_source_report=True), 5)
    True
    """
    c = result.current
    if _small_count(result, threshold):
        return True
    if c is not None and result.hidden_in_source_report:
        return True
    if c is None or c.n is None:
        return False
    if c.n < threshold:
        return True
    if result.goal.is_share and c.successes is not None:
        return share_hidden(int(c.successes), int(c.n), threshold)  # the one rule: analyse.suppression
    return False


def not_shown_reason(threshold: int = 5) -> str:
    """Why a goal's value and status are not shown (the sentences use it).

    >>> not_shown_reason()
    'for få borgere til at vise værdien (under 5)'
    """
    return f"for få borgere til at vise værdien (under {threshold})"


def shown_status(result: GoalResult, threshold: int = 5) -> str:
    """The status a report shows: :data:`~analyse.goals.NOT_SHOWN` where the current value is hidden.

    A status next to a hidden value would give the value away in part: "Nået" against a target
    of 60 % on 3 episodes says that at least 2 reached the outcome; against 96 % of 50, that at
    most 2 did not. ``result.status`` keeps the judged status.

    >>> g = Goal("x", "X", "sundhed", "centermål", "andel", "højere", 0.47, 0.6)
    >>> from analyse.goals import CurrentValue
    >>> shown_status(GoalResult(g, "Nået", "", CurrentValue(2 / 3, "2022", 3, 2)))
    'Ikke vist'
    >>> shown_status(GoalResult(g, "Nået", "", CurrentValue(0.96, "2022", 50, 48)))
    'Ikke vist'
    >>> shown_status(GoalResult(g, "Nået", "", CurrentValue(0.62, "2022", 50, 31)))
    'Nået'
    """
    return NOT_SHOWN if _hidden(result, threshold) else result.status


def goals_table(results: list[GoalResult], threshold: int = 5) -> pd.DataFrame:
    """All goals as the report shows them: a row per goal (index 'Mål'), baseline, target,
    current value with its interval, change since baseline and status."""
    records = []
    for r in results:
        g, c = r.goal, r.current
        baseline_n = format_n(g.baseline_n, threshold) if g.baseline_n else None
        baseline_bits = [b for b in (g.baseline_period, baseline_n) if b]
        baseline = format_value(g, g.baseline) + (f" ({', '.join(baseline_bits)})" if baseline_bits else "")
        target = format_value(g, g.target) + (f" ({g.deadline})" if g.deadline else " (ingen frist)")
        if c is None:
            current, interval, period = MISSING, MISSING, MISSING
        elif _hidden(r, threshold):
            # A count of 1-4 is published as "<5", as in the other reports; a hidden share as "–".
            current = primary_marker(threshold) if _small_count(r, threshold) else MISSING
            interval = MISSING
            few = c.n is not None and c.n < threshold
            period = c.period + (f", {primary_marker(threshold)} forløb" if few else "")
        else:
            current = format_value(g, c.value)
            interval = (f"{format_number(c.ci_low * 100)}–{format_number(c.ci_high * 100)} %"
                        if c.ci_low is not None else MISSING)
            period = c.period + (f", {format_n(c.n, threshold)}" if c.n else "")
        records.append({
            "Mål": g.name,
            "Måltema": g.theme.capitalize(),
            "Type": "Nationalt" if g.kind == "nationalt mål" else "Center",
            "Baseline": baseline,
            "Mål for": target,
            "Aktuel værdi": current,
            "Opgjort for": period,
            "95 %-konfidensinterval": interval,
            "Ændring siden baseline": MISSING if _hidden(r, threshold) else change_text(r),
            "Status": shown_status(r, threshold),
        })
    return pd.DataFrame(records).set_index("Mål")


def goals_table_note(threshold: int = 5, intervals: bool = True) -> str:
    """The note under the goals table (``intervals=False`` for a table without the interval columns)."""
    text = (
        "Baseline og mål er aftalens. Aktuel værdi er opgjort i dette projekt for den periode, der står "
        "under 'Opgjort for' (N = antal afsluttede forløb). "
    )
    if intervals:
        text += (
            "Konfidensintervallet (Wilson) viser, hvor meget værdien kunne svinge alene ved tilfældigheder; "
            "ændringen siden baseline har i parentes et 95 %-konfidensinterval (Newcombe), hvor baseline har "
            "et oplyst N. "
        )
    return text + (
        f"–: ingen værdi, eller værdien vises ikke, fordi den bygger på under {threshold} forløb "
        f"eller ville afsløre et tal under {threshold} (alene eller sammen med tallene i rapporten om "
        f"behandlingsresultaterne i Rusmiddelcenter Randers). {NOT_SHOWN}: status vises heller ikke, hvor "
        "værdien ikke vises, for den ville fortælle, om de få nåede resultatet."
    )


def shown_status_counts(results: list[GoalResult], threshold: int = 5) -> dict[str, int]:
    """How many goals a report shows with each status (:func:`shown_status`), in
    :data:`SHOWN_STATUSES` order, zeros included."""
    counts = {s: 0 for s in SHOWN_STATUSES}
    for r in results:
        counts[shown_status(r, threshold)] += 1
    return counts


def status_sentence(results: list[GoalResult], threshold: int = 5) -> str:
    """One Danish sentence counting the goals per status as shown (a hidden status counted apart).

    >>> g = Goal("x", "X", "sundhed", "centermål", "andel", "højere", 0.47, 0.5)
    >>> status_sentence([GoalResult(g, "Nået", ""), GoalResult(g, "Kan ikke vurderes", "ingen datakilde endnu")])
    'Af aftalens 2 mål er 1 nået, 0 på vej og 0 ikke nået; 1 kan ikke vurderes, fordi projektet endnu ikke har en datakilde for dem.'
    >>> from analyse.goals import CurrentValue
    >>> status_sentence([GoalResult(g, "Nået", "", CurrentValue(2 / 3, "2022", 3, 2))])
    'Af aftalens 1 mål er 0 nået, 0 på vej og 0 ikke nået; for 1 vises status ikke, fordi der er for få borgere til at vise værdien (under 5).'
    """
    counts = shown_status_counts(results, threshold)
    no_source = sum(1 for r in results if r.status == CANNOT_JUDGE and r.goal.source is None)
    text = (
        f"Af aftalens {len(results)} mål er {counts[REACHED]} nået, {counts[ON_TRACK]} på vej og "
        f"{counts[NOT_REACHED]} ikke nået"
    )
    if counts[NOT_SHOWN]:
        text += f"; for {counts[NOT_SHOWN]} vises status ikke, fordi der er {not_shown_reason(threshold)}"
    if counts[CANNOT_JUDGE]:
        text += f"; {counts[CANNOT_JUDGE]} kan ikke vurderes"
        if no_source == counts[CANNOT_JUDGE]:
            text += ", fordi projektet endnu ikke har en datakilde for dem"
        elif no_source:
            text += f", heraf {no_source}, fordi projektet endnu ikke har en datakilde for dem"
    return text + "."


def names_by_status(results: list[GoalResult], threshold: int = 5) -> dict[str, list[str]]:
    """Goal names per status as shown (:func:`shown_status`), in :data:`SHOWN_STATUSES` order."""
    out = {s: [] for s in SHOWN_STATUSES}
    for r in results:
        out[shown_status(r, threshold)].append(r.goal.name)
    return out


def goal_sentence(result: GoalResult, threshold: int = 5) -> str:
    """The Danish conclusion for one goal with data (Markdown, goal name in bold)."""
    from analyse import stats

    g, c = result.goal, result.current
    head = f"**{g.name}.**"
    if c is None:
        return f"{head} Kan ikke vurderes: {result.reason}."
    if _hidden(result, threshold):
        return (f"{head} Værdien for {c.period} vises ikke, fordi der er {not_shown_reason(threshold)}; "
                f"derfor vises status heller ikke. Status: **{NOT_SHOWN}**.")
    if g.is_share and g.higher_is_better and g.baseline_n and c.n:
        from analyse.goals import successes_of

        text = stats.describe_share_change(
            successes_of(g.baseline, g.baseline_n), g.baseline_n, c.successes, c.n,
            first=f"baseline ({g.baseline_period})" if g.baseline_period else "baseline",
            second=c.period, target=g.target, min_n=threshold,
        )
    elif not g.baseline_comparable:
        text = (
            f"Værdien er {format_value(g, c.value)} i {c.period}. Aftalens baseline "
            f"({format_value(g, g.baseline)}) og mål ({format_value(g, g.target)}"
            f"{f' i {g.deadline}' if g.deadline else ''}) er opgjort på en anden måde, så ændringen siden "
            "baseline vises ikke."
        )
    else:
        baseline = format_value(g, g.baseline)
        text = (
            f"Værdien er {format_value(g, c.value)} i {c.period} mod {baseline} ved baseline"
            f"{f' ({g.baseline_period})' if g.baseline_period else ''}; målet er {format_value(g, g.target)}"
            f"{f' i {g.deadline}' if g.deadline else ''}."
        )
    text += f" Status: **{result.status}**" + ("." if result.status == REACHED else f": {result.reason}.")
    if g.note:
        text += f" *Forbehold:* {g.note}"
    return f"{head} {text}"


def rules_for_report(threshold: int = 5) -> str:
    """The status rules in words, for the report (:func:`analyse.goals.status_rules`), with the
    report's disclosure limit in the rule for a hidden status."""
    from analyse.goals import status_rules

    return status_rules(threshold)


# --- chart per måltema ------------------------------------------------------------------------


def theme_chart(results: list[GoalResult], theme: str, title: str, source: str, period: str = "",
                threshold: int = 5):
    """Small multiples for one måltema: per goal, bars for baseline → current value → target.

    The current value carries its 95 % interval; a goal without a value says why
    in its panel. Each panel has its own axis (shares in percent, counts as counts).
    """
    import math

    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from analyse import stats

    chosen = [r for r in results if r.goal.theme == theme]
    if not chosen:
        raise ValueError(f"ingen mål under måltemaet {theme!r}")
    ncols = 1 if len(chosen) == 1 else 2
    nrows = math.ceil(len(chosen) / ncols)
    with matplotlib.rc_context({"axes.formatter.use_locale": False}):
        fig, axes = plt.subplots(nrows, ncols, figsize=(9, 0.6 + 3.1 * nrows), dpi=100, squeeze=False)
        for ax in axes.ravel()[len(chosen):]:
            ax.set_visible(False)
        for ax, r in zip(axes.ravel(), chosen):
            g, c = r.goal, r.current
            scale = 100 if g.is_share else 1
            hidden = _hidden(r, threshold)
            shown = c is not None and not pd.isna(c.value) and not hidden
            status = shown_status(r, threshold)  # neither the colour nor the title may tell a hidden status
            # The interval's bar, clipped at the value (never negative); none without an interval.
            err = stats.error_bar(c.value, c.ci_low, c.ci_high) if shown else None
            labels = [
                f"Baseline\n{g.baseline_period or 'ikke oplyst'}",
                f"Aktuel\n{c.period if c is not None else 'ingen data'}",
                f"Mål\n{g.deadline or 'ingen frist'}",
            ]
            values = [g.baseline * scale, c.value * scale if shown else 0, g.target * scale]
            colours = ["#b0b0b0", STATUS_COLOURS[status], "white"]
            bars = ax.bar(range(3), values, color=colours, edgecolor=["#808080", STATUS_COLOURS[status], "#2e7d32"],
                          linewidth=[1, 1, 2], hatch=[None, None, "//"], width=0.6)
            if err is not None:
                ax.errorbar([1], [c.value * scale], yerr=[[err[0] * scale], [err[1] * scale]],
                            fmt="none", ecolor="#333333", capsize=4, linewidth=1)
            for i, bar in enumerate(bars):
                if i == 1 and not shown:
                    why = ("ingen datakilde\nendnu" if g.source is None
                           else "vises ikke\n(for få borgere)" if hidden else "ingen værdi")
                    ax.text(1, max(values) * 0.05, why, ha="center", va="bottom", fontsize=8, color="#555555")
                    continue
                text = format_value(g, values[i] / scale)
                top = values[i] + (err[1] * scale if i == 1 and err is not None else 0)
                ax.text(bar.get_x() + bar.get_width() / 2, top, text, ha="center", va="bottom", fontsize=9)
            ax.set_xticks(range(3))
            ax.set_xticklabels(labels, fontsize=8)
            top = max(values + ([(c.value + err[1]) * scale] if err is not None else [])) or 1
            ax.set_ylim(0, min(100, top * 1.25) if g.is_share else top * 1.25)
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=True))
            if g.is_share:
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{format_number(v)} %"))
            else:
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v)))
            ax.tick_params(axis="y", labelsize=8)
            ax.grid(axis="y", alpha=0.3)
            ax.set_axisbelow(True)
            direction = "højere er bedre" if g.higher_is_better else "lavere er bedre"
            ax.set_title("\n".join(textwrap.wrap(g.name, 42)) + f"\n{status} · {direction}",
                         fontsize=9, loc="left")
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
        where = f"Kilde: {source}" + (f" · Periode: {period}" if period else "")
        fig.text(0.01, 0.01, "\n".join(textwrap.wrap(where, 140))
                 + "\nFarven på søjlen 'Aktuel' viser status; stregen er 95 %-konfidensintervallet.",
                 fontsize=8, ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.07 if nrows > 1 else 0.12, 1, 0.97))
    return fig


def show_figure(fig, alt: str) -> None:
    """Show a figure once as an embedded PNG with a Danish alt text, and free it."""
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    display(
        {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": alt},
        raw=True,
        metadata={"image/png": {"alt": alt}},
    )


def show_theme_chart(results: list[GoalResult], theme: str, title: str, source: str, period: str = "",
                     threshold: int = 5) -> None:
    """Draw :func:`theme_chart` once in the notebook, with an alt text naming the goals."""
    names = "; ".join(r.goal.name for r in results if r.goal.theme == theme)
    alt = f"Søjlediagram. {title}. Baseline, aktuel værdi og mål for: {names}. Kilde: {source}"
    show_figure(theme_chart(results, theme, title, source, period, threshold), alt)


def themes_in(results: list[GoalResult]) -> list[str]:
    """The måltemaer of the results, in the agreement's order."""
    present = {r.goal.theme for r in results}
    return [t for t in THEMES if t in present]


def theme_sentences(results: list[GoalResult], theme: str, threshold: int = 5) -> list[str]:
    """What report 04 writes under a måltema's chart (Markdown): the conclusion for each goal
    with a data source (:func:`goal_sentence`), then one sentence naming the goals without one.

    >>> from analyse.goals import CANNOT_JUDGE
    >>> g = Goal("x", "Hjemløse", "mestring af eget liv", "nationalt mål", "antal", "lavere", 86, 75,
    ...          datagrundlag="Hjemløsetællingen (VIVE)")
    >>> theme_sentences([GoalResult(g, CANNOT_JUDGE, "ingen datakilde endnu")], "mestring af eget liv")
    ['Projektet har endnu ingen datakilde for: Hjemløse (aftalens datagrundlag: Hjemløsetællingen (VIVE)). De kan ikke vurderes her.']
    """
    in_theme = [r for r in results if r.goal.theme == theme]
    sentences = [goal_sentence(r, threshold) for r in in_theme if r.goal.source is not None]
    without = [r.goal for r in in_theme if r.goal.source is None]
    if without:
        names = "; ".join(g.name + (f" (aftalens datagrundlag: {g.datagrundlag})" if g.datagrundlag else "")
                          for g in without)
        sentences.append(f"Projektet har endnu ingen datakilde for: {names}. De kan ikke vurderes her.")
    return sentences


def machine_summary(results: list[GoalResult]) -> list[dict]:
    """The results as JSON-ready records (for the hidden summary cell tests read)."""
    from analyse.goals import results_frame

    frame = results_frame(results).astype(object)
    frame = frame.where(frame.notna(), None)
    return frame.to_dict("records")
