"""Generate a large AS2007-like extract (cp1252, `;`) for benchmarks: N rows, ~60,000 persons."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analyse import published

LABELS = published.ydelsestyper()


def synthetic_cprs(rng: np.random.Generator, n: int) -> np.ndarray:
    born = pd.to_datetime("1940-01-01") + pd.to_timedelta(rng.integers(0, 365 * 60, n), unit="D")
    serial = rng.integers(0, 1000, n)
    century = np.where(born.year >= 2000, "4", "1")
    return np.array([f"{d:%d%m%y}-{c}{s:03d}" for d, c, s in zip(born, century, serial)])


def write_large_extract(path: Path, rows: int = 1_000_000, persons: int = 60_000, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    cprs = synthetic_cprs(rng, persons)
    start = pd.to_datetime("2010-01-01") + pd.to_timedelta(rng.integers(0, 3300, rows), unit="D")
    length = pd.to_timedelta(rng.integers(1, 2000, rows), unit="D")
    end = (start + length).strftime("%d-%m-%Y").to_numpy().astype(object)
    end[rng.random(rows) < 0.3] = ""
    frame = pd.DataFrame({
        "CPR-nr": cprs[rng.integers(0, persons, rows)],
        "Ydelsestype": np.array(LABELS)[rng.integers(0, len(LABELS), rows)],
        "Startdato": start.strftime("%d-%m-%Y"),
        "Slutdato": end,
        "Leverandør": np.array(["Randers Kommune", "Bostedet Engen", "Udfører Ø"])[rng.integers(0, 3, rows)],
        "Timer pr. uge": np.char.replace(np.round(rng.random(rows) * 10, 1).astype(str), ".", ","),
        "Beløb": np.char.replace(np.round(rng.random(rows) * 10000, 2).astype(str), ".", ","),
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=";", index=False, encoding="cp1252")
    return path


if __name__ == "__main__":
    write_large_extract(Path(sys.argv[1]), rows=int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
