"""Run the report notebooks with Papermill and turn them into self-contained HTML.

For every ``notebooks/*.ipynb``: execute it (parameters injected only where the
notebook declares them), keep the executed copy under ``reports/notebooks/``,
convert it in-process with nbconvert to ``reports/<name>.html`` without code,
prompts or CDN scripts (images are inline, so one file can be mailed; header,
contents, provenance footer and banners from :mod:`analyse.report_page`), write
its tables to ``reports/tabeller/<name>.xlsx`` (:mod:`analyse.workbook`), and
finally write ``reports/index.html``. A failing notebook does not stop the
others; the failure is raised afterwards as one :class:`NotebookError`.
"""

from __future__ import annotations

import copy
import html
import logging
import os
import re
import signal
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Collection
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from os import PathLike
from pathlib import Path

import nbformat

from analyse import config
from analyse.exceptions import AnalyseError, ConfigError
from analyse.formatting import TABLES_ENV_VAR, format_datetime, synthetic_banner
from analyse.values import CPR_LIKE as _CPR_LIKE  # a CPR number, however written, never reaches a message

KERNEL_NAME = "python3"
EXECUTED_SUBDIR = "notebooks"
INDEX_FILE = "index.html"
# The copy papermill writes while a notebook runs (`.<report>.partial.ipynb` beside the executed
# copies); renamed to `<report>.ipynb` when it is done. analyse.build removes one a killed run left.
PARTIAL_SUFFIX = ".partial.ipynb"

# Cells that are machinery, not report: papermill's injected parameters, the
# notebook's own defaults, and anything an author tags to hide.
HIDDEN_CELL_TAGS = frozenset({"injected-parameters", "parameters", "remove_cell", "remove-cell"})

# Parameters end up in the executed notebook for anyone to read, so anything
# that looks like a secret is refused rather than stored.
_SECRET_NAME = re.compile(r"key|secret|password|passwd|token|n(ø|oe)gle|kodeord", re.IGNORECASE)


# Extends nbconvert's 'lab' template and drops every block that would load a
# script from a CDN (require.js, MathJax, Mermaid, widgets): the reports must
# open offline from a mail attachment, and they use none of those. PNGs are
# always inline and take their alt text from the output's metadata (see
# formatting.show_chart), since nbconvert would otherwise add an English one.
_REPORT_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block extra_css %}
<style type="text/css">
body.jp-Notebook { max-width: 60em; margin: 0 auto; padding: 1em 2em; }
.jp-RenderedHTMLCommon table { margin-left: 0; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { font-variant-numeric: tabular-nums; }
@media print { .analyse-syntetisk { break-inside: avoid; } }
</style>
{% endblock extra_css %}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ ((output | get_metadata('alt', 'image/png')) or 'Figur') | escape_html }}">
</div>
{%- endblock data_png %}
"""


@dataclass(frozen=True)
class ReportResult:
    """What happened to one notebook."""

    notebook: Path
    title: str
    executed: Path
    html: Path | None
    seconds: float
    error: str | None = None
    variant: str | None = None
    # Disclosure-control warnings the notebook raised (see suppression.DisclosureWarning):
    # not shown to the report's readers, so the build says them to the analyst.
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


class NotebookError(AnalyseError):
    """One or more notebooks failed; ``results`` holds every notebook's outcome."""

    def __init__(self, results: list[ReportResult]):
        self.results = results
        failed = [r for r in results if not r.ok]
        super().__init__("; ".join(r.error for r in failed))


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of a notebook, without the '#'s.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
    ...     nbformat.v4.new_markdown_cell("Intro\\n\\n## Visiterede ydelser (AS2007) ##")])
    >>> notebook_title(nb, "01")
    'Visiterede ydelser (AS2007)'
    """
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                return match.group(1)
    return fallback


def _scrub(text: str) -> str:
    """One line, no terminal colours, no CPR-like numbers: fit for the CLI's one-line reason."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text))
    return _CPR_LIKE.sub("[skjult tal]", " ".join(text.split()))


