"""`analyse build` rebuilds by content: only the sources and reports whose inputs changed.

Tiny extracts and tiny notebooks (each reads one source) keep this fast; the kernels are real.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analyse.build import MANIFEST, build
from tests.conftest import write_csv

pytestmark = pytest.mark.slow

AS2007 = ["CPR;Ydelsestype;Startdato;Slutdato",
          "010203-1234;§ 85 bostøtte timetakst;01-02-2018;",
          "020304-1235;§ 85 bostøtte timetakst;01-03-2018;01-09-2018"]
FREMMOEDE = ["Dato;Tilbud;Deltager", "05-02-2018;NADA;Anne Hansen", "06-02-2018;NADA;"]
INDICATOR = {"as2007": "unikke_personer_visiteret_ydelse", "fremmoede": "besoeg_pr_tilbud"}


def tiny_notebook(path: Path, source: str, extra: str = "") -> Path:
    """A report that reads one source's indicators and declares it in its metadata."""
    nb = new_notebook(
        cells=[
            new_code_cell('processed_dir: str = ""', metadata={"tags": ["parameters"]}),
            new_markdown_cell(f"# Lille rapport om {source}"),
            new_code_cell(
                "import csv, pathlib\n"
                "rows = list(csv.DictReader(open(pathlib.Path(processed_dir) / 'indikatorer.csv', encoding='utf-8'),"
                " delimiter=';'))\n"
                f"print(sum(float(r['value']) for r in rows if r['indicator'] == {INDICATOR[source]!r}))"
                + extra
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                  "analyse": {"sources": [source]}},
    )
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    base = tmp_path_factory.mktemp("incremental")
    raw = base / "raw"
    write_csv(raw / "as2007" / "bevillinger.csv", AS2007)
    write_csv(raw / "fremmoede" / "fremmoede.csv", FREMMOEDE)
    notebooks = [tiny_notebook(base / "a_visiterede.ipynb", "as2007"),
                 tiny_notebook(base / "b_fremmoede.ipynb", "fremmoede")]
    return {"raw": raw, "processed": base / "processed", "reports": base / "reports", "notebooks": notebooks}


def run_build(project, force: bool = False, workers: int = 1):
    said: list[str] = []
    result = build(project["raw"], project["processed"], project["reports"], notebooks=project["notebooks"],
                   force=force, workers=workers, say=said.append, progress=False)
    assert not result.failed, [r.error for r in result.failed]
    return result, "\n".join(said)


def ran(result) -> list[str]:
    return sorted(Path(job.notebook).stem for job in result.reports_run)


def test_cold_build_then_a_no_change_rebuild_skips_everything(project):
    cold, _ = run_build(project)
    assert sorted(cold.cleaned) == ["as2007", "fremmoede"]
    assert ran(cold) == ["a_visiterede", "b_fremmoede"]
    assert (project["reports"] / "a_visiterede.html").is_file()
    assert json.loads((project["processed"] / MANIFEST).read_text())["sources"].keys() == {"as2007", "fremmoede"}
    manifest = json.loads((project["reports"] / MANIFEST).read_text())
    assert "a_visiterede" in manifest["reports"]
    assert len(manifest["declared"]) == 2  # the notebooks' parameters, so a no-change build skips papermill

    again, said = run_build(project)
    assert again.cleaned == {} and again.reports_run == []
    assert "as2007: uændret, springes over" in said and "b_fremmoede.ipynb: uændret, springes over" in said

    # A refreshed extract with the same content (new modification time) changes nothing.
    extract = project["raw"] / "as2007" / "bevillinger.csv"
    os.utime(extract, (extract.stat().st_atime + 100, extract.stat().st_mtime + 100))
    touched, _ = run_build(project)
    assert touched.cleaned == {} and touched.reports_run == []


def test_changed_extract_recleans_only_its_source_and_reruns_only_its_reports(project):
    run_build(project)
    before = (project["processed"] / "fremmoede.parquet").stat().st_mtime_ns
    write_csv(project["raw"] / "as2007" / "bevillinger.csv",
              [*AS2007, "030405-1236;§ 85 bostøtte timetakst;01-04-2018;"])
    result, said = run_build(project)
    assert list(result.cleaned) == ["as2007"]
    assert "udtræk ændret: bevillinger.csv" in said
    assert ran(result) == ["a_visiterede"]
    assert "data ændret: as2007" in said
    assert (project["processed"] / "fremmoede.parquet").stat().st_mtime_ns == before  # not rewritten
    executed = nbformat.read(project["reports"] / "notebooks" / "a_visiterede.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == "3.0"  # three persons in 2018H1, was two


def test_changed_notebook_reruns_only_that_notebook(project):
    run_build(project)
    tiny_notebook(project["notebooks"][1], "fremmoede", extra="\nprint('ny linje')")
    result, said = run_build(project)
    assert result.cleaned == {}
    assert ran(result) == ["b_fremmoede"]
    assert "notebook ændret" in said


def test_deleted_report_is_made_again(project):
    run_build(project)
    (project["reports"] / "a_visiterede.html").unlink()
    result, said = run_build(project)
    assert ran(result) == ["a_visiterede"] and "rapporten mangler" in said


def test_force_rebuilds_everything(project):
    run_build(project)
    result, said = run_build(project, force=True)
    assert sorted(result.cleaned) == ["as2007", "fremmoede"]
    assert ran(result) == ["a_visiterede", "b_fremmoede"]
    assert "--force" in said


def test_a_report_no_longer_built_is_listed_apart_once_the_data_change(project):
    """Dropping a notebook (or a variant) from the build leaves its old HTML in place. While the
    data are those it was made from, it stays in the index's main list; once they change, the
    index moves it under "Ældre rapporter", so a reader does not take it for a current report."""
    run_build(project)
    index = project["reports"] / "index.html"
    first = index.stat().st_mtime_ns
    run_build(project)
    assert index.stat().st_mtime_ns == first  # nothing changed, so neither did the index

    def build_only_a():
        build(project["raw"], project["processed"], project["reports"], notebooks=project["notebooks"][:1],
              say=lambda _: None, progress=False)
        return index.read_text(encoding="utf-8")

    assert "Ældre rapporter" not in build_only_a()  # same data: b's report is still current

    write_csv(project["raw"] / "fremmoede" / "fremmoede.csv", [*FREMMOEDE, "07-02-2018;NADA;Bo Jensen"])
    current, older = build_only_a().split("<h2>Ældre rapporter</h2>")
    assert "a_visiterede.html" in current and "b_fremmoede.html" not in current
    assert "b_fremmoede.html" in older and "ikke dannet af de nuværende data" in older
    assert (project["reports"] / "b_fremmoede.html").is_file()  # never deleted

    run_build(project)  # back in the build: made again, back in the main list
    assert "Ældre rapporter" not in index.read_text(encoding="utf-8")


def test_the_source_names_reports_are_planned_with_are_the_cleaners_sources():
    from analyse import config
    from analyse.pipeline import SPECS

    assert tuple(SPECS) == config.SOURCES
