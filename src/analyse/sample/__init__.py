"""Synthetic raw extracts for every source, calibrated to the published figures.

``analyse sample --out DIR`` calls :func:`write_sample`: each source's files go to
``DIR/<source>/`` in the formats of the product contract, beside a marker file
(:data:`analyse.config.SYNTHETIC_MARKER`) that tells cleaning, and so every report,
that the data are invented.

Each source has a *builder* in :data:`SOURCE_BUILDERS`: a pure function
``(rng, persons) -> {file name: bytes}``. It gets its own random stream, derived
from the seed and the source's name, so adding a source never changes another
source's files; and it gets the one shared pool of persons, so sources can link
through the CPR number. Output is byte-for-byte the same for the same seed.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np

from analyse import atomic, config
from analyse.exceptions import AnalyseError, ConfigError
from analyse.sample import as2007, fremmoede, rusmiddel
from analyse.sample.people import Person, make_persons

Builder = Callable[[np.random.Generator, list[Person]], dict[str, bytes]]

# The sources the sample covers, in contract order. Add fremmoede and rusmiddel here.
SOURCE_BUILDERS: tuple[tuple[str, Builder], ...] = (
    (as2007.SOURCE, as2007.build_as2007),
    (fremmoede.SOURCE, fremmoede.build_fremmoede),
    (rusmiddel.SOURCE, rusmiddel.build_rusmiddel),
)

# Large enough for every source; AS2007 alone uses about 1,100 persons.
POOL_SIZE = 3000

MARKER_TEXT = """\
SYNTETISKE DATA

Filerne i denne mappe er syntetiske (opdigtede) udtræk, lavet med `analyse sample` (seed {seed}).
De handler ikke om virkelige personer: CPR-numre og navne er dannet tilfældigt.
Tallene er tilpasset, så de gengiver de offentliggjorte tal (published_figures.csv).
Rapporter bygget på disse data skal på hver side oplyse, at data er syntetiske.
"""


def source_rng(seed: int, source: str) -> np.random.Generator:
    """The random stream of one source: fixed by the seed and the source's name."""
    return np.random.default_rng([seed, zlib.crc32(source.encode("utf-8"))])


def person_pool(seed: int) -> list[Person]:
    """The synthetic persons all sources share for this seed."""
    return make_persons(np.random.default_rng([seed, 0]), POOL_SIZE)


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file beside it (see :mod:`analyse.atomic`)."""
    return atomic.write_with(path, lambda tmp: tmp.write_bytes(data))


def write_files_atomic(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``{file name: bytes}`` into ``folder``, each atomically; return the paths."""
    return [write_atomic(folder / name, data) for name, data in files.items()]


def foreign_extracts(out_dir: Path, own: dict[str, Collection[str]]) -> list[str]:
    """The extracts in ``out_dir`` that are not a sample's, as ``folder/file`` (a CPR in a name hidden).

    ``own`` holds the file names the sample writes, per source folder. Files of those
    names count as a sample's only when the marker file is there too: without it they
    are real extracts that happen to share a name. Every subfolder is looked at, not just
    the sources' (``AS2007/`` is ``as2007/`` on Windows and macOS), and so is the folder
    itself; hidden folders and files that are no extract (a README.md) are not.
    """
    from analyse.readers import list_extracts, shown_name  # (pandas: only when a sample is written)

    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    earlier_sample = (out_dir / config.SYNTHETIC_MARKER).is_file()
    found = [shown_name(p) for p in list_extracts(out_dir) if p.name != config.SYNTHETIC_MARKER]
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        found += [f"{folder.name}/{shown_name(p)}" for p in list_extracts(folder)
                  if not (earlier_sample and p.name in own.get(folder.name, ()))]
    return found


def write_sample(out_dir: Path, seed: int = 2019) -> list[Path]:
    """Write every source's synthetic extracts under ``out_dir/<source>/``.

    The marker file is written first, so even an interrupted run leaves its files
    flagged as synthetic. A folder holding an earlier sample (and nothing else that is
    an extract) is written again; one holding any other extract is refused before
    anything is written: a sample file would replace a real one of the same name, and
    the marker would have the real rows pseudonymised with the public sample key and
    their reports labelled synthetic. Returns the written paths.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise AnalyseError(f"seed skal være et ikke-negativt heltal, ikke {seed!r}")
    out_dir = Path(out_dir)
    persons = person_pool(seed)
    files = {source: build(source_rng(seed, source), persons) for source, build in SOURCE_BUILDERS}
    foreign = foreign_extracts(out_dir, files)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" og {len(foreign) - 3} til" if len(foreign) > 3 else "")
        raise ConfigError(
            f"mappen {out_dir} har allerede udtræk, som ikke er eksempeldata ({shown}); eksempeldata skrives "
            "ikke ind imellem rigtige udtræk. Vælg en tom mappe med --out; intet er ændret"
        )
    written = [write_atomic(out_dir / config.SYNTHETIC_MARKER, MARKER_TEXT.format(seed=seed).encode("utf-8"))]
    for source, source_files in files.items():
        written += write_files_atomic(out_dir / source, source_files)
    return written