def _atomic_write_text(path: Path, text: str) -> None:
    """Write beside the target and rename, so readers never see half a report.

    ``open(..., "x")`` rather than mkstemp: the report gets the usual umask
    permissions (mkstemp's 0600 would hide it from colleagues on a share).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def report_html(nb: nbformat.NotebookNode, title: str, context=None) -> str:
    """The HTML report of an executed notebook: no code, no prompts, no stderr, no CDN scripts.

    :mod:`analyse.report_page` adds the header, table of contents, provenance
    footer and banners (``context``: a :class:`~analyse.report_page.ReportContext`)
    and refuses a page that would fetch anything.
    """
    from nbconvert import HTMLExporter

    from analyse import report_page

    nb = copy.deepcopy(nb)
    nb.cells = [
        cell for cell in nb.cells
        if not HIDDEN_CELL_TAGS & set(cell.get("metadata", {}).get("tags", []))
    ]
    for cell in nb.cells:
        if cell.cell_type == "code":
            # Warnings and log lines are for the analyst, not for the readers.
            cell.outputs = [
                out for out in cell.outputs
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        language_code="da",
    )
    facts = report_page.prepare(nb)
    exporter.raw_template = _REPORT_TEMPLATE
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return report_page.finish(body, facts, title, context)


def _declared_parameters(notebook: Path) -> dict:
    import papermill

    return papermill.inspect_notebook(str(notebook))


def _check_parameters(parameters: dict, declared: dict[Path, dict]) -> None:
    key = os.environ.get(config.KEY_ENV_VAR, "").strip()
    for name, value in parameters.items():
        if _SECRET_NAME.search(name):
            raise ConfigError(
                f"parameteren {name!r} ligner en hemmelighed; hemmeligheder må ikke gives "
                "som notebook-parametre (de gemmes i den kørte notebook)"
            )
        # The value too: the pseudonymisation key or a CPR number must not end up in a notebook.
        text = repr(value)
        if (key and key in text) or _CPR_LIKE.search(text):
            raise ConfigError(
                f"parameteren {name!r} har en værdi, der ligner nøglen eller et CPR-nummer; "
                "sådanne værdier må ikke gives som notebook-parametre (de gemmes i den kørte notebook)"
            )
    known = set().union(*declared.values()) if declared else set()
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise ConfigError(
            f"ukendte parametre: {', '.join(unknown)}; notebooks kender: {', '.join(sorted(known))}"
        )


def _plain(value):
    return str(value) if isinstance(value, PathLike) else value


def _failure_message(name: str, error: Exception, executed: Path) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        first_line = next((ln for ln in str(error.source).splitlines() if ln.strip()), "")
        return _scrub(
            f"notebook {name} fejlede i kodecelle {error.exec_count} ({first_line.strip()[:80]}): "
            f"{error.ename}: {error.evalue} (den kørte kopi: {executed})"
        )
    return _scrub(f"notebook {name} kunne ikke køres: {type(error).__name__}: {error}")


def partial_path(executed: Path) -> Path:
    """Where papermill writes an executed copy while its notebook runs."""
    return executed.with_name(f".{executed.stem}{PARTIAL_SUFFIX}")


# --- stopping every kernel at once (Ctrl-C, SIGTERM) -------------------------------------------
#
# Notebooks run in threads (analyse.batch), so an interrupt reaches the main thread while the
# kernels run on. The batch then calls stop_kernels(): the kernels this process started are
# killed (their own process group each: jupyter_client starts them in a session of their own, so
# a terminal's Ctrl-C does not reach them), no new one starts, and the runs that were cut short
# leave no partial copy. A kernel killed outright prints nothing (asked to shut down in the middle
# of a cell, ipykernel printed an English ZMQError traceback on this process's terminal), and what a
# kernel writes to stderr once its shutdown has begun is dropped (see _forward_stderr).

_STOPPING = threading.Event()
_KERNELS: "weakref.WeakSet" = weakref.WeakSet()
_KERNELS_LOCK = threading.Lock()


class Stopped(RuntimeError):
    """The run was interrupted: no kernel starts."""


def allow_kernels() -> None:
    """Let kernels start again (a new batch after an interrupted one, in the same process)."""
    _STOPPING.clear()


def _kill(manager) -> None:
    process = getattr(getattr(manager, "provisioner", None), "process", None)
    if process is None or process.poll() is not None:  # gone (reaped: its id may be another's now)
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the kernel and anything it started
    except OSError:
        try:
            process.kill()
        except OSError:
            pass


class _QuietWhileStopping(logging.Filter):
    """Papermill's client logs each killed kernel ("Kernel died while waiting for execute reply.")."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _STOPPING.is_set()


