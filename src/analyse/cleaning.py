"""Cleaning every source of a raw folder: read → de-duplicate → clean → account for every row.

Each source module (``as2007``, ``fremmoede``, ``rusmiddel``) declares a
:class:`SourceSpec`: its columns with aliases and a cleaning function; its pandera
schema is in :mod:`analyse.schemas` under the source's name. This module does what
is common to all of them:

- reads every extract in ``<raw>/<source>/`` (see :mod:`analyse.readers`);
- removes exact duplicate rows (same text in every column, within or across
  files; columns outside the contract count too, though they are not kept) and
  counts them against the file they were dropped from;
- runs the source's cleaner, which marks each row it cannot use with a reason;
- splits clean from rejected rows, validates the clean table with the schema and
  accounts for every input row per file: ``rows_in = rows_clean + rows_rejected +
  duplicates_removed``;
- writes rejected rows with the pseudonym, never the CPR number or the name, and
  hides what a shifted row put in the wrong column (:func:`hide_misplaced_personal_data`);
- finds records that are in more than one file of the source (the same grant, episode
  or named registration: :attr:`SourceSpec.identity_columns`), which exact duplicates
  miss when an extract was exported twice or an old and a refreshed one lie side by
  side. They are kept, as the contract removes exact duplicates only, and reported in
  ``overlapping_files`` (:func:`overlapping_files`), for the analyst to remove a file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from analyse import config
from analyse.exceptions import ConfigError
from analyse.readers import OTHER_CELLS, Column, RawTable, list_extracts, read_extract
from analyse.values import CPR_LIKE, hide_cprs, map_distinct, spread  # noqa: F401 - CPR_LIKE: part of this module's API

REASON = "_reason"
REASON_COLUMN = "_column"

# Spreadsheet exports often end with summary lines ("I alt;;;;1.234", "Antal personer: 2").
# They are not registrations: rejected with this reason rather than as a bad CPR number or date.
R_TOTAL_ROW = "sumrække (I alt), ikke en registrering"
# A cell that is only such a label, optionally with a colon and a number ("I alt: 5").
TOTAL_LABEL = re.compile(
    r"(i alt|ialt|sum i alt|total|totalt|hovedtotal|grand total|antal (?:personer|borgere|rækker|registreringer))"
    r"\s*:?\s*[\d.,]*",
)


# What the rejected-rows file shows instead of a value that may be personal. The analyst finds
# the value itself in the raw extract, at the file and row the same line names.
CPR_HIDDEN = "[CPR skjult]"
TEXT_HIDDEN = "[tekst skjult]"
# Two letters anywhere in the value are enough for a name or initials. A single letter ("x",
# "7 t") identifies no one and is the commonest placeholder, so the analyst still sees it.
NAME_LETTERS = 2


@dataclass(frozen=True)
class CleanContext:
    """What a source's cleaner needs besides the rows."""

    key: bytes
    mappings_dir: Path = field(default_factory=lambda: config.USER_MAPPINGS_DIR)
    synthetic: bool = False


