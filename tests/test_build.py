"""The whole chain on the synthetic sample: sample → clean → notebooks → HTML, as real processes.

One build per test session (module fixture); the assertions read what it wrote.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analyse.cleaning import source_files
from analyse.pipeline import SPECS
from analyse.readers import read_extract
from analyse.values import normalise_cpr_text

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    base = tmp_path_factory.mktemp("build")
    raw, processed, reports = base / "raw", base / "processed", base / "reports"
    env = {
        **os.environ,
        "ANALYSE_PROCESSED": str(processed),
        "ANALYSE_REPORTS": str(reports),
        "ANALYSE_TABLES_DIR": str(reports / "tabeller"),
        "ANALYSE_KEY_FILE": str(base / "never-created.key"),
    }
    env.pop("ANALYSE_PSEUDONYM_KEY", None)
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "analyse", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    sample = run("sample", "--out", str(raw))
    assert sample.returncode == 0, sample.stderr
    result = run("build", "--raw", str(raw), "--processed", str(processed), "--reports", str(reports))
    assert result.returncode == 0, result.stdout + result.stderr
    return {"raw": raw, "processed": processed, "reports": reports, "env": env, "log": result.stdout + result.stderr, "base": base}


def _sample_secrets(raw: Path) -> set[str]:
    """Every CPR number (both written forms) and participant name in the sample's raw files."""
    secrets: set[str] = set()
    for name, spec in SPECS.items():
        for path in source_files(raw, name):
            data = read_extract(path, spec.columns).data
            if "cpr" in data:
                for text in data["cpr"].unique():
                    cpr = normalise_cpr_text(text)
                    if cpr:
                        secrets.update({cpr, f"{cpr[:6]}-{cpr[6:]}"})
            if "deltager" in data:
                secrets.update(n.strip().casefold() for n in data["deltager"].unique() if len(n.strip()) > 3)
    return secrets


def _written_texts(folders: list[Path]):
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            if path.suffix == ".parquet":
                frame = pd.read_parquet(path)
                yield path, frame.astype(str).to_csv(index=False)
            elif path.suffix == ".xlsx":
                sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str)
                yield path, "\n".join(s.to_csv(index=False) for s in sheets.values())
            else:
                yield path, path.read_bytes().decode("utf-8", errors="replace")


def test_index_and_reports_are_written(build):
    reports = build["reports"]
    assert (reports / "index.html").exists()
    html = (reports / "01_visiterede_ydelser.html").read_text(encoding="utf-8")
    assert "Syntetiske data" in html
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "01_visiterede_ydelser.html" in index and "Syntetiske data" in index


def test_no_key_file_is_created_for_synthetic_data(build):
    assert not (build["base"] / "never-created.key").exists()


def test_nothing_written_contains_a_cpr_number_or_a_name(build):
    secrets = _sample_secrets(build["raw"])
    assert len(secrets) > 100
    digits = re.compile(r"\d{6}-?\d{4}")
    leaks = []
    for path, text in [*_written_texts([build["processed"], build["reports"]]), (Path("log"), build["log"])]:
        lowered = text.casefold()
        found = {m for m in digits.findall(text) if m in secrets}
        found |= {s for s in secrets if not s[0].isdigit() and s in lowered}
        if found:
            leaks.append((path.name, sorted(found)[:3]))
    assert not leaks


def test_executed_notebooks_hold_no_secret_parameters(build):
    for notebook in (build["reports"] / "notebooks").glob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        assert "PSEUDONYM_KEY" not in text and "pseudonym.key" not in text


def test_notebook_runs_top_to_bottom_with_its_defaults(build):
    """As in JupyterLab: the committed notebook, no injected parameters, the project's data folder."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(ROOT / "notebooks" / "01_visiterede_ydelser.ipynb", as_version=4)
    os.environ.update({k: build["env"][k] for k in ("ANALYSE_PROCESSED", "ANALYSE_TABLES_DIR")})
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        for k in ("ANALYSE_PROCESSED", "ANALYSE_TABLES_DIR"):
            os.environ.pop(k, None)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
