"""All paths in one place (cookiecutter-data-science style).

Every other module asks this one where things are. Each path can be moved with
an environment variable, so tests and batch runs can point the whole suite at a
temporary folder without touching the code.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _find_project_root() -> Path:
    """The checkout root: the nearest parent of this package with a pyproject.toml.

    Falls back to the working directory when the package is installed elsewhere.
    """
    for parent in PACKAGE_DIR.parents:
        if (parent / "pyproject.toml").exists() and (parent / "notebooks").is_dir():
            return parent
    return Path.cwd()


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


PROJECT_ROOT = _env_path("ANALYSE_ROOT", _find_project_root())
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = _env_path("ANALYSE_RAW", DATA_DIR / "raw")
PROCESSED_DIR = _env_path("ANALYSE_PROCESSED", DATA_DIR / "processed")
USER_MAPPINGS_DIR = _env_path("ANALYSE_MAPPINGS", DATA_DIR / "mappings")
REPORTS_DIR = _env_path("ANALYSE_REPORTS", PROJECT_ROOT / "reports")
NOTEBOOKS_DIR = _env_path("ANALYSE_NOTEBOOKS", PROJECT_ROOT / "notebooks")

# Shipped with the package, so an installed copy works without the checkout or ../shared.
DEFAULT_MAPPINGS_DIR = PACKAGE_DIR / "mappings"
PUBLISHED_FIGURES = PACKAGE_DIR / "reference" / "published_figures.csv"
# The agreement's goals with baselines and targets (analyse.goals); a user edits a copy
# when a new agreement is signed and points ANALYSE_GOALS at it. (The build needs the
# variable's name and the shipped file apart: it tracks the file a report kernel will
# read, see analyse.goals.goals_path.)
GOALS_ENV_VAR = "ANALYSE_GOALS"
SHIPPED_GOALS_FILE = PACKAGE_DIR / "reference" / "maal.yaml"
GOALS_FILE = _env_path(GOALS_ENV_VAR, SHIPPED_GOALS_FILE)

# The pseudonymisation key lives outside the repository (see analyse.pseudonym).
KEY_ENV_VAR = "ANALYSE_PSEUDONYM_KEY"
KEY_FILE = _env_path(
    "ANALYSE_KEY_FILE",
    Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "analyse" / "pseudonym.key",
)

# The settings that hold a path. A relative one means relative to where the command runs,
# so it is made absolute before it is handed to a report kernel (which runs elsewhere).
PATH_ENV_VARS = ("ANALYSE_ROOT", "ANALYSE_RAW", "ANALYSE_PROCESSED", "ANALYSE_MAPPINGS", "ANALYSE_REPORTS",
                 "ANALYSE_NOTEBOOKS", "ANALYSE_GOALS", "ANALYSE_KEY_FILE", "ANALYSE_TABLES_DIR")

# Sources, in the order reports present them; each has a folder under the raw directory.
SOURCES = ("as2007", "fremmoede", "rusmiddel")

# The files of a source folder that are extracts (see analyse.readers.list_extracts). Kept in
# this module, which needs nothing but the standard library, so make.py can ask whether
# data/raw holds extracts before the environment (pandas) is installed.
READABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
# Spreadsheet formats a source folder may hold that are not read: listed all the same, so that
# reading them stops with what to do instead of the file being left out without a word.
UNREADABLE_SPREADSHEETS = {
    ".xls": "det gamle Excel-format (.xls)",
    ".xlsb": "Excels binære format (.xlsb)",
    ".ods": "OpenDocument-regneark (.ods)",
    ".numbers": "et Numbers-regneark",
}

# `analyse sample` drops this file beside the extracts; cleaning carries the flag on so
# every report built from synthetic data says so.
SYNTHETIC_MARKER = "SYNTETISKE_DATA.txt"