@dataclass(frozen=True)
class SourceSpec:
    """A source's contract and its cleaner.

    ``clean`` receives the de-duplicated raw text (contract column names plus
    ``source_file``/``source_row``) and returns one row per input row with the
    typed output columns, ``pseudonym``, and :data:`REASON`/:data:`REASON_COLUMN`
    set for rows it rejects (see :func:`reject`). ``personal_columns`` are raw
    columns that must never be written (CPR, names). ``date_and_number_columns``
    are raw columns that should hold a date or a number: in the rejected-rows
    file a value there with letters in it is hidden, since after a shifted row it
    may be a name (:func:`hide_misplaced_personal_data`). It has no default, so a
    new source has to say which of its columns these are.

    ``identity_columns`` are output columns that together identify one record (a
    grant, an episode, a named registration), ``identity_date`` the one of them
    that dates it: a record found in two files is reported in ``overlapping_files``
    (:func:`overlapping_files`). Rows with a missing value there (anonymous
    registrations) have no identity; with ``anonymous_groups`` (e.g. the tilbud),
    two files whose such rows cover the same days in the same group are reported
    too. ``describe_duplicates`` receives the exact duplicates removed because
    they repeat a row of their own file (raw text) and returns quality facts.
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    clean: Callable[[pd.DataFrame, CleanContext], pd.DataFrame]
    output_columns: tuple[str, ...]
    personal_columns: tuple[str, ...]
    date_and_number_columns: tuple[str, ...]
    describe: Callable[[pd.DataFrame, pd.DataFrame], dict] | None = None
    identity_columns: tuple[str, ...] = ()
    identity_date: str | None = None
    anonymous_groups: tuple[str, ...] = ()
    describe_duplicates: Callable[[pd.DataFrame], dict] | None = None

    def __post_init__(self) -> None:
        # A misspelt name would silently protect nothing: stop when the source is declared.
        names = {c.name for c in self.columns}
        unknown = sorted((set(self.personal_columns) | set(self.date_and_number_columns)) - names)
        if unknown:
            raise ValueError(f"{self.name}: ukendte kolonner i kildens erklæring: {', '.join(unknown)}")
        # (Likewise a misspelt identity would find no overlap, ever.)
        outputs = set(self.output_columns)
        unknown = sorted((set(self.identity_columns) | set(self.anonymous_groups)) - outputs)
        if unknown:
            raise ValueError(f"{self.name}: ukendte uddatakolonner i kildens identitet: {', '.join(unknown)}")
        if bool(self.identity_columns) != (self.identity_date in self.identity_columns):
            raise ValueError(f"{self.name}: identity_date skal være en af identity_columns")
        if self.anonymous_groups and not self.identity_columns:
            raise ValueError(f"{self.name}: anonymous_groups kræver identity_columns")


@dataclass
class SourceResult:
    """A cleaned source: the clean table, the rejected rows and the quality account."""

    name: str
    clean: pd.DataFrame
    rejected: pd.DataFrame
    quality: dict


def reject(frame: pd.DataFrame, mask: pd.Series, reason: str, column: str) -> pd.DataFrame:
    """Mark rows matching ``mask`` as rejected, unless an earlier rule already rejected them.

    The first reason wins, so each rejected row is counted once. Returns a new frame.

    >>> df = pd.DataFrame({"x": [1, -1, None]})
    >>> df = reject(df, df.x.isna(), "mangler x", "X")
    >>> df = reject(df, df.x.fillna(-1) < 0, "negativ x", "X")
    >>> df[REASON].tolist()
    [None, 'negativ x', 'mangler x']
    """
    out = frame.copy(deep=False)  # copy-on-write: columns are shared until changed
    if REASON in out:
        reasons = out[REASON].to_numpy(dtype=object, copy=True)
        columns = out[REASON_COLUMN].to_numpy(dtype=object, copy=True)
    else:
        reasons = np.full(len(out), None, dtype=object)
        columns = np.full(len(out), None, dtype=object)
    # (Plain arrays rather than ``.loc`` assignment: seven rules over a million rows add up.)
    new = mask.fillna(False).to_numpy(dtype=bool) & pd.isna(reasons)
    reasons[new] = reason
    columns[new] = column
    return _with_reasons(out, reasons, columns)


def _with_reasons(frame: pd.DataFrame, reasons: np.ndarray, columns: np.ndarray) -> pd.DataFrame:
    out = frame.copy(deep=False)
    out[REASON] = pd.Series(reasons, index=out.index, dtype=object, copy=False)
    out[REASON_COLUMN] = pd.Series(columns, index=out.index, dtype=object, copy=False)
    return out


def name_total_rows(processed: pd.DataFrame, raw: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Give rejected rows that are summary lines ("I alt", "Total", "Antal personer: 2") that reason.

    A summary line never passes a cleaner (it has no CPR number or date), so only the
    rejected rows are looked at: that is cheap, and a real registration whose supplier
    happens to be called "Total" is never touched. ``labels`` maps the raw columns to
    look in to the names shown in the rejected-rows file; the first column holding a
    label is named.

    >>> raw = pd.DataFrame({"cpr": ["0102031234", "I alt:", "", "Total"], "antal": ["1", "", "Antal personer: 2", "3"]})
    >>> processed = reject(raw, pd.Series([False, True, True, False]), "ugyldigt CPR-nummer", "CPR")
    >>> out = name_total_rows(processed, raw, {"cpr": "CPR", "antal": "Antal"})
    >>> out[REASON].tolist()
    [None, 'sumrække (I alt), ikke en registrering', 'sumrække (I alt), ikke en registrering', None]
    >>> out[REASON_COLUMN].tolist()
    [None, 'CPR', 'Antal', None]
    """
    if REASON not in processed:
        return processed
    rejected = processed[REASON].notna().to_numpy()
    if not rejected.any():
        return processed
    reasons = processed[REASON].to_numpy(dtype=object, copy=True)
    columns = processed[REASON_COLUMN].to_numpy(dtype=object, copy=True)
    rows = np.flatnonzero(rejected)
    named = np.zeros(len(rows), dtype=bool)
    for column, label in labels.items():
        if column not in raw:
            continue
        texts = raw[column].iloc[rows].astype(object).fillna("").astype(str).str.strip().str.casefold()
        hit = texts.str.fullmatch(TOTAL_LABEL).to_numpy(dtype=bool) & ~named
        reasons[rows[hit]] = R_TOTAL_ROW
        columns[rows[hit]] = label
        named |= hit
    return _with_reasons(processed, reasons, columns)


