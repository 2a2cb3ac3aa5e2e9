"""The ``analyse`` command (contract: PRODUCT.md, "Command line").

A user's mistake (an :class:`~analyse.exceptions.AnalyseError`) ends in one line on
stderr and exit status 2. An unexpected error ends in one line and status 3; its
traceback is shown only with ``--debug``, because a traceback may quote cell
values from an extract, and those can be personal data.
"""

from __future__ import annotations

import argparse
import contextlib
import errno  # noqa: F401 - the doctests below
import logging
import re
import signal
import sys
import threading
from pathlib import Path

from analyse import __version__, config
from analyse.exceptions import AnalyseError, ConfigError, os_reason


def _cmd_sample(args: argparse.Namespace) -> int:
    from analyse.sample import write_sample

    paths = write_sample(Path(args.out), seed=args.seed)
    print(f"Skrev {len(paths)} syntetiske udtræk til {args.out}")
    return 0


def _print_clean_summary(summary, out_dir: Path, mappings_dir) -> None:
    from analyse.pipeline import quality_hints

    for name, result in summary.results.items():
        q = result.quality
        print(
            f"{name}: {q['rows_in']} rækker ind, {q['rows_clean']} rene, "
            f"{q['rows_rejected']} afviste, {q['duplicates_removed']} dubletter fjernet"
        )
        for hint in quality_hints(name, q, out_dir, mappings_dir):
            print(f"  {hint}")
    if summary.synthetic:
        print("Bemærk: syntetiske data (eksempelnøgle brugt til pseudonymer).")


def _check_raw_folder(raw: Path) -> None:
    """Stop before anything is cleaned (or removed) when the raw folder holds no extract at all.

    Sources missing from the raw folder have their old outputs removed, which is right
    when one source is gone, but a mistyped ``--raw`` would otherwise wipe every table.
    """
    from analyse.cleaning import other_folders
    from analyse.readers import list_extracts
    from analyse.sources import SPECS

    folders = ", ".join(f"{name}/" for name in SPECS)
    if not raw.is_dir():
        raise ConfigError(f"mappen med rå udtræk findes ikke: {raw} (intet er ændret)")
    other_folders(raw)  # 'AS2007/ skal hedde as2007/' says more than 'ingen udtræk'
    if not any(list_extracts(raw / name) for name in SPECS):
        raise ConfigError(
            f"ingen udtræk i {raw} (forventer mapperne {folders}); intet er ændret. "
            "Eksempeldata kan skrives med 'analyse sample'"
        )


def _check_processed_folder(processed: Path) -> None:
    """Reports need cleaned data: stop rather than publish reports where every figure is '–'."""
    from analyse.periods import INDICATOR_FILE

    if not (processed / INDICATOR_FILE).is_file():
        state = "findes ikke" if not processed.exists() else f"har ingen {INDICATOR_FILE}"
        raise ConfigError(f"mappen med renset data {processed} {state}; kør 'analyse clean' eller 'analyse build' først")


def _cmd_clean(args: argparse.Namespace) -> int:
    from analyse.build import plan_clean, run_clean
    from analyse.locking import folder_lock

    _check_raw_folder(Path(args.raw))
    with folder_lock(Path(args.out)):  # no other clean, build or run on this folder meanwhile
        # Everything is cleaned; the manifest it leaves lets a later `analyse build` skip unchanged work.
        plan = plan_clean(Path(args.raw), Path(args.out), args.mappings, force=True)
        summary = run_clean(plan, Path(args.raw), Path(args.out), mappings_dir=args.mappings)
    _print_clean_summary(summary, Path(args.out), args.mappings)
    return 0


def _print_report_summary(results, skipped: int = 0) -> None:
    """One line per report made, and the failures with notebook, variant, cell and error."""
    for result in results:
        if result.ok:
            print(f"Rapport: {result.html} ({result.seconds:.1f} s)")
    failed = [r for r in results if not r.ok]
    made = len(results) - len(failed)
    print(f"{made} rapporter dannet, {skipped} uændrede sprunget over, {len(failed)} fejlede.")
    for result in failed:
        print(f"FEJL: {result.error}")
    for result in results:
        for warning in result.warnings:
            # A line of a published table that suppression cannot protect: the report must change.
            print(f"ADVARSEL om diskretion i {result.html.name if result.html else result.title}: {warning}")


