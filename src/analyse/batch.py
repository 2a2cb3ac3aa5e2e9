"""Running many report jobs: one after another, several at a time, or on a Dask cluster.

A job (:class:`analyse.params.ReportJob`) is one notebook with its parameters and
variant. :func:`execute_jobs` runs them and returns one
:class:`~analyse.runner.ReportResult` each, in the order given:

- ``jobs=1``: in this process (the kernel is a process of its own anyway);
- ``jobs=N``: N executions at a time from threads of this process. Each execution
  runs in its own kernel process, so they run side by side; the HTML conversion
  (nbconvert, in-process: no process start per report) is a small part of a report's
  time (see ``python -m benchmarks``) and runs on a thread of its own while the next
  kernels start. Measured, threads were faster than worker processes, which pay a
  start-up each;
- ``executor="processes"``: N worker processes instead, for notebooks whose
  conversion is heavy (many large figures);
- ``executor="dask"``: submitted to a Dask distributed scheduler
  (``--scheduler tcp://host:8786``), the way a region or a national body regenerates
  reports for many municipalities. The workers must see the same paths (notebooks,
  processed data, reports folder), e.g. on a shared drive, and have analyse installed.

A job that fails never stops the others: its result carries the error (notebook,
variant, cell and error, CPR-like numbers masked). A progress bar goes to the
terminal when stderr is one.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import re
import sys
import time
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Collection, Iterable

from analyse.exceptions import ConfigError
from analyse.params import ReportJob

EXECUTORS = ("local", "processes", "dask")
ENV_PREFIX = "ANALYSE_"
# Secrets stay in this process: notebooks never need the pseudonym key.
_NEVER_SENT = frozenset({"ANALYSE_PSEUDONYM_KEY", "ANALYSE_KEY_FILE"})


_ENV_LOCK = threading.Lock()
_ENV_USERS = 0
_ENV_SAVED: dict[str, str] = {}


@contextmanager
def job_env(env: dict[str, str] | None):
    """This process's ``ANALYSE_*`` environment as the caller's ``env``, and without the key.

    The kernel inherits this process's environment. Reference-counted, so jobs that run
    side by side in threads of one process (a Dask worker with several threads, the
    local thread pool) share one setting and the last one out restores the original.
    """
    global _ENV_USERS, _ENV_SAVED
    with _ENV_LOCK:
        if _ENV_USERS == 0:
            _ENV_SAVED = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
            for name in _ENV_SAVED:
                if name in _NEVER_SENT or (env is not None and name not in env):
                    os.environ.pop(name, None)
            os.environ.update(env or {})
        _ENV_USERS += 1
    try:
        yield
    finally:
        with _ENV_LOCK:
            _ENV_USERS -= 1
            if _ENV_USERS == 0:
                for name in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
                    os.environ.pop(name, None)
                os.environ.update(_ENV_SAVED)


def _run(job: ReportJob, reports_dir: str):
    """Execute and convert one job, one after the other."""
    from analyse import runner

    return runner.finish(_execute(job, reports_dir))


def _execute(job: ReportJob, reports_dir: str):
    from analyse import runner

    return runner.execute(
        Path(job.notebook), dict(job.parameters), Path(reports_dir),
        output_stem=job.output_stem, variant=job.variant, variant_title=job.title,
    )


def run_job(job: ReportJob, reports_dir: str, env: dict[str, str] | None = None):
    """Run one job here (in whatever process this is): execute, convert, write the report.

    Top-level so worker processes and Dask workers can import it. ``env`` holds the
    caller's ``ANALYSE_*`` settings (where spreadsheets and data are): a worker process
    or a Dask worker does not share the caller's environment, and the kernel inherits
    this process's. The pseudonym key is never among them, and is out of this process's
    environment while the kernel runs (notebooks never need it).
    """
    with job_env(env):
        return _run(job, reports_dir)


def job_environment(reports_dir: Path) -> dict[str, str]:
    """The ``ANALYSE_*`` settings jobs run with (spreadsheets default to ``reports_dir/tabeller``)."""
    from analyse.formatting import TABLES_ENV_VAR

    from analyse.config import PATH_ENV_VARS

    env = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX) and k not in _NEVER_SENT}
    for name in PATH_ENV_VARS:  # a kernel's working directory is not the command's
        if env.get(name, "").strip():
            env[name] = str(Path(env[name]).expanduser().resolve())
    env.setdefault(TABLES_ENV_VAR, str(Path(reports_dir).resolve() / "tabeller"))
    return env


def _crashed(job: ReportJob, reports_dir: Path, error: BaseException):
    """The result of a job whose worker died or could not be reached."""
    from analyse import runner

    message = runner._scrub(f"notebook {job.label} kunne ikke køres: {type(error).__name__}: {error}")
    return runner.ReportResult(
        Path(job.notebook), job.output_stem, Path(reports_dir) / runner.EXECUTED_SUBDIR / f"{job.output_stem}.ipynb",
        None, 0.0, message, job.variant,
    )


class _Progress:
    """A tqdm bar on stderr when it is a terminal; otherwise nothing."""

    def __init__(self, total: int, enabled: bool | None = None):
        enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="Rapporter", unit="rapport", file=sys.stderr, leave=True)

    def done(self, result) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(("fejl: " if not result.ok else "") + Path(str(result.executed)).stem)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _mp_context():
    """Worker processes start from a clean server process (no threads inherited) where possible."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["analyse.batch", "analyse.runner"])
        return context
    return multiprocessing.get_context("spawn")


