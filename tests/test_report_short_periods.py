"""Report 01 on periods too short for a trend (one or two half-years): it is made, and says so.

Through the project's runner, as `analyse run` with a variant such as
``{notebooks: [01_visiterede_ydelser], first_period: 2018H2, last_period: 2019H1}`` does.
"""

from __future__ import annotations

import html
import re

import pytest

from analyse.runner import run_notebooks
from tests.test_runner import NOTEBOOK_01, _processed_fixture

pytestmark = pytest.mark.slow


def _text(page: str) -> str:
    body = re.sub(r"<style.*?</style>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.parametrize(("first", "last", "sentence", "period"), [
    ("2018H2", "2019H1",
     "Antallet af unikke personer med en visiteret ydelse var 529 i 2. halvår 2018 og 492 i 1. halvår 2019. "
     "Der er kun 2 halvår med tal, for få til at vurdere udviklingen.",
     "Periode: 2. halvår 2018 – 1. halvår 2019."),
    ("2019H1", "2019H1",
     "Antallet af unikke personer med en visiteret ydelse var 492 i 1. halvår 2019. "
     "Der er kun 1 halvår med tal, for få til at vurdere udviklingen.",
     "Periode: 1. halvår 2019."),
], ids=["to-halvaar", "et-halvaar"])
def test_notebook_01_with_one_or_two_half_years(tmp_path, monkeypatch, first, last, sentence, period):
    processed = _processed_fixture(tmp_path / "processed")
    reports = tmp_path / "reports"
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))

    results = run_notebooks([NOTEBOOK_01], parameters={"first_period": first, "last_period": last},
                            reports_dir=reports, processed_dir=processed)

    assert [r.ok for r in results] == [True], results[0].error
    page = (reports / "01_visiterede_ydelser.html").read_text(encoding="utf-8")
    header = _text(re.search(r'<header class="analyse-header".*?</header>', page, re.DOTALL).group(0))
    assert period in header
    text = _text(page)
    assert sentence in text
    assert "Tabel 1: Unikke personer" in text and "Tabel 2: Unikke personer" in text
    assert "log-lineær Poisson-regression" not in text  # no model to describe