_QUIET = _QuietWhileStopping()


def stop_kernels() -> None:
    """Kill every kernel this process runs, and start no more until :func:`allow_kernels`.

    Log lines about the kernels dying are dropped meanwhile (they are this, not news).
    """
    _STOPPING.set()
    for handler in logging.getLogger().handlers:
        if _QUIET not in handler.filters:
            handler.addFilter(_QUIET)
    with _KERNELS_LOCK:
        managers = list(_KERNELS)
    for manager in managers:
        _kill(manager)


def _forward_stderr(fd: int, manager) -> None:
    """Pass a kernel's stderr on to this process's, until its shutdown begins (or every kernel's).

    Shutting a kernel down, jupyter_client interrupts it first (SIGINT) and then asks it to stop;
    caught in a message handler, ipykernel logs that ("KeyboardInterrupt caught in kernel", an
    English ZMQError traceback), which is nothing the analyst can act on. What a kernel says
    while it runs (it failed to start, a library wrote to stderr) still comes through.
    """
    with open(fd, "rb", buffering=0) as pipe:
        for line in iter(pipe.readline, b""):
            if manager._quiet or _STOPPING.is_set():
                continue
            try:
                sys.stderr.write(line.decode("utf-8", "replace"))
                sys.stderr.flush()
            except (OSError, ValueError):  # this process's stderr closed: read on, so the kernel never blocks
                pass