def _collect(futures: dict, jobs, reports_dir, on_done, results) -> None:
    for future in as_completed(futures):
        i = futures[future]
        try:
            results[i] = future.result()
        except BaseException as error:  # noqa: BLE001 - a dead worker fails its job, not the batch
            results[i] = _crashed(jobs[i], reports_dir, error)
        on_done(results[i])


def _run_local(jobs, reports_dir, env, workers, on_done):
    """Up to ``workers`` notebooks at a time, from threads of this process (each kernel is a process).

    One at a time too runs in a thread, not in this (the main) thread: papermill's client would
    take over SIGINT and SIGTERM there and ask the kernel to shut down in the middle of a cell.
    The main thread only waits, so an interrupt (Ctrl-C, or SIGTERM as the command line turns it
    into one) lands here: the kernels are killed, jobs not started are dropped, the reports that
    were finished are passed to ``on_done``, and the interrupt goes on up (see :func:`_interrupted`).
    """
    from analyse import runner

    results = [None] * len(jobs)
    runner.allow_kernels()
    with job_env(env):
        if workers <= 1 or len(jobs) <= 1:
            _run_one_by_one(jobs, reports_dir, on_done, results)
        else:
            _run_pipelined(jobs, reports_dir, min(workers, len(jobs)), on_done, results)
    return results


def _interrupted(pools, outcomes: Iterable, on_done, results) -> None:
    """After an interrupt: kill the kernels, drop jobs not started, wait for those running (their
    kernels gone, they end at once), then pass on the reports that were finished."""
    from analyse import runner

    runner.stop_kernels()
    for pool in pools:
        pool.shutdown(wait=False, cancel_futures=True)
    for pool in pools:
        pool.shutdown(wait=True)
    for i, future in outcomes:
        if results[i] is None and future.done() and not future.cancelled() and future.exception() is None:
            result = future.result()
            if getattr(result, "ok", False):  # a finished report (a cut-short run comes back failed)
                results[i] = result
                on_done(result)


def _outcome(future: Future, job: ReportJob, reports_dir):
    try:
        return future.result()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - a broken job fails alone
        return _crashed(job, reports_dir, error)


