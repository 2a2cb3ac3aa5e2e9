"""How ``--jobs N`` schedules executions and conversions (runner stages replaced by stand-ins).

The real kernels are exercised in test_parallel.py; here the order of events is what
is tested, which real kernels make too slow and too uneven to pin down.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from analyse import batch, runner
from analyse.params import ReportJob


class Stages:
    """Stand-ins for runner.execute and runner.convert that log what happened when."""

    def __init__(self, conversion_gate: threading.Event | None = None):
        self.events: list[str] = []
        self.lock = threading.Lock()
        self.conversion_gate = conversion_gate
        self.fail_execution = set()
        self.crash_execution = set()
        self.crash_conversion = set()

    def log(self, text: str) -> None:
        with self.lock:
            self.events.append(text)

    def execute(self, notebook, parameters, reports_dir, output_stem=None, variant=None, variant_title=None):
        self.log(f"execute {variant}")
        if variant in self.crash_execution:
            raise RuntimeError("kernel forsvandt")
        if variant in self.fail_execution:
            return runner.ReportResult(notebook, variant, Path("x.ipynb"), None, 0.0, f"{variant} fejlede", variant)
        return runner.ExecutedNotebook(notebook, None, parameters, reports_dir, output_stem, variant, variant,
                                       Path("x.ipynb"), 0.0, variant)

    def convert(self, stage):
        if self.conversion_gate is not None:
            assert self.conversion_gate.wait(10), "the other executions never started"
        self.log(f"convert {stage.variant}")
        if stage.variant in self.crash_conversion:
            raise MemoryError("for stor figur")
        return runner.ReportResult(stage.notebook, stage.title, stage.executed, Path(f"{stage.variant}.html"),
                                   0.0, None, stage.variant)


@pytest.fixture
def stages(monkeypatch):
    made = Stages()
    monkeypatch.setattr(runner, "execute", made.execute)
    monkeypatch.setattr(runner, "convert", made.convert)
    return made


def jobs(*names: str) -> list[ReportJob]:
    return [ReportJob(Path("rapport.ipynb"), {}, name) for name in names]


def test_results_come_back_in_job_order_whatever_finishes_first(stages, tmp_path):
    done = []
    results = batch.execute_jobs(jobs("a", "b", "c", "d", "e"), tmp_path, workers=2, progress=False,
                                 on_done=done.append)
    assert [r.variant for r in results] == ["a", "b", "c", "d", "e"]
    assert all(r.ok for r in results)
    assert sorted(r.variant for r in done) == ["a", "b", "c", "d", "e"]  # each reported once
    assert sorted(stages.events) == sorted([f"execute {v}" for v in "abcde"] + [f"convert {v}" for v in "abcde"])


def test_the_next_kernels_start_before_the_first_conversion_is_done(monkeypatch, tmp_path):
    # Conversions wait until all four executions have started: with conversion in the
    # executing thread, the third and fourth could only start after a conversion, and
    # the run would stop at the gate (the stand-in's assertion fails the job).
    gate = threading.Event()
    made = Stages(conversion_gate=gate)
    monkeypatch.setattr(runner, "execute", made.execute)
    monkeypatch.setattr(runner, "convert", made.convert)

    def execute(*args, **kwargs):
        result = Stages.execute(made, *args, **kwargs)
        if sum(e.startswith("execute") for e in made.events) == 4:
            gate.set()
        return result

    monkeypatch.setattr(runner, "execute", execute)
    results = batch.execute_jobs(jobs("a", "b", "c", "d"), tmp_path, workers=2, progress=False)
    assert all(r.ok for r in results), [r.error for r in results]
    first_conversion = next(i for i, e in enumerate(made.events) if e.startswith("convert"))
    assert sum(e.startswith("execute") for e in made.events[:first_conversion]) == 4


def test_a_failed_or_crashed_stage_fails_its_own_job_only(stages, tmp_path):
    stages.fail_execution.add("b")
    stages.crash_execution.add("c")
    stages.crash_conversion.add("d")
    results = batch.execute_jobs(jobs("a", "b", "c", "d", "e"), tmp_path, workers=2, progress=False)
    assert [r.ok for r in results] == [True, False, False, False, True]
    assert results[1].error == "b fejlede"
    assert "RuntimeError: kernel forsvandt" in results[2].error and "variant c" in results[2].error
    assert "MemoryError: for stor figur" in results[3].error and "variant d" in results[3].error
    assert "convert b" not in stages.events and "convert c" not in stages.events


def test_one_job_at_a_time_converts_before_the_next_starts(stages, tmp_path):
    batch.execute_jobs(jobs("a", "b", "c"), tmp_path, workers=1, progress=False)
    assert stages.events == ["execute a", "convert a", "execute b", "convert b", "execute c", "convert c"]


def test_a_job_whose_conversion_cannot_even_be_queued_still_comes_back(stages, monkeypatch, tmp_path):
    # Were the hand-over itself to fail, the job would never be reported and the batch would wait forever.
    real_submit = batch.ThreadPoolExecutor.submit

    def submit(self, fn, *args, **kwargs):
        if fn is runner.convert and args[0].variant == "b":
            raise RuntimeError("cannot schedule new futures after shutdown")
        return real_submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(batch.ThreadPoolExecutor, "submit", submit)
    results = batch.execute_jobs(jobs("a", "b", "c"), tmp_path, workers=2, progress=False)
    assert [r.ok for r in results] == [True, False, True]
    assert "RuntimeError" in results[1].error and "variant b" in results[1].error
