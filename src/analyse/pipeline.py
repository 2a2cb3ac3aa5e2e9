"""`analyse clean`: every source of a raw folder → processed tables, indicators and quality report.

Outputs in the processed folder (all written atomically, after everything has
been computed, so a failing or interrupted run leaves the previous outputs whole):

- ``<source>.parquet``        the clean, pseudonymised table
- ``<source>_afviste.csv``    rejected rows with reason, file and row (pseudonym, never CPR/name)
- ``indikatorer.csv``         ``indicator;group;period;value``
- ``kvalitet.json``           row accounting per source and file
- ``SYNTETISKE_DATA.txt``     present only when built from synthetic sample data
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from analyse import as2007, config, fremmoede, rusmiddel
from analyse.atomic import write_csv, write_json, write_parquet
from analyse.cleaning import CleanContext, SourceResult, SourceSpec, clean_source, is_synthetic, source_files
from analyse.indicators import compute_indicators
from analyse.pseudonym import load_key

log = logging.getLogger(__name__)

# Every source the suite knows, in report order. A new source adds its spec here.
SPECS: dict[str, SourceSpec] = {
    "as2007": as2007.SPEC,
    "fremmoede": fremmoede.SPEC,
    "rusmiddel": rusmiddel.SPEC,
}


@dataclass
class CleanSummary:
    results: dict[str, SourceResult]
    outputs: list[Path]
    synthetic: bool


def clean_all(raw_dir: Path, out_dir: Path, mappings_dir: Path | None = None) -> CleanSummary:
    """Clean every source found under ``raw_dir`` and write the outputs to ``out_dir``."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    synthetic = is_synthetic(raw_dir)
    context = CleanContext(
        key=load_key(synthetic=synthetic),
        mappings_dir=config.USER_MAPPINGS_DIR if mappings_dir is None else Path(mappings_dir),
        synthetic=synthetic,
    )
    results: dict[str, SourceResult] = {}
    for name, spec in SPECS.items():
        files = source_files(raw_dir, name)
        if files:
            results[name] = clean_source(spec, files, context)
            log.info("%s: %d rækker ind, %d rene, %d afviste", name,
                     results[name].quality["rows_in"], len(results[name].clean), len(results[name].rejected))
    indicators = compute_indicators({name: r.clean for name, r in results.items()})

    quality = {name: r.quality for name, r in results.items()}
    outputs = []
    for name, result in results.items():
        outputs.append(write_parquet(out_dir / f"{name}.parquet", result.clean))
        outputs.append(write_csv(out_dir / f"{name}_afviste.csv", result.rejected, for_excel=True))
    outputs.append(write_csv(out_dir / "indikatorer.csv", indicators))
    outputs.append(write_json(out_dir / "kvalitet.json", quality))

    # Outputs of sources no longer in the raw folder would silently feed stale reports.
    for name in SPECS:
        if name not in results:
            for stale in (out_dir / f"{name}.parquet", out_dir / f"{name}_afviste.csv"):
                stale.unlink(missing_ok=True)
    marker = out_dir / config.SYNTHETIC_MARKER
    if synthetic:
        shutil.copyfile(raw_dir / config.SYNTHETIC_MARKER, marker)
        outputs.append(marker)
    else:
        marker.unlink(missing_ok=True)
    return CleanSummary(results=results, outputs=outputs, synthetic=synthetic)