def _run_one_by_one(jobs, reports_dir, on_done, results) -> None:
    """Execute and convert each job in turn, on a thread of its own (see :func:`_run_local`)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        futures = [pool.submit(_run, job, str(reports_dir)) for job in jobs]
        try:
            for i, future in enumerate(futures):
                results[i] = _outcome(future, jobs[i], reports_dir)
                on_done(results[i])
        except BaseException:
            _interrupted([pool], enumerate(futures), on_done, results)
            raise


def _run_pipelined(jobs, reports_dir, workers, on_done, results) -> None:
    """Executions ``workers`` at a time; conversions one at a time on a thread of their own.

    A thread whose notebook has run starts the next kernel at once instead of converting
    first. Conversion is Python code holding this process's GIL, so two conversions in
    threads take as long as one after the other, and meanwhile both kernels would sit
    idle; handed to the conversion thread, it overlaps the next kernels' start-up.
    """
    from analyse import runner

    finished: queue.SimpleQueue = queue.SimpleQueue()  # (job index, future holding its result)
    with ThreadPoolExecutor(max_workers=1) as converter, ThreadPoolExecutor(max_workers=workers) as pool:

        def executed(i: int, future: Future) -> None:
            try:
                stage = None if future.exception() is not None else future.result()
                if isinstance(stage, runner.ExecutedNotebook):
                    converter.submit(runner.convert, stage).add_done_callback(lambda done: finished.put((i, done)))
                    return
            except BaseException as error:  # noqa: BLE001 - every job must come back, or the wait below never ends
                future = Future()
                future.set_exception(error)
            finished.put((i, future))  # failed in the notebook (a result) or in the runner (an exception)

        for i, job in enumerate(jobs):
            pool.submit(_execute, job, str(reports_dir)).add_done_callback(lambda future, i=i: executed(i, future))
        try:
            for _ in jobs:
                i, future = finished.get()
                results[i] = _outcome(future, jobs[i], reports_dir)  # a broken job fails alone, as in _collect
                on_done(results[i])
        except BaseException:
            # The conversion thread first: a conversion handed over from now on is dropped.
            _interrupted([converter, pool], _drain(finished), on_done, results)
            raise


def _drain(finished: queue.SimpleQueue):
    """What is in the queue once the pools are shut down (read lazily: after the wait)."""
    while True:
        try:
            yield finished.get_nowait()
        except queue.Empty:
            return


def _run_processes(jobs, reports_dir, env, workers, on_done):
    """The same in worker processes: conversions run truly side by side, at a start-up cost per worker."""
    results = [None] * len(jobs)
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))), mp_context=_mp_context()) as pool:
        futures = {pool.submit(run_job, job, str(reports_dir), env): i for i, job in enumerate(jobs)}
        _collect(futures, jobs, reports_dir, on_done, results)
    return results


def _reachable(address: str) -> None:
    """Fail at once (not after the client's retries) when nothing listens at a tcp:// address."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme in ("tcp", "") and parts.hostname and parts.port:
        with socket.create_connection((parts.hostname, parts.port), timeout=5):
            pass


def _run_dask(jobs, reports_dir, env, scheduler, on_done):
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise ConfigError("--executor dask kræver pakken 'distributed'") from None
    if not scheduler:
        raise ConfigError("--executor dask kræver --scheduler ADRESSE (fx tcp://127.0.0.1:8786)")
    try:
        _reachable(scheduler)
        client = Client(scheduler, timeout="15s", set_as_default=False)
    except Exception as error:  # noqa: BLE001 - OSError, TimeoutError, ...: one clear line
        raise ConfigError(f"kan ikke forbinde til Dask-scheduleren {scheduler} ({type(error).__name__})") from None
    results = [None] * len(jobs)
    try:
        futures = {}
        for i, job in enumerate(jobs):
            future = client.submit(run_job, job, str(reports_dir), env, pure=False,
                                   key=f"analyse-{job.output_stem}-{os.getpid()}-{time.monotonic_ns()}")
            futures[future.key] = (i, future)
        with client.as_current():
            for future in dask_completed([f for _, f in futures.values()]):
                i = futures[future.key][0]
                try:
                    results[i] = future.result()
                except BaseException as error:  # noqa: BLE001 - a lost worker fails its job, not the batch
                    results[i] = _crashed(jobs[i], reports_dir, error)
                on_done(results[i])
    finally:
        client.close()
    return results


def execute_jobs(
    jobs: list[ReportJob],
    reports_dir: Path,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    progress: bool | None = None,
    on_done: Callable | None = None,
) -> list:
    """Run every job; one :class:`~analyse.runner.ReportResult` per job, in order.

    Spreadsheets go to ``$ANALYSE_TABLES_DIR`` if set, else ``reports_dir/tabeller``.
    """
    if executor not in EXECUTORS:
        raise ConfigError(f"ukendt --executor {executor!r} (vælg {' eller '.join(EXECUTORS)})")
    reports_dir = Path(reports_dir).resolve()
    reports_dir.mkdir(parents=True, exist_ok=True)
    env = job_environment(reports_dir)
    bar = _Progress(len(jobs), progress)

    def done(result):
        bar.done(result)
        if on_done is not None:
            on_done(result)

    try:
        if executor == "dask":
            return _run_dask(jobs, reports_dir, env, scheduler, done)
        if executor == "processes":
            return _run_processes(jobs, reports_dir, env, workers, done)
        return _run_local(jobs, reports_dir, env, workers, done)
    finally:
        bar.close()


def write_index(
    reports_dir: Path,
    results: list,
    processed_dir: Path | None,
    current: Collection[str] | None = None,
    not_made: dict[str, str] | None = None,
    planned: Collection[str] | None = None,
) -> Path:
    """``reports/index.html`` over every report in the folder (the ones just run get their titles).

    See :func:`analyse.runner.index_html` for ``current``, ``not_made`` and ``planned``. An index that
    would only differ in its build time is left alone, so a build that changed nothing
    writes nothing.
    """
    from analyse import runner

    target = Path(reports_dir) / runner.INDEX_FILE
    page = runner.index_html(Path(reports_dir), results, processed_dir, datetime.now(), current, not_made, planned)
    try:
        old = target.read_text(encoding="utf-8")
    except OSError:
        old = None
    if old is None or _without_build_time(old) != _without_build_time(page):
        runner._atomic_write_text(target, page)
    return target


def _without_build_time(page: str) -> str:
    return re.sub(r"<p>Bygget [^<]*</p>", "", page)


def failure_summary(results: Iterable) -> list[str]:
    """One line per failed report: notebook, variant, cell and error (already masked)."""
    return [r.error for r in results if not r.ok]
