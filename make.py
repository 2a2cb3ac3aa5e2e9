#!/usr/bin/env python3
"""The two README commands, with nothing but Python 3.11 on the machine.

    python3 make.py reports   # set up .venv if needed, write sample extracts if data/raw is empty, build all reports
    python3 make.py test      # set up .venv if needed, run the whole test suite
    python3 make.py lab       # JupyterLab with the project's environment (installed on first use)
    python3 make.py notebooks # strip outputs from notebooks/*.ipynb and sync their .py pairs

Only the standard library is used here, since this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"


def _install_fingerprint() -> str:
    """Reinstall when the declared dependencies change, not on every run."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment() -> None:
    if not PYTHON.exists():
        print(f"[make] creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != _install_fingerprint():
        print("[make] installing analyse and its dependencies", flush=True)
        subprocess.check_call([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        subprocess.check_call(
            [str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"]
        )
        STAMP.write_text(_install_fingerprint())


def _analyse_config():
    """src/analyse/config.py, loaded on its own: it needs only the standard library (the package needs pandas)."""
    spec = importlib.util.spec_from_file_location("_analyse_config", ROOT / "src" / "analyse" / "config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _has_extracts(raw: Path) -> bool:
    """Whether a source folder holds a file analyse.readers.list_extracts would list (same suffixes).

    An unreadable spreadsheet (.xls) counts: the build then says how to save it, where writing
    the sample beside it would be refused.
    """
    config = _analyse_config()
    suffixes = (*config.READABLE_SUFFIXES, *config.UNREADABLE_SPREADSHEETS)
    return any(
        p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith((".", "~$"))
        for source in config.SOURCES
        for p in (raw / source).glob("*")
    )


def run(*args: str) -> int:
    return subprocess.call([str(PYTHON), *args], cwd=ROOT)


def reports() -> int:
    raw = ROOT / "data" / "raw"
    if not _has_extracts(raw):
        print("[make] data/raw holds no extracts: writing the synthetic sample", flush=True)
        status = run("-m", "analyse", "sample", "--out", str(raw))
        if status:
            return status
    return run("-m", "analyse", "build")


def test() -> int:
    # Fail loudly when nothing ran (pytest exit 5) rather than passing silently.
    return run("-m", "pytest", *sys.argv[2:])


def lab() -> int:
    """JupyterLab on the project's environment; installed on first use (reports and tests don't need it)."""
    present = subprocess.call([str(PYTHON), "-c", "import jupyterlab, jupytext"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if present != 0:
        print("[make] installing JupyterLab into .venv (first time only)", flush=True)
        subprocess.check_call([str(PYTHON), "-m", "pip", "install", "--quiet", "jupyterlab>=4", "jupytext>=1.16"])
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # e.g. in a container
    return run("-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}", *as_root, *sys.argv[2:])


def notebooks() -> int:
    return run("-m", "analyse.notebook_files", *sys.argv[2:])


def main() -> int:
    commands = {"reports": reports, "test": test, "lab": lab, "notebooks": notebooks}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    ensure_environment()
    return commands[sys.argv[1]]()


if __name__ == "__main__":
    sys.exit(main())
