"""The figures the municipality published, as shipped with the package.

A copy of ``shared/reference/published_figures.csv``: public facts from the source
documents, used to calibrate the synthetic sample and to check that the pipeline
reproduces them.
"""

from __future__ import annotations

import pandas as pd

from analyse.config import PUBLISHED_FIGURES


def load_published(table: str | None = None) -> pd.DataFrame:
    """All published figures, or those of one table (e.g. ``"Tabel 2"``).

    ``value`` is numeric; a blank cell (``'-'`` in the document) is NaN.

    >>> t1 = load_published("Tabel 1")
    >>> t1.loc[t1.period == "2016H1", "value"].item()
    610.0
    """
    figures = pd.read_csv(PUBLISHED_FIGURES, sep=";", dtype=str, keep_default_na=False)
    figures["value"] = pd.to_numeric(figures["value"].replace("", None), errors="coerce")
    if table is not None:
        figures = figures[figures["table"] == table].reset_index(drop=True)
    return figures


def ydelsestyper() -> list[str]:
    """The canonical Ydelsestype labels (Tabel 2), in the document's order."""
    return list(dict.fromkeys(load_published("Tabel 2")["group"]))


def tilbud_labels() -> list[str]:
    """The canonical Tilbud labels (Tabel 4), in the document's order."""
    return list(dict.fromkeys(load_published("Tabel 4")["group"]))