def hide_misplaced_personal_data(values: pd.DataFrame, date_and_number_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """The raw cells of rejected rows as the rejected-rows file may show them.

    A row that is shifted, or has its values in the wrong columns, can carry a CPR
    number or a name outside the personal columns (which are never written). So in
    every column a CPR-like number (:data:`CPR_LIKE`) becomes :data:`CPR_HIDDEN`, and
    in the columns that should hold a date or a number a value with letters becomes
    :data:`TEXT_HIDDEN`. A value with digits and punctuation only stays as written
    (``31-02-2018``, ``7,5,5``), and so does the text of label columns (Ydelsestype,
    Tilbud): that is what the analyst needs to see to fix a mapping or an extract.
    Returns a new frame; works once per distinct value.

    >>> raw = pd.DataFrame({"type": ["§ 85", "§ 85 bostøtte 020203-1234"],
    ...                     "start": ["020203-1234", "31-02-2018"], "antal": ["Anne Hansen", "7,5,5"]})
    >>> hide_misplaced_personal_data(raw, ("start", "antal")).values.tolist()
    [['§ 85', '[CPR skjult]', '[tekst skjult]'], ['§ 85 bostøtte [CPR skjult]', '31-02-2018', '7,5,5']]
    """
    out = values.copy(deep=False)  # copy-on-write: columns are shared until changed
    for column in values.columns:
        hide_text = column in date_and_number_columns
        codes, uniques = pd.factorize(values[column], use_na_sentinel=True)
        hidden = pd.Series([_hidden(u, hide_text) for u in uniques], dtype=values[column].dtype)
        out[column] = spread(hidden, codes, values.index)
    return out


def _hidden(text: str, hide_text: bool) -> str:
    """One cell of :func:`hide_misplaced_personal_data`.

    >>> _hidden("Anne 1", True), _hidden("Anne 1", False), _hidden("x 0102031234", True)
    ('[tekst skjult]', 'Anne 1', 'x [CPR skjult]')
    """
    # Letters are looked at first, in the text as written: the CPR marker has letters of its own.
    if hide_text and sum(map(str.isalpha, text)) >= NAME_LETTERS:
        return TEXT_HIDDEN
    return hide_cprs(text, CPR_HIDDEN)


# The end of the reasons that say a row's values sit in the wrong columns: the cell a reason
# names then holds personal data (a CPR number, a participant's name) and is never written.
SHIFTED_ROW = "(forskudt række?)"
R_CPR_ELSEWHERE = f"CPR-nummer uden for CPR-kolonnen {SHIFTED_ROW}"


def hide_shifted_cells(rejected: pd.DataFrame) -> pd.DataFrame:
    """The rejected-rows table with the cell a shifted-row reason names hidden (:data:`SHIFTED_ROW`).

    >>> r = pd.DataFrame({"reason": ["deltagernavn i Tilbud-kolonnen (forskudt række?)", "ukendt"],
    ...                   "column": ["Tilbud", "Tilbud"], "Tilbud": ["Ulrik Jensen", "Yoga"]})
    >>> hide_shifted_cells(r)["Tilbud"].tolist()
    ['[tekst skjult]', 'Yoga']
    """
    out = rejected.copy()
    shifted = out["reason"].astype(str).str.endswith(SHIFTED_ROW)
    for column in out.loc[shifted, "column"].dropna().unique():
        if column in out:
            out.loc[shifted & (out["column"] == column), column] = TEXT_HIDDEN
    return out


def reject_cpr_outside_cpr_column(processed: pd.DataFrame, raw: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Reject rows whose label columns (Tilbud, Leverandør, …) hold a CPR-like number.

    A label passes on to the clean table, the indicators and the reports (an unknown tilbud
    is shown by name), so a CPR number there, typically from a shifted row, must not pass as
    a label. ``labels`` maps those raw columns to the names shown in the rejected-rows file,
    where the number itself is hidden (:func:`hide_misplaced_personal_data`). An earlier
    reason wins, as always (:func:`reject`).

    >>> raw = pd.DataFrame({"tilbud": ["NADA", "010203-1234", "Café 12"]})
    >>> reject_cpr_outside_cpr_column(raw, raw, {"tilbud": "Tilbud"})[REASON].tolist()
    [None, 'CPR-nummer uden for CPR-kolonnen (forskudt række?)', None]
    """
    out = processed
    for column, label in labels.items():
        if column not in raw:
            continue
        # (Per distinct label: a few dozen regular-expression searches, not a million.)
        cpr_like = map_distinct(raw[column].fillna(""), lambda text: CPR_LIKE.search(text) is not None, dtype=bool)
        if cpr_like.any():
            out = reject(out, cpr_like, R_CPR_ELSEWHERE, label)
    return out


def drop_exact_duplicates(raw: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Remove rows whose contract cells repeat an earlier row exactly; count them per file.

    >>> raw = pd.DataFrame({"a": ["1", "1", "2"], "source_file": ["f", "g", "f"], "source_row": [2, 2, 3]})
    >>> kept, counts = drop_exact_duplicates(raw, ["a"])
    >>> len(kept), counts.to_dict()
    (2, {'g': 1})
    """
    duplicated, _ = find_exact_duplicates(raw, columns)
    return _without(raw, duplicated)


def _without(raw: pd.DataFrame, duplicated: np.ndarray) -> tuple[pd.DataFrame, pd.Series]:
    counts = raw.loc[duplicated, "source_file"].value_counts()
    return raw.loc[~duplicated].reset_index(drop=True), counts


def find_exact_duplicates(raw: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows that repeat an earlier row exactly, and those of them that repeat a row of their own file.

    (A repeat within a file is often a list that writes one line per anonymous visitor;
    a repeat across files, a file copied. Both are removed; see :attr:`SourceSpec.describe_duplicates`.)

    >>> raw = pd.DataFrame({"a": ["1", "1", "1", "2"], "source_file": ["f", "g", "g", "f"]})
    >>> [m.tolist() for m in find_exact_duplicates(raw, ["a"])]
    [[False, True, True, False], [False, False, True, False]]
    >>> raw = pd.DataFrame({"a": ["1", "1", "2", "1"], "b": ["x", "y", "x", "x"], "source_file": "f"})
    >>> find_exact_duplicates(raw, ["a", "b"])[0].tolist() == raw.duplicated(["a", "b"]).tolist()
    True
    """
    rows, key = _duplicate_candidates(raw, columns)
    duplicated = np.zeros(len(raw), dtype=bool)
    within_file = np.zeros(len(raw), dtype=bool)
    if key is not None and len(rows):
        duplicated[rows[pd.Series(key).duplicated(keep="first").to_numpy()]] = True
        # Only the few rows that share their values with another one are looked at again.
        files = pd.factorize(raw["source_file"].iloc[rows])[0]
        within_file[rows[pd.DataFrame({"key": key, "file": files}).duplicated(keep="first").to_numpy()]] = True
    return duplicated, within_file


def _duplicate_candidates(raw: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
    """The rows that share all their values with another row, and a key per row saying which.

    After each column only rows that still share their values with another row stay
    candidates, so on a large extract the costly columns (amounts, nearly all distinct)
    are only compared for the few rows that agree on CPR, type and dates.
    """
    rows = np.arange(len(raw))
    key = None
    for column in _comparison_order(raw, columns):
        if not len(rows):
            break
        column_values = raw[column] if len(rows) == len(raw) else raw[column].iloc[rows]
        codes, uniques = pd.factorize(column_values, use_na_sentinel=False)
        # Codes are already dense for the first column; later ones are combined and made dense.
        key = codes if key is None else pd.factorize(key * (len(uniques) + 1) + codes)[0]
        shared = np.bincount(key)[key] > 1
        rows, key = rows[shared], key[shared]
    return rows, key


def _comparison_order(raw: pd.DataFrame, columns: list[str], sample_rows: int = 20_000) -> list[str]:
    """The columns in the order that rules out most rows soonest, judged on a sample.

    Columns with many repeated values split the rows most cheaply (dates, CPR);
    nearly unique ones (amounts) go last, as factorizing them costs the most and
    by then few rows are left to compare. Small tables keep the given order.

    >>> raw = pd.DataFrame({"few": ["a", "b"] * 50_000, "many": [str(i % 5000) for i in range(100_000)],
    ...                     "unique": [str(i) for i in range(100_000)]})
    >>> _comparison_order(raw, ["unique", "few", "many"])
    ['many', 'few', 'unique']
    """
    if len(raw) < 5 * sample_rows:
        return list(columns)
    sample = raw.iloc[:: len(raw) // sample_rows]
    distinct = {column: sample[column].nunique() for column in columns}
    return sorted(columns, key=lambda c: (distinct[c] > 0.9 * len(sample), -distinct[c]))


def overlapping_files(
    clean: pd.DataFrame,
    identity: tuple[str, ...],
    date: str,
    anonymous_groups: tuple[str, ...] = (),
) -> list[dict]:
    """Per pair of files (``source_file``): the records in both, and the days both cover anonymously.

    A record is one value of the ``identity`` columns (rows with a missing value there
    have none); ``rows`` counts the records found in both files (an extract written
    twice: all of them). With ``anonymous_groups``, the rows without identity are
    compared by their dates in each group (a tilbud): where both files have such rows
    on a span of days, ``anonymous_rows`` counts those of both files in that span.
    ``first_date``/``last_date`` span the ``date`` of the shared records and those days.
    Nothing is removed: the analyst decides which file goes.

    Work is on integer codes, one column at a time, keeping only the rows whose values
    so far occur in more than one file (with one file per year, the dates alone rule
    out nearly all); one file costs nothing.

    >>> clean = pd.DataFrame({"p": ["a", "a", "b", "a", None, None, None],
    ...                       "d": pd.to_datetime(["2019-01-02", "2019-01-09", "2019-01-02", "2019-01-02",
    ...                                            "2019-01-05", "2019-01-04", "2019-01-10"]),
    ...                       "t": ["X", "X", "X", "X", "X", "X", "X"],
    ...                       "source_file": ["gl.csv", "gl.csv", "gl.csv", "ny.csv", "gl.csv", "ny.csv", "ny.csv"]})
    >>> overlapping_files(clean, ("p", "d"), "d", ("t",))  # doctest: +NORMALIZE_WHITESPACE
    [{'files': ['gl.csv', 'ny.csv'], 'rows': 1, 'first_date': '2019-01-02', 'last_date': '2019-01-05',
      'anonymous_rows': 1}]
    """
    if clean.empty:
        return []
    file_codes, files = pd.factorize(clean["source_file"])  # (in the order the files were read)
    if len(files) < 2:
        return []
    file_codes = file_codes.astype(np.int64)
    dates = clean[date].to_numpy(dtype="datetime64[ns]").view(np.int64)
    identified = np.ones(len(clean), dtype=bool)
    for column in identity:
        identified &= clean[column].notna().to_numpy()
    found: dict[tuple[int, int], dict] = {}

    def entry(a: int, b: int) -> dict:
        return found.setdefault((a, b), {"rows": 0, "first": None, "last": None, "anonymous_rows": 0})

    def widen(item: dict, first: int, last: int) -> None:
        item["first"] = first if item["first"] is None else min(item["first"], first)
        item["last"] = last if item["last"] is None else max(item["last"], last)

    # Records: the date first (integers, and the column that tells files apart soonest).
    rows = np.flatnonzero(identified)
    key = None
    for column in [date, *(c for c in identity if c != date)]:
        if not len(rows):
            break
        if column == date:  # (days since the first one: codes without a hash table)
            days = dates[rows] // 86_400_000_000_000
            codes, n_codes = days - days.min(), int(days.max() - days.min()) + 1
        else:
            codes, uniques = pd.factorize(clean[column].iloc[rows])
            n_codes = len(uniques)
        key = codes if key is None else pd.factorize(key * (n_codes + 1) + codes)[0]
        shared = _files_per_key(key, file_codes[rows], len(files))[key] > 1
        rows, key = rows[shared], key[shared]
    if len(rows):
        records = pd.DataFrame({"key": key, "file": file_codes[rows], "date": dates[rows]})
        records = records.drop_duplicates(["key", "file"])
        pairs = records.merge(records[["key", "file"]], on="key", suffixes=("", "_other"))
        pairs = pairs[pairs["file"] < pairs["file_other"]]
        summary = pairs.groupby(["file", "file_other"]).agg(rows=("key", "size"), first=("date", "min"),
                                                            last=("date", "max"))
        for (a, b), r in summary.iterrows():
            item = entry(int(a), int(b))
            item["rows"] = int(r["rows"])
            widen(item, int(r["first"]), int(r["last"]))

    # Rows without identity: the days each file covers per group, where two files share some.
    anonymous = np.flatnonzero(~identified)
    if anonymous_groups and len(anonymous):
        group = np.zeros(len(anonymous), dtype=np.int64)
        for column in anonymous_groups:
            codes, uniques = pd.factorize(clean[column].iloc[anonymous], use_na_sentinel=False)
            group = pd.factorize(group * (len(uniques) + 1) + codes)[0]
        f, d = file_codes[anonymous], dates[anonymous]
        order = np.lexsort((d, f, group))
        group, f, d = group[order], f[order], d[order]
        block = group * len(files) + f
        starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
        ends = np.r_[starts[1:], len(block)]
        spans = pd.DataFrame({"group": group[starts], "file": f[starts], "start": starts, "end": ends,
                              "first": d[starts], "last": d[ends - 1]})
        pairs = spans.merge(spans, on="group", suffixes=("", "_other"))
        pairs = pairs[(pairs["file"] < pairs["file_other"])]
        low = np.maximum(pairs["first"], pairs["first_other"])
        high = np.minimum(pairs["last"], pairs["last_other"])
        pairs = pairs.assign(low=low, high=high)[low <= high]
        for r in pairs.itertuples(index=False):
            inside = sum(int(np.searchsorted(d[s:e], r.high, side="right") - np.searchsorted(d[s:e], r.low))
                         for s, e in ((r.start, r.end), (r.start_other, r.end_other)))
            item = entry(int(r.file), int(r.file_other))
            item["anonymous_rows"] += inside
            widen(item, int(r.low), int(r.high))

    def day(value: int) -> str:
        return str(pd.Timestamp(value).date())

    out = []
    for (a, b), item in sorted(found.items()):
        record = {"files": [str(files[a]), str(files[b])], "rows": item["rows"],
                  "first_date": day(item["first"]), "last_date": day(item["last"])}
        if anonymous_groups:
            record["anonymous_rows"] = item["anonymous_rows"]
        out.append(record)
    return out


def _files_per_key(key: np.ndarray, file_codes: np.ndarray, n_files: int) -> np.ndarray:
    """How many different files each key (dense codes) occurs in.

    >>> _files_per_key(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0]), 2).tolist()
    [2, 1, 1]
    """
    pairs = pd.unique(key.astype(np.int64) * n_files + file_codes)
    return np.bincount(pairs // n_files, minlength=int(key.max()) + 1 if len(key) else 0)


def _file_account(table: RawTable) -> dict:
    return {
        "file": table.file,
        "sha256": table.sha256,
        "encoding": table.encoding,
        "separator": {";": "semikolon", ",": "komma", "\t": "tabulator"}.get(table.separator or "", None),
        "header_row": table.header_row,
        "ignored_columns": table.ignored_columns,
        "rows_in": len(table.data),
    }


def clean_source(spec: SourceSpec, files: list[Path], context: CleanContext) -> SourceResult:
    """Read, de-duplicate and clean all extracts of one source."""
    tables = [read_extract(path, spec.columns) for path in files]
    contract_columns = [c.name for c in spec.columns]
    if tables:
        raw = pd.concat([t.data for t in tables], ignore_index=True)
    else:
        raw = pd.DataFrame(columns=[*contract_columns, "source_file", "source_row"], dtype=str)
    compared = contract_columns
    if OTHER_CELLS in raw:
        # Rows of files without columns outside the contract have none to compare there.
        raw[OTHER_CELLS] = raw[OTHER_CELLS].fillna("")
        compared = [*contract_columns, OTHER_CELLS]
    duplicated, repeated_in_file = find_exact_duplicates(raw, compared)
    deduplicated, duplicate_counts = _without(raw, duplicated)

    processed = spec.clean(deduplicated, context)
    if REASON not in processed:
        processed = reject(processed, pd.Series(False, index=processed.index), "", "")
    processed = name_total_rows(processed, deduplicated, {c.name: c.label for c in spec.columns})
    label_columns = [c for c in spec.columns
                     if c.name not in spec.personal_columns and c.name not in spec.date_and_number_columns]
    processed = reject_cpr_outside_cpr_column(processed, deduplicated, {c.name: c.label for c in label_columns})
    rejected_mask = processed[REASON].notna()

    from analyse.schemas import validate_source  # (pandera only when cleaning; see analyse.schemas)

    clean = validate_source(spec.name, processed.loc[~rejected_mask, list(spec.output_columns)].reset_index(drop=True))

    raw_columns = [c for c in contract_columns if c not in spec.personal_columns]
    # Hidden here, before ``describe`` reads the unknown labels for kvalitet.json: label
    # columns keep their text, so the counts are unchanged, but a CPR number there is not kept.
    raw_values = hide_misplaced_personal_data(deduplicated.loc[rejected_mask, raw_columns],
                                              spec.date_and_number_columns)
    rejected = pd.concat(
        [
            processed.loc[rejected_mask, ["source_file", "source_row", REASON_COLUMN, REASON, "pseudonym"]],
            raw_values,
        ],
        axis=1,
    ).rename(columns={REASON: "reason", REASON_COLUMN: "column", **{c.name: c.label for c in spec.columns}})
    rejected = hide_shifted_cells(rejected)
    rejected = rejected.sort_values(["source_file", "source_row"]).reset_index(drop=True)

    accounts = []
    for table in tables:
        account = _file_account(table)
        in_file = processed["source_file"] == table.file
        reasons = processed.loc[in_file & rejected_mask, REASON].value_counts()
        account.update(
            rows_clean=int((in_file & ~rejected_mask).sum()),
            rows_rejected=int(reasons.sum()),
            duplicates_removed=int(duplicate_counts.get(table.file, 0)),
            rejected_by_reason={str(k): int(v) for k, v in reasons.items()},
        )
        assert account["rows_in"] == account["rows_clean"] + account["rows_rejected"] + account["duplicates_removed"], (
            f"row accounting broken for {table.file}"
        )
        accounts.append(account)

    quality = {
        "title": spec.title,
        "files": accounts,
        "rows_in": sum(a["rows_in"] for a in accounts),
        "rows_clean": len(clean),
        "rows_rejected": int(rejected_mask.sum()),
        "duplicates_removed": int(duplicate_counts.sum()),
    }
    if spec.describe is not None:
        quality.update(spec.describe(clean, rejected))
    if spec.describe_duplicates is not None:
        quality.update(spec.describe_duplicates(raw.loc[repeated_in_file]))
    if spec.identity_columns:
        # (One file, the common case, has nothing to compare.)
        quality["overlapping_files"] = overlapping_files(
            clean, spec.identity_columns, spec.identity_date, spec.anonymous_groups) if len(tables) > 1 else []
    return SourceResult(name=spec.name, clean=clean, rejected=rejected, quality=quality)


def source_files(raw_dir: Path, source: str) -> list[Path]:
    """The extracts of one source under the raw folder."""
    return list_extracts(Path(raw_dir) / source)


def folded_name(name: str) -> str:
    """A folder's name as compared with the sources' names: any case, the Danish letters spelt out.

    (NFC first: macOS writes a file name's "å" as "a" and a ring.)

    >>> folded_name("Fremmøde"), folded_name("AS2007"), folded_name("Rusmiddel"), folded_name("A\u030a")
    ('fremmoede', 'as2007', 'rusmiddel', 'aa')
    """
    name = unicodedata.normalize("NFC", name).casefold()
    return name.replace("ø", "oe").replace("æ", "ae").replace("å", "aa")


def other_folders(raw_dir: Path) -> list[Path]:
    """The subfolders of the raw folder that are no source's (hidden ones left out): not read, to be named.

    A source's name spelt another way (``AS2007/``, ``fremmøde/``) stops the run instead: that
    source would count as gone, and its cleaned data be removed without a word.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    by_folded = {folded_name(source): source for source in config.SOURCES}
    others = []
    for folder in sorted(p for p in raw_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if folder.name in config.SOURCES:
            continue
        source = by_folded.get(folded_name(folder.name))
        if source is not None:
            raise ConfigError(f"mappen {folder.name}/ i {raw_dir} skal hedde {source}/ (ellers læses den ikke, "
                              f"og de rensede data for {source} fjernes); intet er ændret")
        others.append(folder)
    return others


def is_synthetic(raw_dir: Path) -> bool:
    """True when the raw folder holds ``analyse sample`` output (the marker file is present)."""
    return (Path(raw_dir) / config.SYNTHETIC_MARKER).exists()


