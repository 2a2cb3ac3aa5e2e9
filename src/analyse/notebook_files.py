"""Keep the committed notebooks clean and reviewable as text.

Every ``notebooks/*.ipynb`` is committed without outputs and execution counts,
and paired with a ``.py`` file in jupytext's percent format beside it (the
pairing is declared in ``notebooks/jupytext.toml``): a reviewer reads the
``.py`` diff, JupyterLab with jupytext saves both files, and this module
repairs what was edited elsewhere::

    python -m analyse.notebook_files           # strip outputs, then sync each pair (newer file wins)
    python -m analyse.notebook_files --check   # report problems, change nothing (exit 1 if any)

``python3 make.py notebooks`` runs the first. The test suite runs the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from analyse import config

PAIRED_SUFFIX = ".py"
PAIRED_FORMAT = "py:percent"


def notebooks(folder: Path | None = None) -> list[Path]:
    return sorted((folder or config.NOTEBOOKS_DIR).glob("*.ipynb"))


def paired_path(notebook: Path) -> Path:
    return notebook.with_suffix(PAIRED_SUFFIX)


# What running a notebook leaves beside its outputs: run times per cell, and the full Python
# version in the notebook's metadata. Neither belongs in a committed notebook (noise in diffs).
RUN_METADATA = ("execution", "papermill", "ExecuteTime")


def output_problems(nb) -> list[str]:
    """Code cells that carry outputs, an execution count or run times; run details in the metadata."""
    problems = []
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"celle {i} har output")
        if cell.get("execution_count") is not None:
            problems.append(f"celle {i} har et kørselsnummer")
        if any(key in cell.get("metadata", {}) for key in RUN_METADATA):
            problems.append(f"celle {i} har kørselstider i sine metadata")
    if set(nb.metadata.get("language_info", {})) - {"name"} or "papermill" in nb.metadata:
        problems.append("notebookens metadata har detaljer fra en kørsel (language_info, papermill)")
    return problems


def strip_outputs(notebook: Path) -> bool:
    """Remove outputs, execution counts and run details in place; True if the file changed."""
    nb = nbformat.read(notebook, as_version=4)
    if not output_problems(nb):
        return False
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in RUN_METADATA:
            cell.get("metadata", {}).pop(key, None)
    if "language_info" in nb.metadata:
        nb.metadata["language_info"] = {"name": nb.metadata["language_info"].get("name", "python")}
    nb.metadata.pop("papermill", None)
    nbformat.write(nb, notebook)
    return True


def _cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.cell_type, c.source.strip(), tuple(c.get("metadata", {}).get("tags", []))) for c in nb.cells]


def pair_problems(notebook: Path) -> list[str]:
    """Why the ``.py`` beside ``notebook`` does not hold the same cells (empty: in sync)."""
    import jupytext

    paired = paired_path(notebook)
    if not paired.is_file():
        return [f"{paired.name} mangler"]
    ours = _cells(nbformat.read(notebook, as_version=4))
    theirs = _cells(jupytext.read(paired, fmt=PAIRED_FORMAT))
    if ours == theirs:
        return []
    for i, (a, b) in enumerate(zip(ours, theirs), start=1):
        if a != b:
            return [f"{paired.name} afviger fra notebooken i celle {i}"]
    return [f"{paired.name} har {len(theirs)} celler, notebooken {len(ours)}"]


def is_pair(notebook: Path) -> bool:
    """Whether the ``.py`` beside ``notebook`` is its jupytext pair (a header naming jupytext)."""
    try:
        head = paired_path(notebook).read_text(encoding="utf-8")[:4000]
    except (OSError, UnicodeDecodeError):
        return False
    return head.startswith("# ---") and "#   jupytext:" in head


def update_from_pair(notebook: Path) -> None:
    """Write ``notebook``'s cells from its ``.py`` pair (outputs and metadata kept where cells match).

    The ``.py`` is then touched, so it stays the newer of the two, as jupytext's own sync leaves
    them (JupyterLab with jupytext refuses a notebook newer than a differing pair).
    """
    import os

    from jupytext.cli import jupytext as jupytext_cli

    from analyse.exceptions import ConfigError

    paired = paired_path(notebook)
    try:
        jupytext_cli(["--to", "ipynb", "--update", "--quiet", "--output", str(notebook), str(paired)])
    except (Exception, SystemExit) as error:  # noqa: BLE001 - jupytext's own errors, in one line
        raise ConfigError(f"notebook {notebook.name} kan ikke opdateres fra {paired.name} "
                          f"({type(error).__name__}: {' '.join(str(error).split())[:200]})") from None
    problems = pair_problems(notebook)
    if problems:
        raise ConfigError(f"notebook {notebook.name} kan ikke opdateres fra {paired.name} ({problems[0]}); "
                          "kør python3 make.py notebooks")
    os.utime(paired)


def check(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        problems += [f"{path.name}: {p}" for p in output_problems(nbformat.read(path, as_version=4))]
        problems += [f"{path.name}: {p}" for p in pair_problems(path)]
    return problems


def sync(paths: list[Path]) -> None:
    """Strip outputs, then let jupytext bring each pair in step (the newer file wins)."""
    from jupytext.cli import jupytext as jupytext_cli

    for path in paths:
        if strip_outputs(path):
            print(f"fjernede output fra {path.name}")
    if paths:
        jupytext_cli(["--sync", "--quiet", *map(str, paths)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analyse.notebook_files", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="kun kontrollér; ændr intet")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: alle notebooks/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or notebooks()
    if not args.check:
        sync(paths)
    problems = check(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
