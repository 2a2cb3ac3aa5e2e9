"""Parameter files: report variants are checked against what each notebook declares, before anything runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analyse.exceptions import ConfigError
from analyse.params import ReportJob, declared_parameters, load_params, parse_params, plan_jobs

ROOT = Path(__file__).resolve().parents[1]

# What papermill.inspect_notebook says about two notebooks (names, inferred types, defaults as source text).
NB_A, NB_B = Path("/nb/01_a.ipynb"), Path("/nb/02_b.ipynb")
DECLARED = {
    NB_A: {
        "processed_dir": {"inferred_type_name": "str", "default": '""'},
        "first_period": {"inferred_type_name": "str", "default": '"2016H1"'},
        "last_period": {"inferred_type_name": "str", "default": '"2019H1"'},
        "suppression_threshold": {"inferred_type_name": "int", "default": "5"},
    },
    NB_B: {
        "processed_dir": {"inferred_type_name": "str", "default": '""'},
        "status_date": {"inferred_type_name": "str", "default": '"2022-12-31"'},
        "report_type": {"inferred_type_name": "str", "default": '"slutstatus"'},
        "share": {"inferred_type_name": "None", "default": "0.5"},
    },
}


def plan(data: dict) -> list[ReportJob]:
    return plan_jobs(parse_params(data, "parameterfil p.yaml"), [NB_A, NB_B], DECLARED, "parameterfil p.yaml",
                     processed_dir="/data/processed")


def error_of(data: dict) -> str:
    with pytest.raises(ConfigError) as info:
        plan(data)
    return str(info.value)


def test_good_variants_give_one_job_per_notebook_with_distinct_names():
    jobs = plan({
        "parametre": {"suppression_threshold": 10},
        "varianter": {
            "midtvejs": {"notebooks": ["01_a", "02_b.ipynb"], "titel": "Midtvejs",
                         "parametre": {"first_period": "2016h1", "last_period": "2021H2", "status_date": "2021-12-31"}},
            "slut": {"notebooks": ["02_b"], "parametre": {"status_date": "2022-12-31", "share": 1}},
        },
    })
    assert [j.output_stem for j in jobs] == ["01_a__midtvejs", "02_b__midtvejs", "02_b__slut"]
    assert jobs[0].parameters == {"suppression_threshold": 10, "first_period": "2016H1", "last_period": "2021H2",
                                  "processed_dir": "/data/processed"}
    assert jobs[1].parameters == {"status_date": "2021-12-31", "processed_dir": "/data/processed"}
    assert jobs[0].title == "Midtvejs" and jobs[2].variant == "slut"


def test_without_variants_every_notebook_runs_once_under_its_own_name():
    jobs = plan({"first_period": "2017H1"})
    assert [(j.output_stem, j.variant) for j in jobs] == [("01_a", None), ("02_b", None)]
    assert jobs[0].parameters["first_period"] == "2017H1" and "first_period" not in jobs[1].parameters


@pytest.mark.parametrize(
    "variant, parameter, expected",
    [
        ({"notebooks": ["01_a"], "parametre": {"frist_period": "2017H1"}}, "frist_period", "ukendt parameter"),
        ({"notebooks": ["01_a"], "parametre": {"suppression_threshold": "5"}}, "suppression_threshold",
         "heltal (int), ikke tekst"),
        ({"notebooks": ["01_a"], "parametre": {"suppression_threshold": True}}, "suppression_threshold", "heltal"),
        ({"notebooks": ["01_a"], "parametre": {"first_period": "2019H3"}}, "first_period", "ugyldigt halvår '2019H3'"),
        ({"notebooks": ["01_a"], "parametre": {"last_period": 2019}}, "last_period", "tekst (str), ikke et heltal"),
        ({"notebooks": ["02_b"], "parametre": {"status_date": "2021-13-01"}}, "status_date", "ugyldig dato"),
        ({"notebooks": ["02_b"], "parametre": {"status_date": "31-12-2021"}}, "status_date", "ÅÅÅÅ-MM-DD"),
        ({"notebooks": ["02_b"], "parametre": {"share": "halvdelen"}}, "share", "et tal (float)"),
        ({"parametre": {"pseudonym_key": "x"}}, "pseudonym_key", "hemmelighed"),
        ({"parametre": {"processed_dir": "/andet"}}, "processed_dir", "sættes af analyse"),
    ],
)
def test_bad_parameter_names_variant_and_parameter(variant, parameter, expected):
    message = error_of({"varianter": {"min_variant": variant}})
    assert "p.yaml" in message and "variant 'min_variant'" in message
    assert f"parameter {parameter!r}" in message
    assert expected in message


def test_first_period_after_last_is_an_error():
    message = error_of({"varianter": {"v": {"notebooks": ["01_a"], "parametre": {"first_period": "2020H1"}}}})
    assert "variant 'v'" in message and "first_period '2020H1' ligger efter last_period '2019H1'" in message


def test_unknown_notebook_and_bad_variant_names():
    assert "ukendt notebook '03_c'" in error_of({"varianter": {"v": {"notebooks": ["03_c"]}}})
    assert "variant 'a/b'" in error_of({"varianter": {"a/b": {}}})
    assert "ukendt nøgle 'parameter'" in error_of({"varianter": {"v": {"parameter": {}}}})


def test_a_shared_parameter_must_be_known_somewhere():
    message = error_of({"parametre": {"unknown": 1}, "varianter": {"v": {"notebooks": ["01_a"]}}})
    assert "fælles 'parametre'" in message and "parameter 'unknown'" in message


def test_unquoted_yaml_date_and_half_year_are_accepted(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("varianter:\n  v:\n    notebooks: [02_b]\n    parametre:\n      status_date: 2021-12-31\n",
                    encoding="utf-8")
    jobs = plan_jobs(load_params(path), [NB_A, NB_B], DECLARED, processed_dir=None)
    assert jobs[0].parameters == {"status_date": "2021-12-31"}


def test_unreadable_file_is_a_config_error(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("varianter: [unclosed", encoding="utf-8")
    # The place the list begins, not the end of the file where PyYAML gave up.
    with pytest.raises(ConfigError, match=r"p.yaml, linje 1, kolonne 12: ikke gyldig YAML \(\[ her lukkes ikke med \]"):
        load_params(path)


@pytest.mark.parametrize("content, expected", [
    ("varianter:\n  a: {notebooks: [01_a]\n", r"linje 2, kolonne 6: ikke gyldig YAML \(\{ her lukkes ikke med \}"),
    ("titel: 'Status\nfirst_period: 2017H1\n", r"linje 1, kolonne 8: ikke gyldig YAML \(anførselstegnet her lukkes ikke\)"),
    ("titel: Status\nfirst_period\nlast_period: 2019H2\n", r"linje 2, kolonne 1: ikke gyldig YAML \(mangler kolon"),
    ("titel: Status: 2019\n", r"linje 1, kolonne 14: ikke gyldig YAML \(kolon, hvor det ikke kan stå"),
    ('goals_file: "C:\\data\\maal.yaml"\n', r"linje 1, kolonne 17: ikke gyldig YAML \(ukendt \\-kode"),
    ("parametre:\n  a: 1\n b: 2\n", r"linje 3, kolonne 2: ikke gyldig YAML \(indrykningen passer ikke"),
    ("titel: @status\n", r"linje 1, kolonne 8: ikke gyldig YAML \(en værdi kan ikke begynde med @"),
    ("titel: !!python/object:os.system x\n", r"ikke gyldig YAML \(ukendt mærke med !"),
    ("titel: \x00\n", r"linje 1: ikke gyldig YAML \(tegnet #x0000 må ikke stå i filen\)"),
    ("[a]: 1\n", r"linje 1: et navn kan ikke være en liste"),  # was an internal error (TypeError)
    ("titel: |x\n", r"linje 1, kolonne 9: ikke gyldig YAML \(YAML siger: expected chomping"),  # not known: as PyYAML says
])
def test_yaml_mistakes_are_described_in_danish_with_line_and_column(tmp_path, content, expected):
    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected) as raised:
        load_params(path)
    if "YAML siger" not in expected:
        assert not re.search(r"expected|found|stream|got '", str(raised.value)), raised.value


def test_a_parameters_file_that_cannot_be_read_is_named_in_danish(tmp_path):
    with pytest.raises(ConfigError, match=r"^parameterfil .*mangler.yaml: findes ikke$"):
        load_params(tmp_path / "mangler.yaml")
    with pytest.raises(ConfigError, match=r"^parameterfil .*: det er en mappe, ikke en fil$"):
        load_params(tmp_path)


@pytest.mark.parametrize("content, expected", [
    # A name given twice: PyYAML would keep the last one without a word.
    ("varianter:\n  a: {notebooks: [01_visiterede_ydelser]}\n  a: {notebooks: [02_psykiatriens_hus]}\n",
     r"linje 3: 'a' står to gange \(også i linje 2\)"),
    ("first_period: 2017H1\nfirst_period: 2018H1\n", r"linje 2: 'first_period' står to gange"),
    ("varianter:\n\ta: {}\n", r"linje 2, kolonne 1: ikke gyldig YAML \(indrykket med tabulator; brug mellemrum\)"),
    ("titel: Årsrapport\n".encode("cp1252"), r"linje 1: filen er ikke gemt som UTF-8"),
    ("", r"filen er tom"),
    ("# kun en kommentar\n", r"filen er tom"),
])
def test_mistakes_in_a_parameters_file_name_the_line(tmp_path, content, expected):
    path = tmp_path / "p.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(ConfigError, match=expected):
        load_params(path)


@pytest.mark.parametrize("name", ["eksempel.yaml", "statusrapporter.yaml"])
def test_shipped_parameter_files_fit_the_real_notebooks(name):
    path = ROOT / "params" / name
    if not path.exists():
        pytest.skip(f"params/{name} findes ikke")
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    jobs = plan_jobs(load_params(path), notebooks, declared_parameters(notebooks), processed_dir="/p")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {j.variant for j in jobs} == set(data["varianter"])
    assert len({j.output_stem for j in jobs}) == len(jobs)


def test_a_value_outside_the_list_a_notebook_gives_is_refused_before_running():
    # 04's parameters cell: report_type: str = "slutstatus"  # midtvejsstatus eller slutstatus
    notebooks = [ROOT / "notebooks" / "04_maalopfoelgning.ipynb"]
    variants = parse_params({"varianter": {"x": {"parametre": {"report_type": "halvvejs"}}}})
    with pytest.raises(ConfigError, match=r"'report_type'.*skal være 'midtvejsstatus' eller 'slutstatus', ikke 'halvvejs'"):
        plan_jobs(variants, notebooks, declared_parameters(notebooks), processed_dir="/p")
    ok = parse_params({"varianter": {"x": {"parametre": {"report_type": "midtvejsstatus"}}}})
    assert plan_jobs(ok, notebooks, declared_parameters(notebooks), processed_dir="/p")


def test_cli_stops_on_a_bad_variant_before_running_anything(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("varianter:\n  forkert:\n    notebooks: [01_visiterede_ydelser]\n"
                   "    parametre: {first_period: 2019H3}\n", encoding="utf-8")
    reports = tmp_path / "reports"
    (tmp_path / "indikatorer.csv").write_text("indicator;group;period;value\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "analyse", "run", "--params", str(bad), "--reports", str(reports),
         "--processed", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "variant 'forkert'" in lines[0] and "parameter 'first_period'" in lines[0] and "2019H3" in lines[0]
    assert not reports.exists()


def test_a_file_parameter_is_read_relative_to_the_parameters_file(tmp_path, monkeypatch):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "maal.yaml").write_text("x", encoding="utf-8")
    path = tmp_path / "mine" / "p.yaml"
    path.write_text("parametre: {goals_file: maal.yaml}\nvarianter:\n  a: {parametre: {goals_file: ../mine/maal.yaml}}\n"
                    "  b: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not where the parameters file is
    variants = {v.name: v for v in load_params(path)}
    assert variants["a"].parameters["goals_file"] == str(tmp_path / "mine" / "maal.yaml")
    assert variants["b"].common["goals_file"] == str(tmp_path / "mine" / "maal.yaml")
    path.write_text("varianter:\n  a: {parametre: {goals_file: andet.yaml}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"variant 'a', parameter 'goals_file': filen .*mine/andet.yaml findes ikke"):
        load_params(path)
