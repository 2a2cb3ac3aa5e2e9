"""Leak scan over everything the shared sample build wrote.

The build (conftest ``build``: ``analyse sample``, planted extracts from
``tests/seeded_secrets.py``, ``analyse build``) holds the sample's CPR numbers and
participant names plus known planted ones, in clean and in rejected rows. Every
file it wrote outside the raw folder is searched for any of them in any form:
processed Parquet (column by column), rejected rows, ``kvalitet.json``,
``indikatorer.csv``, manifests, executed notebooks (every string in the JSON),
HTML, spreadsheets (every cell of every sheet), and the log of the command line
(stdout and stderr). CPR numbers are matched with or without dash or spaces and
in the 9-digit form Excel leaves; names in any case and spacing.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analyse.cleaning import source_files
from analyse.pipeline import SPECS
from analyse.readers import read_extract

pytestmark = pytest.mark.slow


def _collapse_digits(text: str) -> str:
    """Separators between digits removed, so 121284-3457 and 121284 3457 read as 1212843457."""
    return re.sub(r"(?<=\d)[\s\u00a0\-./]+(?=\d)", "", text)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).casefold()


def _secrets(build) -> tuple[set[str], set[str]]:
    """Every CPR number (10 digits) and participant name in the raw folder, planted ones included."""
    cprs, names = set(build["seeded"]["cprs"]), {" ".join(_words(n)) for n in build["seeded"]["names"]}
    for name, spec in SPECS.items():
        for path in source_files(build["raw"], name):
            data = read_extract(path, spec.columns).data
            if "cpr" in data:
                for text in data["cpr"].unique():
                    digits = re.sub(r"\D", "", text)
                    if len(digits) == 9:
                        digits = "0" + digits
                    if len(digits) == 10:
                        cprs.add(digits)
            if "deltager" in data:
                names.update(" ".join(_words(n)) for n in data["deltager"].unique() if len(n.strip()) > 3)
    names -= {"anonym", "ukendt", "anonyme", "ikke oplyst"}
    return cprs, names


def _json_strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
    elif value is not None:
        yield str(value)


def _texts(path: Path) -> list[str]:
    """What a reader of the file could see, in every form worth searching."""
    raw = path.read_bytes()
    texts = [raw.decode("utf-8", errors="replace")]
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        texts.append("\n".join(map(str, frame.columns)))
        texts += ["\n".join(map(str, frame[c].tolist())) for c in frame.columns]
    elif suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        for sheet in book.worksheets:
            texts.append(sheet.title)
            texts += ["\t".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True)]
    elif suffix in (".ipynb", ".json"):
        texts.append("\n".join(_json_strings(json.loads(raw.decode("utf-8")))))
    elif suffix in (".html", ".htm"):
        texts.append(html.unescape(texts[0]))
    elif suffix == ".csv":
        texts.append(raw.decode("utf-8-sig", errors="replace"))
    return texts


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _normal(text))


def _leaks(text: str, cprs: set[str], names: set[str]) -> set[str]:
    """Planted or sample CPR numbers (any written form) and names (any case/spacing) in ``text``."""
    found = set()
    for run in re.findall(r"\d{9,}", _collapse_digits(text)):
        if len(run) <= 10:
            candidates = {run, "0" + run} if len(run) == 9 else {run}
        else:  # a longer run of digits: every 10-digit window (a 9-digit form has no neighbours)
            candidates = {run[i:i + 10] for i in range(len(run) - 9)}
        found |= candidates & cprs
    words = _words(text)
    longest = max((name.count(" ") + 1 for name in names), default=0)
    grams = {" ".join(words[i:i + n]) for n in range(1, longest + 1) for i in range(len(words) - n + 1)}
    found |= {n for n in names if n in grams}
    return found


def test_the_planted_rows_went_through_the_build(build):
    quality = json.loads((build["processed"] / "kvalitet.json").read_text(encoding="utf-8"))
    planted = {s: next(f for f in quality[s]["files"] if f["file"] == "zz_plantet.csv") for s in SPECS}
    assert planted["as2007"]["rows_clean"] == 3 and planted["as2007"]["rows_rejected"] == 2
    assert planted["rusmiddel"]["rows_rejected"] == 2
    assert planted["fremmoede"]["rows_clean"] == 3 and planted["fremmoede"]["rows_rejected"] == 2


def test_nothing_written_holds_a_cpr_number_or_a_name(build):
    cprs, names = _secrets(build)
    assert len(cprs) > 100 and len(names) > 50
    assert set(build["seeded"]["cprs"]) <= cprs
    raw = build["raw"].resolve()
    written = [p for p in sorted(build["base"].rglob("*")) if p.is_file() and raw not in p.resolve().parents]
    kinds = {p.suffix.lower() for p in written}
    assert {".parquet", ".csv", ".json", ".ipynb", ".html", ".xlsx"} <= kinds, kinds
    leaks = {}
    for path in written:
        found = set().union(*(_leaks(t, cprs, names) for t in _texts(path)))
        if found:
            leaks[str(path.relative_to(build["base"]))] = sorted(found)[:3]
    found = _leaks(build["log"], cprs, names)
    if found:
        leaks["log (stdout/stderr)"] = sorted(found)[:3]
    assert not leaks


def test_the_scan_would_see_a_leak(tmp_path):
    """The scan's own check: planted values in each file type and form are found."""
    cprs, names = {"0506074321", "1212843457"}, {" ".join(_words("Østen Ærbødig"))}
    pd.DataFrame({"x": ["506074321"]}).to_parquet(tmp_path / "a.parquet")
    (tmp_path / "b.html").write_text("<td>121284&#45;3457</td>", encoding="utf-8")
    (tmp_path / "c.ipynb").write_text(json.dumps({"cells": [{"source": "\u00d8STEN  \u00e6rb\u00f8dig"}]}), encoding="utf-8")
    book = openpyxl.Workbook()
    book.active["C3"] = "121284 3457"
    book.save(tmp_path / "d.xlsx")
    for path in sorted(tmp_path.iterdir()):
        assert set().union(*(_leaks(t, cprs, names) for t in _texts(path))), path.name