@lru_cache(maxsize=1)
def _kernel_manager_class():
    """A kernel manager that encrypts kernel traffic when ZeroMQ can (CurveZMQ).

    The kernel sees pseudonymised personal data; without this, ipykernel also
    prints a plain-text-transport warning on every run. Its kernels are known to
    :func:`stop_kernels`.
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class EncryptedKernelManager(AsyncKernelManager):
        _quiet = False  # set once the kernel is being shut down: see _forward_stderr

        @default("transport_encryption")
        def _default_transport_encryption(self):
            return "auto" if zmq.has("curve") else "disabled"

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if _STOPPING.is_set():
                raise Stopped("afbrudt")
            read, write = os.pipe()
            kw["stderr"] = write
            try:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            except BaseException:
                os.close(read)
                raise
            finally:
                os.close(write)
            threading.Thread(target=_forward_stderr, args=(read, self), daemon=True,
                             name="kernel-stderr").start()
            with _KERNELS_LOCK:
                _KERNELS.add(self)
            if _STOPPING.is_set():  # stop_kernels() ran while this one started
                _kill(self)

        async def shutdown_kernel(self, now: bool = False, restart: bool = False):
            self._quiet = True
            return await super().shutdown_kernel(now=now, restart=restart)

    return EncryptedKernelManager


@dataclass(frozen=True)
class ExecutedNotebook:
    """A notebook papermill has run, waiting to be written as a report (see :func:`convert`)."""

    notebook: Path
    nb: nbformat.NotebookNode
    parameters: dict
    reports_dir: Path
    stem: str
    title: str
    label: str
    executed: Path
    started: float
    variant: str | None = None


def finish(stage: ExecutedNotebook | ReportResult) -> ReportResult:
    """What :func:`execute` returned, converted to a report unless it already failed.

    ``finish(execute(...))`` runs one notebook and writes its report; it never raises
    for the notebook's own failure.
    """
    return stage if isinstance(stage, ReportResult) else convert(stage)


def execute(
    notebook: Path, parameters: dict, reports_dir: Path,
    output_stem: str | None = None, variant: str | None = None, variant_title: str | None = None,
) -> ExecutedNotebook | ReportResult:
    """Run the notebook in a kernel; a failure is returned as its (failed) :class:`ReportResult`.

    ``output_stem`` names the report and the executed copy (default: the notebook's
    name); a report ``variant`` (see :mod:`analyse.params`) is added to the title
    and to messages. Kept apart from :func:`convert` so a batch can start the next
    kernel while this report is converted (see :mod:`analyse.batch`).
    """
    import papermill

    started = time.monotonic()
    stem = output_stem or notebook.stem
    label = notebook.name if variant is None else f"{notebook.name} (variant {variant})"
    executed = reports_dir / EXECUTED_SUBDIR / f"{stem}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(executed)
    from analyse import report_page

    title = report_page.variant_title(notebook_title(nbformat.read(notebook, as_version=4), notebook.stem),
                                      variant, variant_title, parameters)
    try:
        nb = papermill.execute_notebook(
            str(notebook),
            str(partial),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(config.PROJECT_ROOT),
            progress_bar=False,
            log_output=False,
            kernel_manager_class=_kernel_manager_class(),
        )
    except Exception as error:  # noqa: BLE001 - every failure is reported after the others ran
        if _STOPPING.is_set():  # its kernel was killed: not the notebook's failure, nothing to debug
            partial.unlink(missing_ok=True)
            return ReportResult(notebook, title, executed, None, time.monotonic() - started,
                                f"notebook {label}: afbrudt", variant)
        if partial.exists():
            os.replace(partial, executed)  # kept for the analyst to open and debug
        return ReportResult(notebook, title, executed, None, time.monotonic() - started,
                            _failure_message(label, error, executed), variant)
    except BaseException:  # KeyboardInterrupt in this thread
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, executed)
    return ExecutedNotebook(notebook, nb, parameters, reports_dir, stem, title, label, executed, started, variant)


def convert(stage: ExecutedNotebook) -> ReportResult:
    """Write an executed notebook's HTML report and spreadsheet; never raises for its failure."""
    target = stage.reports_dir / f"{stage.stem}.html"
    try:
        from analyse import report_page, workbook

        context = report_page.context_for(stage.notebook, stage.nb, stage.parameters)
        _atomic_write_text(target, report_html(stage.nb, stage.title, context))
        workbook.write_report_workbook(stage.nb, _tables_dir(stage.reports_dir) / f"{stage.stem}.xlsx",
                                       synthetic=context.synthetic)
    except Exception as error:  # noqa: BLE001 - same: report it with the others
        message = _scrub(f"notebook {stage.label} kunne ikke omdannes til HTML: "
                         f"{type(error).__name__}: {error}")
        return ReportResult(stage.notebook, stage.title, stage.executed, None,
                            time.monotonic() - stage.started, message, stage.variant)
    return ReportResult(stage.notebook, stage.title, stage.executed, target, time.monotonic() - stage.started,
                        None, stage.variant, disclosure_warnings(stage.nb))


def disclosure_warnings(nb: nbformat.NotebookNode) -> tuple[str, ...]:
    """The :class:`~analyse.suppression.DisclosureWarning` messages in an executed notebook's stderr.

    >>> from nbformat.v4 import new_code_cell, new_notebook, new_output
    >>> cell = new_code_cell(outputs=[new_output("stream", name="stderr",
    ...     text="x.py:3: DisclosureWarning: ('t', 'a'): alle celler på linjen er små\\n  masks = f()\\n")])
    >>> disclosure_warnings(new_notebook(cells=[cell]))
    ("('t', 'a'): alle celler på linjen er små",)
    """
    found: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                for match in re.finditer(r"DisclosureWarning: (.*)", out.get("text", "")):
                    message = _scrub(match.group(1))
                    if message not in found:
                        found.append(message)
    return tuple(found)


