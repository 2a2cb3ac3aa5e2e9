"""The synthetic AS2007 sample: formats, determinism, and exact calibration to Tabel 1 and 2.

The lead's cleaner is not used here. A small, independent reference reader (below)
reads the written files back, knowing their formats, rejects rows by the contract's
rules and counts persons per half-year; those counts must equal the published ones.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from stdnum.dk import cpr as stdnum_cpr

from analyse import config
from analyse.published import load_published, ydelsestyper
from analyse.sample import person_pool, source_rng, write_sample
from analyse.sample.as2007 import LABEL_VARIANTS, PLANTED, build_as2007

SEED = 2019
CSV_FORMATS = {  # file → (encoding, separator), as the generator promises
    "as2007_2016.csv": ("utf-8-sig", ";"),
    "as2007_2017.csv": ("cp1252", ","),
    "as2007_2018.csv": ("utf-8", "\t"),
}
XLSX_FILE = "as2007_2019.xlsx"
COLUMN_ALIASES = {
    "cpr": {"cpr", "cpr-nr", "cprnr", "personnummer"},
    "ydelsestype": {"ydelse", "ydelsestype", "paragraf og ydelse"},
    "start": {"start", "startdato", "bevilget fra", "fra dato"},
    "slut": {"slut", "slutdato", "bevilget til", "til dato"},
}
EXCEL_EPOCH = dt.date(1899, 12, 30)


# --- reference reader -------------------------------------------------------------------------


def label_key(text: str) -> str:
    """The contract's label normalisation: lowercase, non-alphanumerics → space, drop 'sel'."""
    words = re.sub(r"[^\w]|_", " ", text.lower()).split()
    if words and words[0] == "sel":
        words = words[1:]
    return " ".join(words)


CANONICAL = {label_key(label): label for label in ydelsestyper()}


def parse_cpr(value) -> str | None:
    """10-digit CPR text, or None when it is not a CPR with a real birth date."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value))
    else:
        text = re.sub(r"[\s-]", "", str(value or ""))
    if len(text) == 9 and text.isdigit():
        text = "0" + text  # Excel dropped the leading zero
    if len(text) != 10 or not text.isdigit():
        return None
    try:
        stdnum_cpr.get_birth_date(text)
    except Exception:
        return None
    return text


class Unparseable(ValueError):
    pass


def parse_date(value) -> dt.date | None:
    """A date from any of the contract's forms; None for blank; Unparseable otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    for fmt in ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            pass
    raise Unparseable(value)


@dataclass
class Row:
    file: str
    raw: tuple  # the cells as read, for duplicate detection
    cells: dict  # the required columns' raw cells, by column
    cpr: str | None
    label: str | None
    start: dt.date | None
    end: dt.date | None
    reason: str | None  # why it is rejected, None if valid


def classify(file: str, raw: tuple, positions: dict[str, int]) -> Row:
    """Validate one row by the contract's rules (first failing rule wins)."""
    cells = {col: raw[i] for col, i in positions.items()}
    cpr = parse_cpr(cells["cpr"])
    label = CANONICAL.get(label_key(str(cells["ydelsestype"] or "")))
    try:
        start, end = parse_date(cells["start"]), parse_date(cells["slut"])
    except Unparseable:
        return Row(file, raw, cells, cpr, label, None, None, "unparseable_date" if cpr else "invalid_cpr")
    if cpr is None:
        reason = "invalid_cpr"
    elif start is None:
        reason = "unparseable_date"
    elif label is None:
        reason = "unknown_ydelsestype"
    elif end is not None and end < start:
        reason = "end_before_start"
    else:
        reason = None
    return Row(file, raw, cells, cpr, label, start, end, reason)


def column_positions(header: list) -> dict[str, int]:
    clean = [str(h).strip().lower() for h in header]
    return {col: next(i for i, h in enumerate(clean) if h in names) for col, names in COLUMN_ALIASES.items()}


def read_rows(folder: Path) -> list[Row]:
    """Every data row of every AS2007 file, classified."""
    rows = []
    for name, (encoding, sep) in CSV_FORMATS.items():
        frame = pd.read_csv(folder / name, sep=sep, encoding=encoding, dtype=str, keep_default_na=False)
        pos = column_positions(list(frame.columns))
        for raw in frame.itertuples(index=False, name=None):
            rows.append(classify(name, raw, pos))
    sheet = openpyxl.load_workbook(folder / XLSX_FILE, read_only=True).worksheets[0]
    header, *data = list(sheet.iter_rows(values_only=True))
    pos = column_positions(list(header))
    for raw in data:
        rows.append(classify(XLSX_FILE, raw, pos))
    return rows


