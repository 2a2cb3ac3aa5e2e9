"""Goal values from a period a source's data cover only partly (reports 04 and 00).

A goal's value is the indicator for the newest whole year or half-year, or span of months, up to
the status date (:func:`analyse.goals.current_window`). ``indikatorer.csv`` has a value for a year
an extract reaches only partly, so with a status date after the extract's end the goal gets a
value that rests on part of the period (by :func:`analyse.completeness.is_complete`). The reports
say so beside the goals. Kept apart from :mod:`analyse.completeness` so that reports 01-03, which
have no goals, do not depend on the goals module (and its goals file).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analyse import completeness
from analyse.goals import current_window


def goal_sentences(results, dates: Mapping[str, pd.Timestamp], status_date) -> list[str]:
    """Where goals' values come from a period their source's data do not cover to its end (a status
    date beyond the data's end), a sentence per period and source saying so and naming the goals;
    ``dates`` is :func:`analyse.completeness.last_dates`.

    The goals' values use whole years, half-years or spans of months up to the status date
    (:func:`analyse.goals.current_window`). The indicator table has a value for a year the data
    reach only partly, so the goal gets a value, but it rests on part of the period.
    """
    found: dict[tuple, list[str]] = {}
    for r in results:
        source = r.goal.source
        if r.current is None or source is None:
            continue
        data = completeness.SOURCE_OF_INDICATOR.get(source.indicator)
        end = dates.get(data) if data else None
        window, label = current_window(source.window, status_date)
        if end is None or completeness.is_complete(window, end, data):
            continue
        found.setdefault((label, data, end), []).append(r.goal.name)
    lines = []
    for (label, data, end), names in found.items():
        which = "målet" if len(names) == 1 else "målene"
        lines.append(f"Værdien for {label} bygger kun på en del af perioden, fordi {completeness.reason(end, data)}. "
                     f"Det gælder {which} {'; '.join(names)}.")
    return lines