def _tables_dir(reports_dir: Path) -> Path:
    """Where the reports' workbooks go: ``$ANALYSE_TABLES_DIR``, else ``reports_dir/tabeller``."""
    value = os.environ.get(TABLES_ENV_VAR)
    return Path(value).expanduser() if value else reports_dir / "tabeller"


@contextmanager
def _tables_dir_for(reports_dir: Path):
    """Point the kernels' spreadsheets at ``reports_dir/tabeller`` unless the caller chose."""
    if os.environ.get(TABLES_ENV_VAR):
        yield
        return
    os.environ[TABLES_ENV_VAR] = str(reports_dir / "tabeller")
    try:
        yield
    finally:
        os.environ.pop(TABLES_ENV_VAR, None)


def _existing_title(path: Path) -> str:
    match = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8", errors="replace"),
                      re.DOTALL)
    return html.unescape(match.group(1).strip()) if match else path.stem


def _index_items(reports_dir: Path, reports: list[Path], titles: dict[str, str],
                 why_old: dict[str, str] | None = None, repeated: Collection[str] = ()) -> list[str]:
    """One list item per report: its title as a link, when it was made, its workbook; a title
    the index shows more than once also gets the report's file name, which tells them apart."""
    tables = _tables_dir(reports_dir)
    items = []
    for path in reports:
        title = titles[path.name]
        made = format_datetime(datetime.fromtimestamp(path.stat().st_mtime))
        book = tables / f"{path.stem}.xlsx"
        link = ""
        if book.is_file():  # one workbook per report, beside its link
            href = Path(os.path.relpath(book, reports_dir)).as_posix()
            link = f' · <a href="{html.escape(href)}">tabellerne som regneark</a> ({html.escape(book.name)})'
        note = ""
        if why_old is not None:
            note = f" · {html.escape(why_old.get(path.stem, 'ikke dannet af de nuværende data'))}"
        name = f" · {html.escape(path.name)}" if title in repeated else ""
        items.append(
            f'<li><a href="{html.escape(path.name)}">{html.escape(title)}</a>'
            f'<br><span class="tid">Dannet {made}{name}{link}{note}</span></li>'
        )
    return items


def index_html(
    reports_dir: Path,
    results: list[ReportResult],
    processed_dir: Path | None,
    built: datetime,
    current: Collection[str] | None = None,
    not_made: dict[str, str] | None = None,
    planned: Collection[str] | None = None,
) -> str:
    """The Danish index page: every report in ``reports_dir`` with title, link and time.

    With ``current`` (the reports made from the current data), the other reports in
    the folder (a variant since removed from the parameters file, a source whose
    extracts are gone) are listed apart, with why when ``not_made`` says, so nobody
    mistakes an old report for a current one. Nothing is deleted. With ``planned`` (the
    reports the parameters ask for now), a report that is not among them but has the title
    of one that is (a variant renamed, e.g. a typo fixed or made) is listed apart too. Two
    reports with the same title show their file names.
    """
    titles = {r.html.name: r.title for r in results if r.html is not None}
    reports = sorted(p for p in reports_dir.glob("*.html") if p.name != INDEX_FILE)
    titles = {p.name: titles.get(p.name) or _existing_title(p) for p in reports}
    older = [p for p in reports if current is not None and p.stem not in current]
    why_old = dict(not_made or {})
    if planned is not None:
        wanted = {titles[p.name]: p.name for p in reports if p not in older and p.stem in planned}
        for p in reports:
            if p not in older and p.stem not in planned and titles[p.name] in wanted:
                older.append(p)
                why_old[p.stem] = (f"ikke med i de nuværende parametre; {wanted[titles[p.name]]} "
                                   "har samme titel")
        older.sort()
    reports = [p for p in reports if p not in older]
    seen = [titles[p.name] for p in reports + older]
    repeated = {title for title in seen if seen.count(title) > 1}
    items = _index_items(reports_dir, reports, titles, repeated=repeated)
    older_items = _index_items(reports_dir, older, titles, why_old, repeated)
    failed = [
        f"<li>{html.escape(r.title)} ({html.escape(r.notebook.name)}): kunne ikke dannes ved "
        "denne kørsel; en eventuel ældre udgave står ovenfor.</li>"
        for r in results if not r.ok
    ]
    banner = synthetic_banner(processed_dir) or ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="da"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        "<title>Rapporter</title>",
        "<style>body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;"
        "max-width:50em;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}"
        ".tid{color:#555;font-size:0.9em}li{margin:0.6em 0}a{color:#1f4e79}</style>",
        "</head><body>",
        banner,
        "<h1>Rapporter</h1>",
        f"<p>Bygget {format_datetime(built)}.</p>",
        "<ul>", *items, "</ul>" if items else "</ul><p>Der er endnu ingen rapporter.</p>",
    ]
    if older_items:
        parts += [
            "<h2>Ældre rapporter</h2>",
            "<p>Disse rapporter er ikke dannet af de nuværende rensede data og parametre (fx er varianten "
            "fjernet fra parameterfilen, kilden mangler, eller kørslen blev afbrudt). De kan bygge på ældre "
            "data.</p>",
            "<ul>", *older_items, "</ul>",
        ]
    if failed:
        parts += ["<h2>Fejl</h2>", "<ul>", *failed, "</ul>"]
    parts += [banner, "</body></html>", ""]
    return "\n".join(parts)


