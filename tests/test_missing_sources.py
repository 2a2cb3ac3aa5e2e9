"""A municipality without every source still gets the reports it has data for."""

from __future__ import annotations

import json
from pathlib import Path

from analyse.build import missing_sources, run_reports
from analyse.params import ReportJob

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, requires: list[str]) -> Path:
    nb = {"cells": [], "metadata": {"analyse": {"requires": requires}}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_shipped_notebooks_declare_the_source_they_require(tmp_path):
    (tmp_path / "as2007.parquet").write_bytes(b"")
    assert missing_sources(ROOT / "notebooks" / "01_visiterede_ydelser.ipynb", tmp_path) == []
    assert missing_sources(ROOT / "notebooks" / "02_psykiatriens_hus.ipynb", tmp_path) == ["fremmoede"]
    assert missing_sources(ROOT / "notebooks" / "03_rusmiddel.ipynb", tmp_path) == ["rusmiddel"]


def test_report_without_its_source_is_skipped_with_a_reason_not_failed(tmp_path):
    notebook = _notebook(tmp_path / "02_demo.ipynb", ["fremmoede"])
    said: list[str] = []
    plan, results = run_reports([ReportJob(notebook, {})], tmp_path / "reports", tmp_path, say=said.append)
    assert results == []
    assert any("02_demo.ipynb" in line and "fremmoede/" in line and "springes over" in line for line in said)


def test_an_old_report_whose_source_is_gone_is_listed_apart_with_the_reason(tmp_path):
    notebook = _notebook(tmp_path / "02_demo.ipynb", ["fremmoede"])
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "02_demo.html").write_text("<html><head><title>Fremmøde</title></head></html>", encoding="utf-8")
    run_reports([ReportJob(notebook, {})], reports, tmp_path, say=lambda _: None)
    page = (reports / "index.html").read_text(encoding="utf-8")
    older = page.split("<h2>Ældre rapporter</h2>")[1]
    assert "02_demo.html" in older and "ingen renset data fra fremmoede/" in older
