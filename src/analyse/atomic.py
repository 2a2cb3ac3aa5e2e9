"""Atomic writes: an interrupted run never leaves a half-written output.

Everything is written to a temporary file in the target's folder and moved into
place with :func:`os.replace`, which is atomic on the same file system.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_with(target: Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` and move the result into place."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def write_text(target: Path, text: str, encoding: str = "utf-8") -> Path:
    return write_with(target, lambda tmp: tmp.write_text(text, encoding=encoding))


def write_json(target: Path, data: object) -> Path:
    return write_text(target, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def write_csv(target: Path, frame: pd.DataFrame, for_excel: bool = False) -> Path:
    """Semicolon-separated UTF-8; with a BOM when people will open it in Danish Excel."""
    encoding = "utf-8-sig" if for_excel else "utf-8"
    return write_with(target, lambda tmp: frame.to_csv(tmp, sep=";", index=False, encoding=encoding))


def write_parquet(target: Path, frame: pd.DataFrame) -> Path:
    return write_with(target, lambda tmp: frame.to_parquet(tmp, index=False))


# --- several outputs as one ---------------------------------------------------------------------

JOURNAL = ".analyse-commit.json"
STAGING_PREFIX = ".analyse-staging-"


class StagedOutputs:
    """Several outputs of one folder that must change together (``analyse clean``'s set).

    Every output is first written in full into a hidden staging folder beside the
    targets (same file system). :meth:`commit` then writes a journal listing the
    moves, makes them (one :func:`os.replace` each, milliseconds for the whole
    set) and deletes the journal. A process killed before the journal exists
    leaves the previous outputs untouched; one killed during the moves leaves the
    journal, and :func:`recover` (called at the start of the next clean) finishes
    the moves, so the folder never stays a mix of two runs. Until then a reader
    that ignores the journal could see the mix: that window is the few
    milliseconds of the moves plus the time until the next clean.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=self.out_dir))
        self.files: list[str] = []
        self.removals: list[str] = []
        self.committing = False

    def _target(self, name: str) -> Path:
        if Path(name).name != name or name.startswith("."):
            raise ValueError(f"ugyldigt filnavn til output: {name!r}")
        self.files.append(name)
        return self.dir / name

    def parquet(self, name: str, frame: pd.DataFrame) -> None:
        write_parquet(self._target(name), frame)

    def csv(self, name: str, frame: pd.DataFrame, for_excel: bool = False) -> None:
        write_csv(self._target(name), frame, for_excel=for_excel)

    def json(self, name: str, data: object) -> None:
        write_json(self._target(name), data)

    def copy(self, source: Path, name: str) -> None:
        write_with(self._target(name), lambda tmp: tmp.write_bytes(Path(source).read_bytes()))

    def remove(self, *names: str) -> None:
        """Outputs to delete when the set is committed (e.g. of a source no longer present)."""
        self.removals.extend(names)

    def commit(self) -> list[Path]:
        """Move every staged output into place (see the class docstring); returns their paths."""
        journal = {"staging": self.dir.name, "files": self.files, "remove": self.removals}
        write_json(self.out_dir / JOURNAL, journal)
        self.committing = True  # from here on only finishing the moves is right (see recover)
        _apply(self.out_dir, journal)
        return [self.out_dir / name for name in self.files]

    def discard(self) -> None:
        """Drop whatever is staged (after a failure; harmless after :meth:`commit`).

        A commit that failed half-way keeps its staging folder and journal, so
        :func:`recover` can finish it: dropping it would leave a mix of two runs.
        """
        if self.committing and (self.out_dir / JOURNAL).exists():
            return
        shutil.rmtree(self.dir, ignore_errors=True)


def _apply(out_dir: Path, journal: dict) -> None:
    staging = out_dir / journal["staging"]
    for name in journal["files"]:
        staged = staging / name
        if staged.exists():
            os.replace(staged, out_dir / name)
    for name in journal["remove"]:
        (out_dir / name).unlink(missing_ok=True)
    (out_dir / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(out_dir: Path) -> bool:
    """Finish a commit a killed process left half done, and clear its leftovers.

    Returns True when a half-done commit was completed. Staging folders of
    processes that are no longer running (killed before committing) and stray
    temporary journal files are deleted.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return False
    finished = False
    journal_path = out_dir / JOURNAL
    if journal_path.is_file():
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        _apply(out_dir, journal)
        finished = True
    for leftover in out_dir.glob(f"{STAGING_PREFIX}*"):
        pid = leftover.name[len(STAGING_PREFIX):].split("-", 1)[0]
        if leftover.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)
    for stray in out_dir.glob(f".{JOURNAL}.*.tmp"):
        stray.unlink(missing_ok=True)
    return finished