def active(start: dt.date, end: dt.date | None, period: str) -> bool:
    year, half = int(period[:4]), int(period[5])
    first = dt.date(year, 1 if half == 1 else 7, 1)
    last = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    return start <= last and (end is None or end >= first)


def persons_by_period(rows: list[Row], periods: list[str]):
    """{period: set of CPR} overall and {(type, period): set of CPR}."""
    overall = {p: set() for p in periods}
    per_type: dict[tuple[str, str], set] = {}
    for r in rows:
        for p in periods:
            if active(r.start, r.end, p):
                overall[p].add(r.cpr)
                per_type.setdefault((r.label, p), set()).add(r.cpr)
    return overall, per_type


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, list[Path], float]:
    out = tmp_path_factory.mktemp("sample")
    started = time.perf_counter()
    written = write_sample(out, seed=SEED)
    return out, written, time.perf_counter() - started


@pytest.fixture(scope="module")
def rows(sample) -> list[Row]:
    return read_rows(sample[0] / "as2007")


@pytest.fixture(scope="module")
def valid(rows) -> list[Row]:
    return [r for r in rows if r.reason is None]


@pytest.fixture(scope="module")
def counts(valid):
    periods = sorted(load_published("Tabel 1")["period"])
    return periods, *persons_by_period(valid, periods)


# --- calibration ------------------------------------------------------------------------------


def test_tabel_1_reproduced_exactly(counts):
    periods, overall, _ = counts
    published = load_published("Tabel 1").set_index("period")["value"].astype(int).to_dict()
    assert {p: len(overall[p]) for p in periods} == published


def test_tabel_2_reproduced_exactly_including_zeros(counts):
    periods, _, per_type = counts
    tabel2 = load_published("Tabel 2")
    expected = {(g, p): int(v) for g, p, v in zip(tabel2.group, tabel2.period, tabel2.value)}
    got = {key: len(per_type.get(key, ())) for key in expected}
    assert got == expected
    assert {label for label, _ in per_type} <= set(ydelsestyper())


def test_no_activity_after_2019h1(valid):
    last = dt.date(2019, 6, 30)
    assert all(r.start <= last and (r.end is None or r.end <= last) for r in valid)
    assert any(r.end is None for r in valid) and any(r.end and r.end >= dt.date(2019, 1, 1) for r in valid)


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_calibration_holds_for_other_seeds(seed):
    # build_as2007 checks its own grants against Tabel 1 and 2 and raises if off.
    files = build_as2007(source_rng(seed, "as2007"), person_pool(seed))
    assert set(files) == set(CSV_FORMATS) | {XLSX_FILE}


# --- planted problems -------------------------------------------------------------------------


def test_rejections_are_exactly_the_planted_ones(rows):
    got = Counter((r.file, r.reason) for r in rows if r.reason)
    expected = Counter()
    for p in PLANTED:
        if not p.problem.startswith("duplicate"):
            expected[(p.file, p.problem)] += p.count
    assert got == expected


def test_duplicates_are_the_planted_ones(rows):
    within = Counter()
    for file in {r.file for r in rows}:
        seen = Counter(r.raw for r in rows if r.file == file)
        within[file] = sum(n - 1 for n in seen.values())
    expected = Counter()
    for p in PLANTED:
        if p.problem == "duplicate":
            expected[p.file] += p.count
    assert +within == expected

    csv_rows = {f: {r.raw for r in rows if r.file == f} for f in CSV_FORMATS}
    across = csv_rows["as2007_2016.csv"] & csv_rows["as2007_2018.csv"]
    assert len(across) == sum(p.count for p in PLANTED if p.problem == "duplicate_across_files")


def _lenient_readings(row: Row):
    """How a careless cleaner might accept a rejected row: (cpr, label, start, end)."""
    cells = row.cells
    cpr = row.cpr or re.sub(r"[\s-]", "", str(cells["cpr"]))
    label = row.label or str(cells["ydelsestype"])

    def readings(value, blank_ok):
        try:
            return [parse_date(value)]
        except Unparseable:
            d, m, y = (int(x) for x in re.split(r"[-./]", value))
            rolled = dt.date(y, m, 1) + dt.timedelta(days=d - 1)  # 31-02 → 3 March
            return [rolled, None] if blank_ok else [rolled]

    for start in readings(cells["start"], blank_ok=False):
        for end in readings(cells["slut"], blank_ok=True):
            if end is not None and end < start:
                yield cpr, label, start, end  # as written
                yield cpr, label, end, start  # swapped
            else:
                yield cpr, label, start, end


