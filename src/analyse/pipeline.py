"""`analyse clean`: every source of a raw folder → processed tables, indicators and quality report.

Outputs in the processed folder, written after everything has been computed and
moved into place as one set (:class:`analyse.atomic.StagedOutputs`), so a failing
or killed run leaves the previous outputs whole, never a mix of two runs:

- ``<source>.parquet``        the clean, pseudonymised table
- ``<source>_afviste.csv``    rejected rows with reason, file and row (pseudonym, never CPR/name)
- ``indikatorer.csv``         ``indicator;group;period;value``
- ``kvalitet.json``           row accounting per source and file
- ``SYNTETISKE_DATA.txt``     present only when built from synthetic sample data
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# (schemas loads pandera. The cleaners' modules leave it to whoever validates, as report
# kernels import them too; this module only cleans, so it loads pandera up front with the rest.)
from analyse import config, schemas  # noqa: F401 - schemas: loaded here, used by clean_source
from analyse.atomic import StagedOutputs, recover
from analyse.cleaning import CleanContext, SourceResult, clean_source, is_synthetic, other_folders, source_files
from analyse.indicators import as_written, compute_indicators, indicators_by_source
from analyse.periods import INDICATOR_FILE
from analyse.pseudonym import load_key
from analyse.readers import ignored_files, list_extracts
from analyse.sources import SPECS

log = logging.getLogger(__name__)

# Per source: where its quality entry counts values no mapping knows, the mapping file that
# would make them known, and what to call them.
UNKNOWN_VALUES = {
    "as2007": ("unknown_labels", "ydelsestype", "ukendte ydelsestyper"),
    "fremmoede": ("unknown_tilbud", "tilbud", "ukendte tilbudsnavne"),
    "rusmiddel": ("unknown_labels", "afslutningsstatus", "ukendte afslutningsstatusser"),
}


def quality_hints(name: str, quality: dict, out_dir: Path, mappings_dir: Path | None = None) -> list[str]:
    """What the analyst should look at after cleaning a source: files and counts, never cell values.

    (A value typed into the wrong column could be a name, so the values stay in the
    files the hints point to.)

    >>> quality_hints("as2007", {"rows_rejected": 2, "unknown_labels": {"x": 3, "y": 1}}, Path("ud"), Path("m"))
    ['afviste rækker og årsager: ud/as2007_afviste.csv', 'ukendte ydelsestyper: 2 (på 4 rækker, se kvalitet.json); tilføj dem i m/ydelsestype.csv']
    """
    mappings_dir = config.USER_MAPPINGS_DIR if mappings_dir is None else Path(mappings_dir)
    hints = overlap_warnings(name, quality)
    if quality.get("rows_rejected"):
        hints.append(f"afviste rækker og årsager: {Path(out_dir) / f'{name}_afviste.csv'}")
    if name in UNKNOWN_VALUES:
        key, mapping, what = UNKNOWN_VALUES[name]
        unknown = quality.get(key) or {}
        if unknown:
            hints.append(f"{what}: {len(unknown)} (på {sum(unknown.values())} rækker, se kvalitet.json); "
                         f"tilføj dem i {mappings_dir / f'{mapping}.csv'}")
    repeated = quality.get("anonymous_duplicates_removed") or 0
    if repeated:
        files = ", ".join(f"{file}: {n}" for file, n in (quality.get("anonymous_duplicates_by_file") or {}).items())
        hints.append(f"ADVARSEL: {repeated} ens anonyme rækker er talt som dubletter"
                     + (f" ({files})" if files else "") + "; brug kolonnen Antal til flere anonyme besøg på én række")
    return hints


# Per source: what one record of its ``overlapping_files`` is (see SourceSpec.identity_columns).
RECORDS = {
    "as2007": "bevillinger (samme person, ydelsestype og startdato)",
    "fremmoede": "navngivne registreringer (samme deltager, dato og tilbud)",
    "rusmiddel": "behandlingsforløb (samme person, rusmiddel og startdato)",
}


# What a record in two files does to the indicators. AS2007's indicators count distinct persons,
# so a grant read twice is harmless unless the two copies differ: an old extract's open grant
# beside the refreshed, ended one keeps the person counted for too long.
COUNTED_TWICE = {
    "as2007": "personer tælles kun én gang, men en bevilling, der er åben i den ene fil og afsluttet i "
              "den anden, holder personen med i tallene for længe",
}


def _day(iso: str | None) -> str:
    """``2019-01-31`` as ``31-01-2019``."""
    return "-".join(reversed(str(iso).split("-"))) if iso else "?"


def overlap_warnings(name: str, quality: dict) -> list[str]:
    """A warning per pair of files that hold the same records (``overlapping_files`` in kvalitet.json).

    File names are as kvalitet.json gives them (a CPR-like number in a name is hidden there).

    >>> q = {"overlapping_files": [{"files": ["gl.csv", "ny.csv"], "rows": 144,
    ...                             "first_date": "2019-01-02", "last_date": "2019-06-28"}]}
    >>> print(overlap_warnings("as2007", q)[0])  # doctest: +NORMALIZE_WHITESPACE
    ADVARSEL: gl.csv og ny.csv har 144 bevillinger (samme person, ydelsestype og startdato) til fælles
    (02-01-2019 til 28-06-2019), og personer tælles kun én gang, men en bevilling, der er åben i den ene fil
    og afsluttet i den anden, holder personen med i tallene for længe. Et udtræk, der er gemt to gange (fx også som xlsx),
    eller et gammelt og et nyt udtræk side om side giver dette: fjern den ældste af filerne fra mappen
    og rens igen (se overlapping_files i kvalitet.json).
    """
    warnings = []
    for overlap in quality.get("overlapping_files") or []:
        first, second = overlap["files"]
        rows, anonymous = overlap.get("rows", 0), overlap.get("anonymous_rows", 0)
        span = f"{_day(overlap.get('first_date'))} til {_day(overlap.get('last_date'))}"
        found = []
        if rows:
            found.append(f"{rows} {RECORDS.get(name, 'rækker')} til fælles")
        if anonymous:
            found.append(f"{anonymous} anonyme rækker på dage, som begge filer dækker for samme tilbud")
        if not found:
            continue
        counted = (COUNTED_TWICE.get(name, "de tælles nu to gange") if rows else "de kan være talt to gange")
        warnings.append(
            f"ADVARSEL: {first} og {second} har {' og '.join(found)} ({span}), og {counted}. "
            "Et udtræk, der er gemt to gange (fx også som xlsx), eller et gammelt og et nyt udtræk side om side "
            "giver dette: fjern den ældste af filerne fra mappen og rens igen (se overlapping_files i kvalitet.json)."
            + ("" if rows else " Er det to forskellige lister for samme tilbud, er der intet at gøre.")
        )
    return warnings


@dataclass
class CleanSummary:
    results: dict[str, SourceResult]
    outputs: list[Path]
    synthetic: bool
    # Sources taken unchanged from ``out_dir`` (``clean_all(only=...)``), and every source's indicator rows.
    reused: dict[str, SourceResult] = field(default_factory=dict)
    indicators: dict[str, pd.DataFrame] = field(default_factory=dict)


def _reusable(out_dir: Path, name: str, quality: dict) -> SourceResult | None:
    """A source's earlier result from ``out_dir`` (its Parquet table and quality entry), if whole."""
    table = out_dir / f"{name}.parquet"
    if not (table.is_file() and (out_dir / f"{name}_afviste.csv").is_file() and isinstance(quality.get(name), dict)):
        return None
    return SourceResult(name=name, clean=pd.read_parquet(table), rejected=pd.DataFrame(), quality=quality[name])