def run_notebooks(
    notebooks: list[Path] | None = None,
    parameters: dict | None = None,
    reports_dir: Path | None = None,
    processed_dir: Path | None = None,
    jobs: int = 1,
) -> list[ReportResult]:
    """Execute notebooks, write their HTML reports and the index; return one result each.

    ``notebooks`` defaults to every ``*.ipynb`` in the notebooks folder, sorted.
    ``parameters`` (e.g. from ``analyse run --params FILE``) go to the notebooks
    that declare them; a name no notebook declares is a :class:`ConfigError`, as
    is a name that looks like a secret. ``processed_dir`` is injected as the
    ``processed_dir`` parameter where declared. ``jobs`` > 1 runs that many notebooks
    at a time, each in its own kernel (:mod:`analyse.batch`). Raises :class:`NotebookError` naming each failed notebook,
    cell and error, after all notebooks have run and the index is written.
    """
    if notebooks is None:
        notebooks = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
        if not notebooks:
            raise ConfigError(f"mappen {config.NOTEBOOKS_DIR} indeholder ingen notebooks")
    notebooks = [Path(nb) for nb in notebooks]
    missing = [str(nb) for nb in notebooks if not nb.is_file()]
    if missing:
        raise ConfigError(f"notebook findes ikke: {', '.join(missing)}")
    reports_dir = Path(reports_dir) if reports_dir is not None else config.REPORTS_DIR
    parameters = {name: _plain(value) for name, value in (parameters or {}).items()}
    if processed_dir is not None:
        parameters["processed_dir"] = str(processed_dir)

    declared = {nb: _declared_parameters(nb) for nb in notebooks}
    _check_parameters({k: v for k, v in parameters.items() if k != "processed_dir"}, declared)
    reports_dir.mkdir(parents=True, exist_ok=True)

    from analyse.batch import execute_jobs
    from analyse.params import ReportJob

    batch = [ReportJob(nb, {k: v for k, v in parameters.items() if k in declared[nb]}) for nb in notebooks]
    with _tables_dir_for(reports_dir):
        results = execute_jobs(batch, reports_dir, workers=jobs)

    used_processed = Path(parameters["processed_dir"]) if parameters.get("processed_dir") else None
    _atomic_write_text(
        reports_dir / INDEX_FILE, index_html(reports_dir, results, used_processed, datetime.now())
    )
    if any(not r.ok for r in results):
        raise NotebookError(results)
    return results