def test_every_rejected_row_would_change_the_counts(rows, valid, counts):
    periods, overall, per_type = counts
    known = set(ydelsestyper())
    rejected = [r for r in rows if r.reason]
    assert rejected
    for row in rejected:
        for cpr, label, start, end in _lenient_readings(row):
            changes = any(
                active(start, end, p)
                and (cpr not in overall[p] or (label in known and cpr not in per_type.get((label, p), ())))
                for p in periods
            )
            assert changes, (row.file, row.reason, start, end)


# --- realism ----------------------------------------------------------------------------------


def test_several_types_at_once_and_long_grants(valid, counts):
    periods, _, per_type = counts
    for p in periods:
        holdings = Counter(cpr for (_, q), people in per_type.items() if q == p for cpr in people)
        assert sum(n >= 2 for n in holdings.values()) >= 20, p
    spans = [sum(active(r.start, r.end, p) for p in periods) for r in valid]
    assert sum(s >= 4 for s in spans) >= 100
    assert any(r.start < dt.date(2016, 1, 1) for r in valid)


def test_renewals_overlap_for_the_same_person_and_type(valid):
    by_key: dict[tuple, list[Row]] = {}
    for r in valid:
        by_key.setdefault((r.cpr, r.label), []).append(r)
    overlapping = 0
    for grants in by_key.values():
        grants = sorted({(g.start, g.end or dt.date.max) for g in grants})
        overlapping += sum(b[0] <= a[1] for a, b in zip(grants, grants[1:]))
    assert overlapping >= 10


def test_scale_and_speed(rows, sample):
    assert 1500 <= len(rows) <= 3000
    assert sample[2] < 5


# --- files, formats and encodings ------------------------------------------------------------


def test_files_and_marker_exist(sample):
    out, written, _ = sample
    folder = out / "as2007"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*CSV_FORMATS, XLSX_FILE])
    marker = out / config.SYNTHETIC_MARKER
    assert marker in written and all(p.exists() for p in written)
    assert "syntetiske" in marker.read_text(encoding="utf-8").lower()
    assert not list(out.rglob("*.tmp"))


