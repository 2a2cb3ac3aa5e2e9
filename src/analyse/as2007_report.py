"""Report 01's tables of granted services, in one place so that every report publishes the same cells.

Report 01 shows unique persons per half-year (Tabel 1) and per ydelsestype (Tabel 2,
whose total row is Tabel 1's). The summary report 00 shows two of those rows again as
key figures. Suppressed apart, a cell hidden in 01 could be shown in 00, or read off as
the difference of two figures 00 shows (all persons minus those with § 85 timetakst).
So both take their published cells from :func:`grant_tables`.
"""

from __future__ import annotations

import pandas as pd

from analyse import periods, suppression
from analyse.published import ydelsestyper

TOTAL_ROW = "I alt (unikke personer)"


def grant_tables(indicators: pd.DataFrame, half_years: list[str], threshold: int) -> dict[str, pd.DataFrame]:
    """Tabel 1 and 2 of report 01, as counted (``tabel1``, ``tabel2``) and as published (``vist1``, ``vist2``).

    >>> rows = [("unikke_personer_visiteret_ydelse", "I alt", "2019H1", 13),
    ...         ("unikke_personer_pr_ydelsestype", "§ 85 bostøtte timetakst", "2019H1", 12),
    ...         ("unikke_personer_pr_ydelsestype", "§ 85 bostøtte døgntakst", "2019H1", 1)]
    >>> t = grant_tables(pd.DataFrame(rows, columns=["indicator", "group", "period", "value"]), ["2019H1"], 5)
    >>> t["vist2"].loc[["§ 85 bostøtte timetakst", "§ 85 bostøtte døgntakst", TOTAL_ROW], "2019H1"].tolist()
    ['X', '<5', 13]
    """
    tabel1 = periods.period_table(indicators, "unikke_personer_visiteret_ydelse", half_years, groups=["I alt"])
    tabel2 = periods.period_table(indicators, "unikke_personer_pr_ydelsestype", half_years, groups=ydelsestyper())
    # The total is unique persons (Tabel 1), not the sum: one person can have several types.
    tabel2.loc[TOTAL_ROW] = tabel1.loc["I alt"]
    # Protected together: Tabel 1 is the same row as Tabel 2's total.
    shown = suppression.suppress_tables(
        {"tabel1": tabel1, "tabel2": suppression.CountTable(tabel2, total_row=TOTAL_ROW, additive=False)},
        threshold,
        links=suppression.same_row("tabel1", "I alt", "tabel2", TOTAL_ROW, half_years),
    )
    return {"tabel1": tabel1, "tabel2": tabel2, "vist1": shown["tabel1"], "vist2": shown["tabel2"]}


# The key figures of report 00 that are rows of report 01's Tabel 2: key → row.
KEY_FIGURE_ROWS = {"personer_visiteret_ydelse": TOTAL_ROW, "personer_85_timetakst": "§ 85 bostøtte timetakst"}