def _earlier_quality(out_dir: Path) -> dict:
    try:
        data = json.loads((out_dir / "kvalitet.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def clean_all(
    raw_dir: Path, out_dir: Path, mappings_dir: Path | None = None, only: Collection[str] | None = None
) -> CleanSummary:
    """Clean every source found under ``raw_dir`` and write the outputs to ``out_dir``.

    With ``only``, just those sources are cleaned; the others found under ``raw_dir``
    are taken from their earlier outputs in ``out_dir`` (cleaned after all if those are
    missing), and the indicators are computed again from every clean table, so
    ``indikatorer.csv`` and ``kvalitet.json`` always cover every source.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    folders = other_folders(raw_dir)  # (stops at a source's folder spelt otherwise, before anything is removed)
    # A clean killed while moving its outputs into place is finished first (see atomic.StagedOutputs).
    if recover(out_dir):
        log.warning("en afbrudt kørsel efterlod %s halvt opdateret; den er gjort færdig", out_dir)
    synthetic = is_synthetic(raw_dir)
    context = CleanContext(
        key=load_key(synthetic=synthetic),
        mappings_dir=config.USER_MAPPINGS_DIR if mappings_dir is None else Path(mappings_dir),
        synthetic=synthetic,
    )
    results: dict[str, SourceResult] = {}
    reused: dict[str, SourceResult] = {}
    earlier = _earlier_quality(out_dir) if only is not None else {}
    for path in list_extracts(raw_dir):
        if path.name != config.SYNTHETIC_MARKER:
            log.warning("filen %s ligger direkte i %s og er sprunget over; læg den i mappen for sin kilde (%s)",
                        path.name, raw_dir, ", ".join(f"{name}/" for name in SPECS))
    for folder in folders:
        log.warning("mappen %s/ i %s er sprunget over; kun kildernes mapper læses (%s)",
                    folder.name, raw_dir, ", ".join(f"{name}/" for name in SPECS))
    for name, spec in SPECS.items():
        files = source_files(raw_dir, name)
        for path in ignored_files(raw_dir / name):
            log.warning("%s: filen %s er sprunget over (kun CSV, TXT, TSV, XLSX og XLSM læses som udtræk)",
                        name, path.name)
        if files and only is not None and name not in only:
            kept = _reusable(out_dir, name, earlier)
            if kept is not None:
                reused[name] = kept
                continue
        if files:
            results[name] = clean_source(spec, files, context)
            log.info("%s: %d rækker ind, %d rene, %d afviste", name,
                     results[name].quality["rows_in"], len(results[name].clean), len(results[name].rejected))
    every = {name: results.get(name) or reused[name] for name in SPECS if name in results or name in reused}
    tables = {name: r.clean for name, r in every.items()}
    quality = {name: r.quality for name, r in every.items()}
    # All outputs are written in full beside the folder first and then moved into place
    # together, so a killed run leaves either the old set or the new one, never a mix.
    staged = StagedOutputs(out_dir)
    try:
        # The Parquet tables are written on a second thread while the indicators are
        # computed: pyarrow writes without holding the GIL, and on a large extract the
        # two take about as long each. Leaving the ``with`` waits for the writes (and
        # re-raises their errors) before anything is committed or discarded.
        with ThreadPoolExecutor(max_workers=1) as writer:
            written = [writer.submit(staged.parquet, f"{name}.parquet", result.clean) for name, result in results.items()]
            by_source = indicators_by_source(tables)
            indicators = compute_indicators(tables, by_source)
            for done in written:
                done.result()
        for name, result in results.items():
            staged.csv(f"{name}_afviste.csv", result.rejected, for_excel=True)
        staged.csv(INDICATOR_FILE, as_written(indicators))
        staged.json("kvalitet.json", quality)
        # Outputs of sources no longer in the raw folder would silently feed stale reports.
        for name in SPECS:
            if name not in every:
                gone = [f for f in (f"{name}.parquet", f"{name}_afviste.csv") if (out_dir / f).exists()]
                if gone:  # (said, as removing a table is what a misplaced folder would otherwise do unseen)
                    log.warning("%s: ingen udtræk i %s længere; renset data fjernes: %s",
                                name, raw_dir / name, ", ".join(gone))
                staged.remove(f"{name}.parquet", f"{name}_afviste.csv")
        if synthetic:
            staged.copy(raw_dir / config.SYNTHETIC_MARKER, config.SYNTHETIC_MARKER)
        else:
            staged.remove(config.SYNTHETIC_MARKER)
        outputs = staged.commit()
    finally:
        staged.discard()
    return CleanSummary(results=results, outputs=outputs, synthetic=synthetic, reused=reused, indicators=by_source)