def test_encodings_are_as_claimed(sample):
    folder = sample[0] / "as2007"
    assert (folder / "as2007_2016.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    cp1252 = (folder / "as2007_2017.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    text = cp1252.decode("cp1252")
    assert "§" in text and any(ch in text for ch in "æøå")
    assert '"§ 84 midlertidig botilbud, aflastning"' in text or "aflastning" not in text
    assert re.search(r'"\d{1,3}(\.\d{3})*,\d{2}"', text)  # quoted Danish amounts
    plain = (folder / "as2007_2018.csv").read_bytes()
    assert not plain.startswith(b"\xef\xbb\xbf") and "\t" in plain.decode("utf-8")


def test_value_forms_are_varied(sample, rows):
    folder = sample[0] / "as2007"
    csv_cprs = [str(r.raw[0]) for r in rows if r.file in CSV_FORMATS]
    assert any(re.fullmatch(r"\d{6}-\d{4}", c) for c in csv_cprs)
    assert any(re.fullmatch(r"\d{10}", c) for c in csv_cprs)
    assert any(c != c.strip() or " -" in c for c in csv_cprs)
    xlsx_cprs = [r.raw[0] for r in rows if r.file == XLSX_FILE]
    assert any(isinstance(c, int) and len(str(c)) == 9 for c in xlsx_cprs)
    xlsx_starts = [r.raw[2] for r in rows if r.file == XLSX_FILE]
    assert any(isinstance(v, dt.datetime) for v in xlsx_starts)  # native Excel dates
    assert any(isinstance(v, int) for v in xlsx_starts)  # bare serial numbers
    labels = {str(r.raw[1]) for r in rows}
    assert labels - set(ydelsestyper()), "no spelling variants written"
    text = "".join((folder / f).read_text(encoding=e) for f, (e, _) in CSV_FORMATS.items())
    for pattern in (r"\d{2}-\d{2}-\d{4}", r"\d{2}\.\d{2}\.\d{4}", r"\d{2}/\d{2}/\d{4}", r"\d{4}-\d{2}-\d{2}"):
        assert re.search(pattern, text), pattern


def test_label_variants_reduce_to_their_canonical_label():
    for canonical, variants in LABEL_VARIANTS.items():
        assert canonical in ydelsestyper()
        for variant in variants:
            assert label_key(variant) == label_key(canonical), variant


def test_timer_only_for_timetakst(rows):
    for r in rows:
        timer = r.raw[5]
        if r.reason is None and timer not in ("", None):
            assert r.label == "§ 85 bostøtte timetakst"


# --- persons ----------------------------------------------------------------------------------


def test_pool_cprs_have_real_birth_dates_and_consistent_sex():
    pool = person_pool(SEED)
    assert len({p.cpr for p in pool}) == len(pool)
    for person in pool:
        born = stdnum_cpr.get_birth_date(person.cpr)
        assert 1940 <= born.year <= 2001
        assert person.sex == ("M" if int(person.cpr[-1]) % 2 else "K")


def test_every_valid_cpr_in_the_files_passes_stdnum(valid):
    pool = {p.cpr for p in person_pool(SEED)}
    for r in valid:
        stdnum_cpr.get_birth_date(r.cpr)
        assert r.cpr in pool


# --- determinism ------------------------------------------------------------------------------


def _file_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_even_in_another_process(sample, tmp_path):
    # Another interpreter with another hash seed: catches set/dict-order dependence too.
    code = (
        "import sys; from pathlib import Path; from analyse.sample import write_sample; "
        "write_sample(Path(sys.argv[1]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "again")], check=True, env=env)
    assert _file_bytes(tmp_path / "again") == _file_bytes(sample[0])
    write_sample(tmp_path / "same_process")
    assert _file_bytes(tmp_path / "same_process") == _file_bytes(sample[0])


def test_other_seed_other_data(sample, tmp_path):
    write_sample(tmp_path, seed=SEED + 1)
    assert (tmp_path / "as2007" / "as2007_2016.csv").read_bytes() != (
        sample[0] / "as2007" / "as2007_2016.csv"
    ).read_bytes()


def test_negative_seed_is_refused(tmp_path):
    from analyse.exceptions import AnalyseError

    with pytest.raises(AnalyseError):
        write_sample(tmp_path, seed=-1)


# --- never beside real extracts ---------------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("real", ["as2007/as2007_2018.csv", "as2007/bevillinger.xlsm", "rusmiddel/forloeb.tsv",
                                  "AS2007/bevillinger.csv", "fremmøde/uge 12.csv", "bevillinger.csv",
                                  "as2007/gammel.xls"])
def test_a_folder_with_real_extracts_is_refused_and_left_alone(tmp_path, real):
    """A sample file would replace a real one of its name, and the marker would have the real rows
    pseudonymised with the public sample key: refused before anything is written."""
    from analyse.exceptions import ConfigError

    (tmp_path / real).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / real).write_text("CPR;Ydelsestype;Startdato;Slutdato\n010190-1234;§ 85 bostøtte timetakst;01-01-2018;\n")
    before = _tree(tmp_path)
    with pytest.raises(ConfigError, match=re.escape(f"{tmp_path} har allerede udtræk, som ikke er eksempeldata ({real})")):
        write_sample(tmp_path, seed=SEED)
    assert _tree(tmp_path) == before


def test_a_real_extract_beside_an_earlier_sample_is_refused(tmp_path):
    from analyse.exceptions import ConfigError

    write_sample(tmp_path, seed=SEED)
    (tmp_path / "as2007" / "bevillinger 010190-1234.xlsm").write_bytes(b"real")
    before = _tree(tmp_path)
    with pytest.raises(ConfigError, match=re.escape("(as2007/bevillinger [CPR skjult].xlsm)")):
        write_sample(tmp_path, seed=SEED + 1)
    assert _tree(tmp_path) == before


def test_an_earlier_sample_is_written_again(tmp_path):
    """make.py, the benchmarks and an analyst trying another seed write into the same folder."""
    again, fresh = tmp_path / "again", tmp_path / "fresh"
    write_sample(again, seed=SEED + 1)
    (again / "README.md").write_text("Læg udtræk her")
    (again / "as2007" / "noter.docx").write_bytes(b"not an extract")
    write_sample(again, seed=SEED)
    write_sample(fresh, seed=SEED)
    assert _tree(again) == {**_tree(fresh), "README.md": "Læg udtræk her".encode(), "as2007/noter.docx": b"not an extract"}
