"""`analyse build` follows what a report really reads and delivers, and no more.

- the goals file a report reads ($ANALYSE_GOALS, the ``goals_file`` parameter or the shipped
  one), for the notebooks that use :mod:`analyse.goals`;
- a report's workbook (``tabeller/<report>.xlsx``), like its HTML;
- per source, only the mappings its cleaning reads, and not the report layer's code.

Real builds on tiny extracts and tiny notebooks in tmp folders (the kernels are real).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analyse import build as build_module
from analyse import config
from analyse.build import MANIFEST, build, plan_clean, run_clean
from analyse.locking import LOCK_FILE
from tests.conftest import write_csv
from tests.test_build_incremental import AS2007, FREMMOEDE, tiny_notebook

SHIPPED_GOALS = config.SHIPPED_GOALS_FILE
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def goals_notebook(path: Path) -> Path:
    """A report that prints the homelessness target of the goals file it is given (or the default)."""
    nb = new_notebook(
        cells=[
            new_code_cell('processed_dir: str = ""\ngoals_file: str = ""', metadata={"tags": ["parameters"]}),
            new_markdown_cell("# Lille målrapport"),
            new_code_cell("from analyse import goals\n"
                          "print([g.target for g in goals.load_goals(goals_file or None) if g.id == 'hjemloese'][0])"),
        ],
        metadata={"kernelspec": KERNELSPEC, "analyse": {"sources": ["as2007"]}},
    )
    nbformat.write(nb, path)
    return path


def table_notebook(path: Path) -> Path:
    """A report that shows one table, so the runner writes it a workbook."""
    nb = new_notebook(
        cells=[
            new_code_cell('processed_dir: str = ""', metadata={"tags": ["parameters"]}),
            new_markdown_cell("# Lille tabelrapport"),
            new_code_cell("import pandas as pd\nfrom analyse import formatting\n"
                          "formatting.show_table(pd.DataFrame({'Tilbud': ['NADA'], 'Antal': [12]}),"
                          " caption='Tabel 1: Besøg', source='Test', period='2018', name='tabel_1')"),
        ],
        metadata={"kernelspec": KERNELSPEC, "analyse": {"sources": ["fremmoede"]}},
    )
    nbformat.write(nb, path)
    return path


def with_target(source: Path, target: Path, old: int, new: int) -> Path:
    text = source.read_text(encoding="utf-8")
    line = f"target: {{value: {old}, deadline: 2022}}"
    assert line in text
    target.write_text(text.replace(line, f"target: {{value: {new}, deadline: 2022}}", 1), encoding="utf-8")
    return target


def printed(reports: Path, stem: str) -> str:
    executed = nbformat.read(reports / "notebooks" / f"{stem}.ipynb", as_version=4)
    return executed.cells[-1].outputs[0]["text"].strip()


def ran(result) -> list[str]:
    return sorted(Path(job.notebook).stem for job in result.reports_run)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSE_GOALS", raising=False)
    monkeypatch.delenv("ANALYSE_TABLES_DIR", raising=False)
    raw = tmp_path / "raw"
    write_csv(raw / "as2007" / "bevillinger.csv", AS2007)
    write_csv(raw / "fremmoede" / "fremmoede.csv", FREMMOEDE)
    return {"base": tmp_path, "raw": raw, "processed": tmp_path / "processed", "reports": tmp_path / "reports",
            "notebooks": []}


def run_build(project, params_file=None):
    said: list[str] = []
    result = build(project["raw"], project["processed"], project["reports"], notebooks=project["notebooks"],
                   params_file=params_file, say=said.append, progress=False)
    assert not result.failed, [r.error for r in result.failed]
    return result, "\n".join(said)


# --- the goals file ----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_changed_goals_file_from_the_environment_reruns_the_reports_that_read_goals(project, monkeypatch):
    goals_file = with_target(SHIPPED_GOALS, project["base"] / "maal.yaml", 75, 75)
    monkeypatch.setenv("ANALYSE_GOALS", str(goals_file))
    project["notebooks"] = [goals_notebook(project["base"] / "g_maal.ipynb"),
                            tiny_notebook(project["base"] / "a_visiterede.ipynb", "as2007")]
    run_build(project)
    assert printed(project["reports"], "g_maal") == "75.0"

    with_target(goals_file, goals_file, 75, 60)
    result, said = run_build(project)
    assert ran(result) == ["g_maal"]  # the report that does not use the goals is left alone
    assert "g_maal.ipynb: køres (målfil ændret: maal.yaml)" in said
    assert "a_visiterede.ipynb: uændret, springes over" in said
    assert printed(project["reports"], "g_maal") == "60.0"

    again, said = run_build(project)
    assert again.reports_run == [] and "g_maal.ipynb: uændret, springes over" in said

    # Another file with the same goals: the report says which file it used, so it is made again.
    (project["base"] / "andet").mkdir()
    other = with_target(goals_file, project["base"] / "andet" / "maal.yaml", 60, 60)
    monkeypatch.setenv("ANALYSE_GOALS", str(other))
    result, said = run_build(project)
    assert ran(result) == ["g_maal"] and "anden målfil: maal.yaml" in said

    # Back to the shipped file (no variable).
    monkeypatch.delenv("ANALYSE_GOALS")
    result, said = run_build(project)
    assert ran(result) == ["g_maal"] and "anden målfil: maal.yaml" in said
    assert printed(project["reports"], "g_maal") == "75.0"


@pytest.mark.slow
def test_a_goals_file_parameter_is_tracked_once_as_the_goals_file(project, monkeypatch):
    goals_file = with_target(SHIPPED_GOALS, project["base"] / "mine_maal.yaml", 75, 70)
    monkeypatch.setenv("ANALYSE_GOALS", str(project["base"] / "never-read.yaml"))  # the parameter wins
    params = project["base"] / "parametre.yaml"
    params.write_text(f"goals_file: {goals_file}\n", encoding="utf-8")
    project["notebooks"] = [goals_notebook(project["base"] / "g_maal.ipynb")]
    run_build(project, params)
    assert printed(project["reports"], "g_maal") == "70.0"
    entry = json.loads((project["reports"] / MANIFEST).read_text())["reports"]["g_maal"]["inputs"]
    assert entry["goals"]["file"] == str(goals_file) and entry["files"] == {}

    with_target(goals_file, goals_file, 70, 65)
    result, said = run_build(project, params)
    assert ran(result) == ["g_maal"]
    assert "køres (målfil ændret: mine_maal.yaml)" in said and "fil ændret: goals_file" not in said


def test_only_notebooks_that_use_the_goals_module_track_the_goals_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSE_GOALS", str(tmp_path / "maal.yaml"))
    notebooks = {nb.stem: nb for nb in config.NOTEBOOKS_DIR.glob("*.ipynb")}
    assert {stem for stem, nb in notebooks.items() if build_module.uses_goals(nb)} == {
        "00_samlet_rapport", "04_maalopfoelgning"}
    job = SimpleNamespace(notebook=notebooks["04_maalopfoelgning"], parameters={"processed_dir": str(tmp_path)})
    inputs = build_module.report_inputs(job, {}, tmp_path, config.SOURCES)
    assert inputs["goals"] == {"file": str(tmp_path / "maal.yaml"), "sha": None}
    job = SimpleNamespace(notebook=notebooks["01_visiterede_ydelser"], parameters={"processed_dir": str(tmp_path)})
    inputs = build_module.report_inputs(job, {}, tmp_path, config.SOURCES)
    assert inputs["goals"] is None
    # The shipped goals file is tracked as the goals file by the reports that read it, not as code
    # of every report, and it is no input of cleaning.
    assert "reference/maal.yaml" not in inputs["code"]


def test_a_relative_goals_path_is_taken_from_where_it_was_written(tmp_path, monkeypatch):
    # $ANALYSE_GOALS from the folder the command runs in (the kernels get it made absolute,
    # see test_a_relative_path_setting_reaches_the_kernels_absolute); a parameter from the
    # project root, the kernels' working directory.
    monkeypatch.setenv("ANALYSE_GOALS", "mappe/maal.yaml")
    monkeypatch.chdir(tmp_path)
    assert build_module.goals_inputs({})["file"] == str(tmp_path / "mappe" / "maal.yaml")
    monkeypatch.delenv("ANALYSE_GOALS")
    assert build_module.goals_inputs({})["file"] == str(SHIPPED_GOALS)
    assert build_module.goals_inputs({"goals_file": "params/m.yaml"})["file"] == str(
        config.PROJECT_ROOT / "params" / "m.yaml")


# --- the workbook ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_missing_or_changed_workbook_makes_its_report_again(project):
    project["notebooks"] = [table_notebook(project["base"] / "t_tabel.ipynb"),
                            tiny_notebook(project["base"] / "b_fremmoede.ipynb", "fremmoede")]
    run_build(project)
    book = project["reports"] / "tabeller" / "t_tabel.xlsx"
    index = project["reports"] / "index.html"
    assert book.is_file() and "t_tabel.xlsx" in index.read_text(encoding="utf-8")
    manifest = json.loads((project["reports"] / MANIFEST).read_text())["reports"]
    assert manifest["b_fremmoede"]["workbook"] is None  # no tables, no workbook: nothing to miss

    again, said = run_build(project)
    assert again.reports_run == []  # a report without a workbook is not made again for want of one

    book.unlink()
    result, said = run_build(project)
    assert ran(result) == ["t_tabel"]
    assert "t_tabel.ipynb: køres (regnearket mangler eller er ændret siden sidste build)" in said
    assert book.is_file() and "t_tabel.xlsx" in index.read_text(encoding="utf-8")

    book.write_bytes(book.read_bytes() + b"\0")
    result, said = run_build(project)
    assert ran(result) == ["t_tabel"] and "regnearket mangler eller er ændret" in said
    assert run_build(project)[0].reports_run == []


def test_an_entry_from_before_workbooks_were_recorded_is_not_judged_by_one(tmp_path):
    html = tmp_path / "r.html"
    html.write_text("<html></html>", encoding="utf-8")
    inputs = {"sources": {}, "notebook": "x", "parameters": {}, "version": "v", "code": {}, "synthetic": None,
              "files": {}, "goals": None}
    old = {"html": build_module.sha256_file(html), "inputs": inputs}
    assert build_module._why_report(old, inputs, html, tmp_path / "r.xlsx") is None
    assert build_module._why_report({**old, "workbook": "abc"}, inputs, html, tmp_path / "r.xlsx") == (
        "regnearket mangler eller er ændret siden sidste build")


# --- what a source's cleaning depends on -------------------------------------------------------


def test_each_source_reads_only_its_own_mappings():
    from analyse.sources import SPECS

    assert {name: build_module.source_mappings(name, spec) for name, spec in SPECS.items()} == {
        "as2007": {"ydelsestype"},
        "fremmoede": {"tilbud"},
        "rusmiddel": {"rusmiddel", "afslutningsstatus"},
    }


def test_the_report_layer_is_not_cleaning_code():
    from analyse.sources import SPECS

    for name, spec in SPECS.items():
        modules = build_module._source_modules(name, spec)
        assert "analyse.formatting" not in modules, name
        data = build_module.source_inputs(name, spec, [], Path("/nonexistent"), "k", False)["data"]
        assert "reference/maal.yaml" not in data


def _module_level_imports(module: str) -> set[str]:
    path = build_module._module_path(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Only the statements run on import (not imports inside functions), as _imported_modules reads them.
    top = ast.Module(body=[s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))], type_ignores=[])
    return build_module._imported_modules(top, module, path.name == "__init__.py")


def test_importing_the_cleaners_does_not_load_the_formatting_module():
    """formatting is left out of cleaning code (build.REPORT_LAYER) because only report helpers reach it,
    through imports inside functions. A cleaning module that imports it at module level breaks that."""
    from analyse.sources import SPECS

    for name, spec in SPECS.items():
        todo, seen = sorted(build_module._own_modules(name, spec) | {"analyse.cleaning", "analyse.pipeline"}), set()
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo.extend(_module_level_imports(module))
        assert "analyse.formatting" not in seen, name


def test_mapping_files_are_read_only_through_load_mapping():
    """The build finds the mappings a source reads from its load_mapping calls; code that found
    mapping files another way would be missed."""
    for path in sorted(config.PACKAGE_DIR.glob("*.py")):
        if path.stem in {"config", "mappings", "build"}:
            continue
        assert "DEFAULT_MAPPINGS_DIR" not in path.read_text(encoding="utf-8"), path.name


def _module(tmp_path: Path, name: str, text: str) -> tuple[str, Path]:
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return f"analyse.{name}", path


def test_mapping_names_follow_what_is_taken_from_another_sources_module(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "PACKAGE_DIR", tmp_path)  # so analyse.<name> resolves to the files here
    other = _module(tmp_path, "anden", (
        "from analyse.mappings import load_mapping\n"
        "def helper(x):\n    return x\n"
        "def add_label(frame, d):\n    return _load(d)\n"
        "def _load(d):\n    return load_mapping('label', [], d)\n"))

    def names(own_code: str, others=("analyse.anden",)):
        # A new module per case: the build remembers a parsed file by its modification time.
        own = _module(tmp_path, f"egen{len(list(tmp_path.glob('egen*.py')))}", own_code)
        return build_module.mapping_names(dict([other, own]), others=set(others))

    own_code = ("from analyse.anden import helper\n"
                "from analyse import mappings\n"
                "def clean(d):\n    return helper(mappings.load_mapping('egen', [], d))\n")
    assert names(own_code) == {"egen"}
    assert names(own_code, others=()) == {"egen", "label"}  # as the source's own code: all of it
    assert names("from analyse.anden import add_label\ndef clean(d):\n    return add_label(None, d)\n") == {"label"}
    assert names("from analyse import anden\ndef clean(d):\n    return anden.add_label(None, d)\n") == {"label"}
    assert names("from analyse import anden\ndef clean(d):\n    return anden.helper(d)\n") == set()
    # The module passed around as a value: anything in it may be used.
    assert names("from analyse import anden\ndef clean(d):\n    return getattr(anden, 'x')(d)\n") == {"label"}
    # A mapping name that is not written out: the build cannot tell, so every mapping counts.
    assert names("from analyse.mappings import load_mapping\n"
                 "def clean(d, name):\n    return load_mapping(name, [], d)\n") is None


@pytest.mark.slow
def test_a_user_mapping_recleans_only_the_source_that_reads_it(project):
    mappings = project["base"] / "mappings"
    mappings.mkdir()
    run_clean(plan_clean(project["raw"], project["processed"], mappings), project["raw"], project["processed"],
              mappings)
    assert plan_clean(project["raw"], project["processed"], mappings).needed is False

    write_csv(mappings / "ydelsestype.csv", ["variant;kanonisk", "bostøtte 85;§ 85 bostøtte timetakst"])
    plan = plan_clean(project["raw"], project["processed"], mappings)
    assert plan.clean == {"as2007": "mapping/referencefil ændret: bruger/ydelsestype.csv"}
    assert plan.skip == ["fremmoede"]
    run_clean(plan, project["raw"], project["processed"], mappings)

    write_csv(mappings / "tilbud.csv", ["variant;kanonisk", "Nada-gruppen;NADA"])
    write_csv(mappings / "noget_andet.csv", ["variant;kanonisk", "a;b"])  # read by no source
    plan = plan_clean(project["raw"], project["processed"], mappings)
    assert plan.clean == {"fremmoede": "mapping/referencefil ændret: bruger/tilbud.csv"}


def test_a_relative_path_setting_reaches_the_kernels_absolute(tmp_path, monkeypatch):
    from analyse.batch import job_environment

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANALYSE_GOALS", "mappe/maal.yaml")
    monkeypatch.setenv("ANALYSE_TABLES_DIR", "ud/tabeller")
    env = job_environment(Path("rapporter"))
    assert env["ANALYSE_GOALS"] == str(tmp_path / "mappe" / "maal.yaml")
    assert env["ANALYSE_TABLES_DIR"] == str(tmp_path / "ud" / "tabeller")
    monkeypatch.delenv("ANALYSE_TABLES_DIR")
    assert job_environment(Path("rapporter"))["ANALYSE_TABLES_DIR"] == str(tmp_path / "rapporter" / "tabeller")



@pytest.mark.slow
def test_a_relative_goals_setting_is_read_by_the_report_and_named_in_its_footer(tmp_path):
    import os
    import subprocess
    import sys

    from analyse.sample import write_sample

    write_sample(tmp_path / "raw", seed=2019)
    mine = tmp_path / "mine_maal.yaml"
    mine.write_text(SHIPPED_GOALS.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "p.yaml").write_text("varianter:\n  x: {notebooks: [04_maalopfoelgning]}\n", encoding="utf-8")
    env = {**os.environ, "ANALYSE_GOALS": "mine_maal.yaml"}  # relative to where the command runs
    env.pop("ANALYSE_PSEUDONYM_KEY", None)
    for args in (["clean", "--raw", "raw", "--out", "proc"],
                 ["run", "--params", "p.yaml", "--processed", "proc", "--reports", "rep"]):
        done = subprocess.run([sys.executable, "-m", "analyse", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    page = (tmp_path / "rep" / "04_maalopfoelgning__x.html").read_text(encoding="utf-8")
    assert "<code>…/mine_maal.yaml</code>" in page and "(standard)" not in page


# --- the raw folder ---------------------------------------------------------------------------


def test_a_source_folder_spelt_otherwise_stops_the_build_before_its_data_are_planned_away(project):
    """Otherwise fremmoede counts as gone: 'ingen udtræk længere; renset data fjernes'."""
    from analyse.exceptions import ConfigError

    run_clean(plan_clean(project["raw"], project["processed"]), project["raw"], project["processed"])
    before = {p.name: p.read_bytes() for p in project["processed"].iterdir()}
    (project["raw"] / "fremmoede").rename(project["raw"] / "Fremmøde")
    with pytest.raises(ConfigError, match="mappen Fremmøde/ i .* skal hedde fremmoede/"):
        plan_clean(project["raw"], project["processed"])
    with pytest.raises(ConfigError, match="mappen Fremmøde/ i .* skal hedde fremmoede/"):
        run_build(project)
    # (The build's lock file may be new: it holds no data.)
    assert {p.name: p.read_bytes() for p in project["processed"].iterdir() if p.name != LOCK_FILE} == before


def test_an_extract_removed_or_added_is_called_that_not_changed(project):
    run_clean(plan_clean(project["raw"], project["processed"]), project["raw"], project["processed"])
    write_csv(project["raw"] / "as2007" / "bevillinger_2019.csv", AS2007)
    plan = plan_clean(project["raw"], project["processed"])
    assert plan.clean == {"as2007": "nyt udtræk: bevillinger_2019.csv"}
    run_clean(plan, project["raw"], project["processed"])
    (project["raw"] / "as2007" / "bevillinger.csv").unlink()
    write_csv(project["raw"] / "as2007" / "bevillinger_2019.csv", AS2007[:2])
    assert plan_clean(project["raw"], project["processed"]).clean == {
        "as2007": "udtræk fjernet: bevillinger.csv; udtræk ændret: bevillinger_2019.csv"}