def _run_options(args: argparse.Namespace) -> dict:
    if args.jobs < 1:
        raise ConfigError("--jobs skal være mindst 1")
    if args.executor == "dask" and not args.scheduler:
        raise ConfigError("--executor dask kræver --scheduler ADRESSE (fx tcp://127.0.0.1:8786)")
    return {"workers": args.jobs, "executor": args.executor, "scheduler": args.scheduler}


def _cmd_run(args: argparse.Namespace) -> int:
    from analyse.build import report_jobs, run_reports
    from analyse.locking import folder_lock
    from analyse.runner import NotebookError

    options = _run_options(args)
    processed = Path(args.processed)
    _check_processed_folder(processed)
    # Checked before anything runs, and before the lock makes the reports folder: a bad
    # parameters file leaves nothing behind. (run_reports takes the same locks.)
    jobs = report_jobs(args.params, processed, reports_dir=Path(args.reports))
    with folder_lock(Path(args.reports)), folder_lock(processed, exclusive=False):
        _, results = run_reports(jobs, Path(args.reports), processed, force=True, **options)
    _print_report_summary(results)
    if any(not r.ok for r in results):
        raise NotebookError(results)
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from analyse.build import build

    options = _run_options(args)
    _check_raw_folder(Path(args.raw))
    outcome = build(
        Path(args.raw), Path(args.processed), Path(args.reports), mappings_dir=args.mappings,
        params_file=args.params, force=args.force, **options,
    )
    _print_report_summary(outcome.results, skipped=len(outcome.reports_skipped))
    print(f"Build færdig på {outcome.seconds:.1f} s.")
    if outcome.failed:
        from analyse.runner import NotebookError  # imported only here: nbformat is slow to import

        raise NotebookError(outcome.results)
    return 0


def describe_os_error(exc: OSError) -> str:
    """A file-system error in one Danish line naming the place (a temporary file: its folder).

    >>> describe_os_error(OSError(errno.EROFS, "Read-only file system", "/ud/.x.json.1a2b.tmp"))
    'kan ikke skrive i /ud: filsystemet er skrivebeskyttet'
    >>> describe_os_error(PermissionError(errno.EACCES, "Permission denied", "/ud/rapport.html"))
    'kan ikke bruge /ud/rapport.html: ingen adgang (tjek rettighederne)'
    """
    reason = os_reason(exc)
    if exc.filename is None:
        return f"filsystemet: {reason}"
    where = Path(str(exc.filename))
    if where.name.endswith(".tmp"):  # a write in progress (see analyse.atomic): the folder is what matters
        return f"kan ikke skrive i {where.parent}: {reason}"
    return f"kan ikke bruge {where}: {reason}"


