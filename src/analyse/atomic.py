"""Atomic writes: an interrupted run never leaves a half-written output.

Everything is written to a temporary file in the target's folder and moved into
place with :func:`os.replace`, which is atomic on the same file system.
"""

from __future__ import annotations

import contextlib
import json
import os
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