# argparse's own messages, in the Danish of the rest of the command.
_ARGPARSE_DANISH = (
    (re.compile(r"the following arguments are required: (.*)"), r"mangler: \1"),
    (re.compile(r"argument (\S+): invalid int value: (.*)"), r"\1: \2 er ikke et helt tal"),
    (re.compile(r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)"), r"\1: \2 findes ikke (vælg mellem \3)"),
    (re.compile(r"argument (\S+): expected one argument"), r"\1 skal have en værdi"),
    (re.compile(r"unrecognized arguments: (.*)"), r"ukendte argumenter: \1"),
)
_HEADINGS_DANISH = (("usage:", "brug:"), ("positional arguments:", "kommandoer:"), ("options:", "tilvalg:"))


class DanishArgumentParser(argparse.ArgumentParser):
    """argparse with its messages and headings in Danish (the subcommands' parsers too).

    >>> DanishArgumentParser(prog="analyse").format_usage()
    'brug: analyse [-h]\\n'
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="vis denne hjælp og afslut")

    def format_usage(self) -> str:
        return self._danish(super().format_usage())

    def format_help(self) -> str:
        return self._danish(super().format_help())

    @staticmethod
    def _danish(text: str) -> str:
        for english, danish in _HEADINGS_DANISH:
            text = text.replace(english, danish)
        return text

    def error(self, message: str):
        for pattern, danish in _ARGPARSE_DANISH:
            if pattern.fullmatch(message):
                message = pattern.sub(danish, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fejl: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = DanishArgumentParser(prog="analyse", description="Fra rå udtræk til evalueringsrapporter.")
    parser.add_argument("--version", action="version", version=f"analyse {__version__}", help="vis versionen og afslut")
    parser.add_argument("--debug", action="store_true", help="vis hele fejlsporet ved interne fejl")
    sub = parser.add_subparsers(dest="command", required=True, metavar="kommando")

    sample = sub.add_parser("sample", help="skriv syntetiske rå udtræk")
    sample.add_argument("--out", default=str(config.RAW_DIR), help="mappe (default: data/raw)")
    sample.add_argument("--seed", type=int, default=2019, help="frø for tilfældighed (default: 2019)")
    sample.set_defaults(func=_cmd_sample)

    clean = sub.add_parser("clean", help="rens, valider og pseudonymiser alle udtræk")
    clean.add_argument("--raw", default=str(config.RAW_DIR), help="mappe med <kilde>/-mapper")
    clean.add_argument("--out", default=str(config.PROCESSED_DIR), help="mappe til renset data")
    clean.add_argument("--mappings", default=None, help="mappe med egne mappingfiler")
    clean.set_defaults(func=_cmd_clean)

    def add_run_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--params", default=None, help="YAML-fil med rapportvarianter (se params/eksempel.yaml)")
        p.add_argument("--jobs", type=int, default=1, help="antal notebooks, der køres samtidig")
        p.add_argument("--executor", choices=("local", "processes", "dask"), default="local",
                       help="local: på denne maskine (tråde; hver kerne er sin egen proces); processes: "
                            "i arbejdsprocesser; dask: på en Dask-klynge (kræver --scheduler)")
        p.add_argument("--scheduler", default=None, help="Dask-schedulerens adresse, fx tcp://10.0.0.5:8786")
        p.add_argument("--processed", default=str(config.PROCESSED_DIR), help="mappe med renset data")
        p.add_argument("--reports", default=str(config.REPORTS_DIR), help="mappe til rapporter")

    run = sub.add_parser("run", help="kør notebooks og lav HTML-rapporter")
    add_run_options(run)
    run.set_defaults(func=_cmd_run)

    build = sub.add_parser("build", help="clean + run, kun det der er ændret (efter indhold)")
    build.add_argument("--raw", default=str(config.RAW_DIR), help="mappe med <kilde>/-mapper")
    build.add_argument("--force", action="store_true", help="rens og kør alt, også det uændrede")
    build.add_argument("--mappings", default=None, help="mappe med egne mappingfiler")
    add_run_options(build)
    build.set_defaults(func=_cmd_build)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler, a service stop, ``kill``): handled as Ctrl-C is."""


def _terminate(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """While a command runs, SIGTERM ends it the way Ctrl-C does: what was finished is recorded
    (for ``build``/``run``: the manifest and the index, see analyse.build.run_reports), kernels
    are stopped, and the command says so in one line. (Signals are the main thread's.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="analyse: %(message)s")
    try:
        with _sigterm_as_interrupt():
            return args.func(args)
    except AnalyseError as exc:
        print(f"analyse: fejl: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        print(f"analyse: afbrudt{' (SIGTERM)' if terminated else ''}; det færdige er gemt, "
              "resten laves ved næste kørsel", file=sys.stderr)
        return 128 + signal.SIGTERM if terminated else 130
    except OSError as exc:
        # A folder that cannot be written (read-only, full disk, a file where a folder should be)
        # is the user's to fix: name it. The path and the system's reason hold no cell values.
        print(f"analyse: fejl: {describe_os_error(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: say so in one line, keep extract contents out of the log
        if args.debug:
            raise
        print(
            f"analyse: intern fejl ({type(exc).__name__}); kør igen med --debug for detaljer",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
