"""`analyse build`: clean and run only what changed, judged by content, not by file times.

Municipal extracts are refreshed in place, often with the same name and a new
modification time but the same content, or the other way round. So the build
compares SHA-256 checksums, kept in two small manifests beside the outputs:

``<processed>/.manifest.json``, per source::

    {"format": 1, "version": "0.1.0",
     "sources": {"as2007": {
         "inputs":  {"raw": {"<file>": sha}, "code": {"<module>.py": sha}, "data": {"<mapping>.csv": sha},
                     "key": "<keyed id, not the key>", "synthetic": false},
         "outputs": {"as2007.parquet": sha, "as2007_afviste.csv": sha},
         "quality": sha, "indicators": sha, "digest": sha}},
     "files": {"indikatorer.csv": sha, "kvalitet.json": sha, "SYNTETISKE_DATA.txt": sha | null}}

A source is cleaned again when one of its inputs differs: a raw file (added,
removed or changed content), the package code its cleaning uses (the source's
module, :mod:`analyse.cleaning`, its indicator function, and what they import,
found by reading their ``import`` statements; the report layer — runner, page,
workbook, formatting — is not cleaning code), a mapping it reads (shipped or the
user's; found from its code's ``load_mapping("<name>", ...)`` calls, see
:func:`mapping_names`) or a reference file (the goals file only for code that
imports :mod:`analyse.goals`), the pseudonym key, or the synthetic-data flag; or
when its outputs are missing or no longer what the build wrote. The indicators are
then computed again from every clean table (unchanged sources are read back from
their Parquet files). A source's
``digest`` covers what reports can see of it: its table, its quality entry and its
indicator rows.

``<reports>/.manifest.json``, per report (``<notebook>`` or ``<notebook>__<variant>``)::

    {"format": 1, "reports": {"01_visiterede_ydelser": {
         "notebook": "01_visiterede_ydelser.ipynb", "variant": null, "html": sha,
         "workbook": sha | null,
         "inputs": {"notebook": sha, "parameters": {...}, "version": "0.1.0",
                    "code": {"<module>.py": sha}, "sources": {"as2007": digest},
                    "synthetic": sha | null, "files": {"<file a parameter names>": sha},
                    "goals": {"file": "<path>", "sha": sha | null} | null}}},
     "declared": {"<notebook sha>": {<its parameters, papermill.inspect_notebook>}},
     "pairs": {"<notebook path>": ["<notebook sha>", "<.py pair sha>"]}}

(``declared`` and ``pairs`` only spare work: the notebooks' declared parameters, and the
notebook/``.py`` pairs last seen in step, see :func:`sync_notebook_pairs`.)

A report runs again when its notebook, its parameters, the package version, the
package code it imports (plus the runner's), the digest of a source it reads, the
synthetic-data marker, a file named by a parameter or — for a notebook whose code
imports :mod:`analyse.goals` — the goals file it reads (its ``goals_file``
parameter, else ``$ANALYSE_GOALS``, else the shipped ``reference/maal.yaml``)
changed; or when its HTML or its workbook (``tabeller/<report>.xlsx``; ``null``
for a report without tables) is missing or not the one the build wrote. A notebook
says which sources it reads in its metadata (``"analyse": {"sources": ["as2007"]}``);
one that does not is taken to read them all. ``--force`` rebuilds everything. Manifests are written atomically and
only after the outputs they describe, so an interrupted build redoes work rather
than skipping it.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import json
import os
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Callable, Iterable

from analyse import __version__, config
from analyse.exceptions import ConfigError

MANIFEST = ".manifest.json"
FORMAT = 1
PACKAGE = "analyse"
# Reports are converted by the runner; its code (and what it imports) shapes every page.
REPORT_CODE_ROOTS = ("analyse.runner",)
# The report and command layer: never part of cleaning, though charts helpers reach it by import.
# formatting (Danish presentation for the reports) is reached only through lazy imports in the
# sources' table and chart helpers and through stats; without it here, a comment edit in it
# re-cleaned every source. (tests/test_build_tracking.py checks importing the cleaners does not load it.)
REPORT_LAYER = ("analyse.runner", "analyse.batch", "analyse.build", "analyse.cli", "analyse.params",
                "analyse.report_page", "analyse.workbook", "analyse.formatting", "analyse.__main__")
# A report whose code uses this module reads the goals file (see :func:`goals_inputs`).
GOALS_MODULE = "analyse.goals"
# The notebook parameter that names a goals file; empty means $ANALYSE_GOALS or the shipped file.
GOALS_PARAMETER = "goals_file"
# Where the runner writes a report's workbook (analyse.formatting.TABLES_ENV_VAR, not imported:
# formatting loads babel and pandas, which a no-change build does without).
TABLES_ENV_VAR = "ANALYSE_TABLES_DIR"
SHARED_FILES = ("indikatorer.csv", "kvalitet.json", config.SYNTHETIC_MARKER)


# --- hashing -----------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha_json(data) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sha_or_none(path: Path) -> str | None:
    return sha256_file(path) if path.is_file() else None


def key_id(key: bytes) -> str:
    """A keyed fingerprint of the pseudonym key: tells keys apart, reveals nothing of the key."""
    return hmac.new(key, b"analyse-manifest-key-id", hashlib.sha256).hexdigest()[:16]


# --- which package files a piece of code uses --------------------------------------------------


def _module_path(module: str) -> Path | None:
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = config.PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _import_base(node: ast.ImportFrom, package: str) -> str:
    """The module a ``from … import`` names, relative imports resolved against ``package``.

    >>> _import_base(ast.parse("from .values import spread").body[0], "analyse")
    'analyse.values'
    >>> _import_base(ast.parse("from analyse import config").body[0], "analyse")
    'analyse'
    """
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _imported_modules(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """``analyse`` modules an AST imports (at any depth: imports inside functions count)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _import_base(node, package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from analyse import x`
    return {m for m in found if m.split(".")[0] == PACKAGE and _module_path(m) is not None}


def _imports_of_file(path: Path, module: str) -> frozenset[str]:
    return _imports_of_version(path, module, path.stat().st_mtime_ns)


@lru_cache(maxsize=None)
def _imports_of_version(path: Path, module: str, mtime_ns: int) -> frozenset[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return frozenset()
    return frozenset(_imported_modules(tree, module, path.name == "__init__.py"))


def module_closure(roots: Iterable[str], stop: Iterable[str] = (), exclude: Iterable[str] = ()) -> dict[str, Path]:
    """The ``analyse`` modules ``roots`` import, transitively, with their files.

    ``stop`` modules are included but not followed (e.g. the pipeline, which imports
    every source); ``exclude`` modules are left out. The package's ``__init__`` (its
    version) is always included.
    """
    stop, exclude = set(stop), set(exclude)
    seen: dict[str, Path] = {}
    todo = [PACKAGE, *roots]
    while todo:
        module = todo.pop()
        if module in seen or module in exclude:
            continue
        path = _module_path(module)
        if path is None:
            continue
        seen[module] = path
        if module not in stop:
            todo.extend(_imports_of_file(path, module))
    return seen


def _relative(path: Path) -> str:
    try:
        return path.relative_to(config.PACKAGE_DIR).as_posix()
    except ValueError:
        return path.name


def code_hashes(modules: dict[str, Path]) -> dict[str, str]:
    return {_relative(path): sha256_file(path) for path in sorted(set(modules.values()))}


def package_data_hashes() -> dict[str, str]:
    """Mappings, reference figures and templates shipped in the package."""
    out = {}
    for folder in ("mappings", "reference", "templates"):
        base = config.PACKAGE_DIR / folder
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and not path.name.startswith(".") and "__pycache__" not in path.parts:
                    out[path.relative_to(config.PACKAGE_DIR).as_posix()] = sha256_file(path)
    return out


def _shipped_goals_key() -> str:
    return _relative(config.SHIPPED_GOALS_FILE)


def _without_goals(data: dict[str, str]) -> dict[str, str]:
    """Package data without the shipped goals file: only code that uses :mod:`analyse.goals` reads
    it, and for reports it is tracked (with whichever goals file is used instead) by :func:`goals_inputs`."""
    return {name: sha for name, sha in data.items() if name != _shipped_goals_key()}


# --- which mapping files a piece of code reads ------------------------------------------------
#
# Mapping files are read through analyse.mappings.load_mapping("<name>", ...), and each source's
# module calls it with a literal name. Modules of other sources are in a source's import closure
# (the indicators import rusmiddel, which imports from as2007), so whole modules would make every
# source read every mapping: for those, only the names a source's code takes from them count.

ALL_MAPPINGS = "*"  # a load_mapping call whose name is not a literal: the build cannot tell


@dataclass(frozen=True)
class _MappingUse:
    loads: dict  # top-level name (def, class, assigned name; "" = module-level code) → mapping names
    takes: dict  # analyse module → names this file takes from it; None: the module as a whole


def _is_load_mapping(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "load_mapping") or (
        isinstance(node, ast.Attribute) and node.attr == "load_mapping")


def _direct_loads(node: ast.AST) -> set[str]:
    names, called = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _is_load_mapping(sub.func):
            called.add(id(sub.func))
            arg = sub.args[0] if sub.args else next((k.value for k in sub.keywords if k.arg == "name"), None)
            names.add(arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else ALL_MAPPINGS)
    # load_mapping passed around as a value: it may be called with any name.
    if any(_is_load_mapping(sub) and id(sub) not in called for sub in ast.walk(node)):
        names.add(ALL_MAPPINGS)
    return names


def _defined_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    targets = stmt.targets if isinstance(stmt, ast.Assign) else (
        [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) else [])
    return [t.id for t in targets if isinstance(t, ast.Name)] or [""]


def _taken_names(tree: ast.AST, module: str, is_package: bool) -> dict[str, set[str] | None]:
    """Per ``analyse`` module: the names this file imports from it, or None if it binds the module
    itself and uses it other than as ``module.name``."""
    package = module if is_package else module.rpartition(".")[0]
    taken: dict[str, set[str] | None] = {}
    bound: dict[str, str] = {}  # local name → module bound to it

    def add(target: str, names: set[str] | None) -> None:
        if taken.get(target, set()) is not None:
            taken[target] = None if names is None else taken.get(target, set()) | names

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE and alias.name != PACKAGE:
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        add(alias.name, None)  # used as analyse.x.name: not followed, so everything
        elif isinstance(node, ast.ImportFrom):
            base = _import_base(node, package)
            if base.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                if alias.name == "*":
                    add(base, None)
                elif _module_path(f"{base}.{alias.name}") is not None:
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"  # `from analyse import x`
                else:
                    add(base, {alias.name})
    if bound:
        attributes: dict[str, set[str]] = {}
        as_attribute = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
                attributes.setdefault(node.value.id, set()).add(node.attr)
                as_attribute.add(id(node.value))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in bound and id(node) not in as_attribute:
                add(bound[node.id], None)  # the module itself passed around
        for local, target in bound.items():
            add(target, attributes.get(local, set()))
    return taken


def _mapping_use(path: Path, module: str) -> _MappingUse:
    return _mapping_use_of_version(path, module, path.stat().st_mtime_ns)


@lru_cache(maxsize=None)
def _mapping_use_of_version(path: Path, module: str, mtime_ns: int) -> _MappingUse:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return _MappingUse({"": {ALL_MAPPINGS}}, {})
    direct: dict[str, set[str]] = {}
    refers: dict[str, set[str]] = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        used = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}
        for name in _defined_names(stmt):
            direct.setdefault(name, set()).update(_direct_loads(stmt))
            refers.setdefault(name, set()).update(used)
    # A function loads what the module's other functions it refers to load (to a fixed point).
    loads = {name: set(found) for name, found in direct.items()}
    changed = True
    while changed:
        changed = False
        for name, used in refers.items():
            extra = set().union(*(loads[u] for u in used if u in loads and u != name)) - loads[name]
            if extra:
                loads[name] |= extra
                changed = True
    return _MappingUse({k: frozenset(v) for k, v in loads.items()},
                       _taken_names(tree, module, path.name == "__init__.py"))


def mapping_names(modules: dict[str, Path], others: Iterable[str] = ()) -> set[str] | None:
    """The mappings (``load_mapping`` names) ``modules`` read; None if that cannot be told.

    ``others`` are other sources' modules: they count only through the names the rest take
    from them (and their module-level code), not wholesale.
    """
    others = set(others) & set(modules)
    uses = {module: _mapping_use(path, module) for module, path in modules.items()}
    names: set[str] = set()
    taken: dict[str, set[str] | None] = {module: set() for module in others}
    for module, use in uses.items():
        if module not in others:
            names.update(*use.loads.values())
        for target, what in use.takes.items():
            if target in taken and target != module and taken[target] is not None:
                taken[target] = None if what is None else taken[target] | what
    for module in others:
        loads = uses[module].loads
        wanted = loads.keys() if taken[module] is None else {"", *taken[module]}
        names.update(*(loads[name] for name in wanted if name in loads))
    return None if ALL_MAPPINGS in names else names


def _notebook_json(notebook: Path) -> dict:
    """A notebook as plain JSON (nbformat 4): cheaper than importing nbformat on a no-change build."""
    try:
        data = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_modules(notebook: Path) -> set[str]:
    """The ``analyse`` modules a notebook's code cells import (magics and shell lines skipped)."""
    found: set[str] = set()
    for cell in _notebook_json(notebook).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line for line in _cell_source(cell).splitlines()
        )
        try:
            found |= _imported_modules(ast.parse(source), "notebook", False)
        except SyntaxError:
            found |= {m for m in re.findall(r"\b(analyse(?:\.\w+)*)", source) if _module_path(m)}
    return found


def notebook_sources(notebook: Path, known: Iterable[str]) -> tuple[str, ...]:
    """The sources a notebook reads: its ``metadata.analyse.sources``, else every known source."""
    metadata = _notebook_json(notebook).get("metadata", {})
    declared = metadata.get("analyse", {}).get("sources") if isinstance(metadata.get("analyse"), dict) else None
    return tuple(declared) if declared else tuple(known)


def declared_parameters(notebooks: list[Path], reports_dir: Path | None = None) -> dict[Path, dict]:
    """:func:`papermill.inspect_notebook` per notebook, remembered by the notebook's checksum.

    The answers are kept in the reports manifest (``declared``, see :func:`remember_declared`),
    so a build where no notebook changed does not import papermill at all.
    """
    manifest = read_manifest(reports_dir) if reports_dir is not None else {}
    cache = manifest.get("declared") if isinstance(manifest.get("declared"), dict) else {}
    out, missing = {}, []
    for notebook in notebooks:
        digest = sha256_file(notebook)
        if digest in cache:
            out[Path(notebook)] = cache[digest]
        else:
            missing.append(Path(notebook))
    if missing:
        from analyse.params import declared_parameters as inspect

        out.update(inspect(missing))
    return {Path(nb): out[Path(nb)] for nb in notebooks}


def remember_declared(reports_dir: Path, declared: dict[Path, dict]) -> None:
    """Keep the notebooks' declared parameters in the reports manifest (if they are news)."""
    manifest = read_manifest(reports_dir)
    cache = {sha256_file(nb): info for nb, info in declared.items()}
    if manifest.get("declared") != cache:
        _update_reports_manifest(reports_dir, declared=cache)


def _update_reports_manifest(reports_dir: Path, **parts) -> None:
    """Write the reports manifest with ``parts`` replaced, the rest as it is."""
    manifest = read_manifest(reports_dir)
    kept = {k: manifest.get(k, {}) for k in ("reports", "declared", "pairs")}
    write_manifest(reports_dir, {**kept, **parts})


# --- notebooks edited as their .py pair ----------------------------------------------------------


def sync_notebook_pairs(notebooks: Iterable[Path], reports_dir: Path | None = None,
                        say: Callable[[str], None] = print) -> list[Path]:
    """Bring a notebook up to date with its ``.py`` pair where the pair was edited since.

    Analysts review and edit the jupytext ``.py`` beside a notebook (README); the build runs the
    ``.ipynb``. A ``.py`` newer than its notebook and with other cells updates the notebook first
    (inputs from the ``.py``, as ``python3 make.py notebooks`` would: newer wins), with a line
    saying so. A notebook newer than a ``.py`` that differs is run as it is, with a line saying the
    ``.py`` is out of step: the build never overwrites the reviewed file. Pairs seen in step are
    remembered (by both files' checksums) in the reports manifest, so a build where neither
    changed does not load jupytext. Returns the notebooks updated.
    """
    remembered = read_manifest(reports_dir).get("pairs", {}) if reports_dir is not None else {}
    remembered = remembered if isinstance(remembered, dict) else {}
    pairs, updated = dict(remembered), []
    for notebook in notebooks:
        notebook = Path(notebook)
        paired = notebook.with_suffix(".py")
        if not paired.is_file():
            continue
        key = str(notebook.resolve())
        if pairs.get(key) == [sha256_file(notebook), sha256_file(paired)]:
            continue
        from analyse import notebook_files

        if not notebook_files.is_pair(notebook):
            continue  # a .py of the same name that is not the notebook's jupytext pair
        if notebook_files.pair_problems(notebook):
            if paired.stat().st_mtime_ns > notebook.stat().st_mtime_ns:
                notebook_files.update_from_pair(notebook)
                say(f"notebook {notebook.name} opdateret fra {paired.name}")
                updated.append(notebook)
            else:
                say(f"bemærk: {paired.name} afviger fra {notebook.name}, som er nyere og køres som den er "
                    "(python3 make.py notebooks bringer dem i takt)")
                pairs.pop(key, None)
                continue
        pairs[key] = [sha256_file(notebook), sha256_file(paired)]
    # (A cache only: a reports folder is not made for it, so a run stopped by its parameters leaves none.)
    if reports_dir is not None and Path(reports_dir).is_dir() and pairs != remembered:
        _update_reports_manifest(Path(reports_dir), pairs=pairs)
    return updated


# --- manifests ---------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    return data


def write_manifest(folder: Path, data: dict) -> Path:
    from analyse.atomic import write_json  # lazily: it imports pandas

    return write_json(Path(folder) / MANIFEST, {"format": FORMAT, "version": __version__, **data})


def _changed(old: dict, new: dict) -> list[str]:
    """Names whose hash differs, was added or removed."""
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _names(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" og {len(items) - limit} til" if len(items) > limit else "")


# --- cleaning ----------------------------------------------------------------------------------


@dataclass
class CleanPlan:
    clean: dict[str, str] = field(default_factory=dict)  # source → why
    skip: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    inputs: dict[str, dict] = field(default_factory=dict)
    refresh: str | None = None  # why indicators/quality must be written again though no source is cleaned

    @property
    def needed(self) -> bool:
        return bool(self.clean or self.removed or self.refresh)


def _own_modules(name: str, spec) -> set[str]:
    from analyse.indicators import INDICATORS

    own = {spec.clean.__module__}
    if spec.describe is not None:
        own.add(spec.describe.__module__)
    if name in INDICATORS:
        own.add(INDICATORS[name].__module__)
    return own


def _source_modules(name: str, spec) -> dict[str, Path]:
    roots = _own_modules(name, spec) | {"analyse.schemas", "analyse.cleaning", "analyse.atomic"}
    modules = module_closure(sorted(roots), stop={"analyse.pipeline"}, exclude=REPORT_LAYER)
    modules["analyse.pipeline"] = config.PACKAGE_DIR / "pipeline.py"
    return modules


def source_mappings(name: str, spec, modules: dict[str, Path] | None = None) -> set[str] | None:
    """The mappings a source's cleaning reads (e.g. ``{"ydelsestype"}``); None: cannot tell, so all."""
    from analyse.sources import SPECS

    own = _own_modules(name, spec)
    others = {m for other, s in SPECS.items() if other != name for m in _own_modules(other, s)} - own
    return mapping_names(_source_modules(name, spec) if modules is None else modules, others)


def source_inputs(name: str, spec, files: list[Path], mappings_dir: Path, key: str, synthetic: bool) -> dict:
    """Everything a source's clean output is a function of, as hashes."""
    modules = _source_modules(name, spec)
    used = source_mappings(name, spec, modules)

    def read(mapping_file: Path) -> bool:  # (None: the build cannot tell, so every mapping counts)
        return used is None or mapping_file.stem in used

    data = {}
    for key_name, sha in package_data_hashes().items():
        folder, _, file_name = key_name.partition("/")
        if folder == "mappings" and not read(Path(file_name)):
            continue  # another source's mapping
        if key_name == _shipped_goals_key() and GOALS_MODULE not in modules:
            continue  # the goals are read by reports, not by cleaning
        data[key_name] = sha
    if mappings_dir.is_dir():
        for path in sorted(mappings_dir.glob("*.csv")):
            if read(path):
                data[f"bruger/{path.name}"] = sha256_file(path)
    return {
        "raw": _by_shown_name(files),
        "code": code_hashes(modules),
        "data": data,
        "key": key,
        "synthetic": synthetic,
    }


def _by_shown_name(files: list[Path]) -> dict[str, str]:
    """Raw files' checksums under the names outputs show (a CPR-like number hidden, numbered if two meet)."""
    from analyse.readers import shown_name

    out: dict[str, str] = {}
    for path in files:
        name, n = shown_name(path), 1
        while name in out:
            n += 1
            name = f"{shown_name(path)} ({n})"
        out[name] = sha256_file(path)
    return out


def _why_inputs(old: dict, new: dict) -> str:
    """Why a source is cleaned again; an extract removed or added is called that, not 'ændret'.

    >>> new = {"raw": {"b.csv": "2", "c.csv": "3"}, "code": {}, "data": {}, "key": "k", "synthetic": False}
    >>> _why_inputs({**new, "raw": {"a.xlsx": "1", "b.csv": "1", "c.csv": "3"}}, new)
    'udtræk fjernet: a.xlsx; udtræk ændret: b.csv'
    >>> _why_inputs({**new, "raw": {"c.csv": "3"}}, new)
    'nyt udtræk: b.csv'
    """
    reasons = []
    before, now = old.get("raw", {}), new["raw"]
    removed = sorted(set(before) - set(now))
    added = sorted(set(now) - set(before))
    changed = sorted(k for k in set(before) & set(now) if before[k] != now[k])
    if removed:
        reasons.append(f"udtræk fjernet: {_names(removed)}")
    if added:
        reasons.append(f"{'nyt udtræk' if len(added) == 1 else 'nye udtræk'}: {_names(added)}")
    if changed:
        reasons.append(f"udtræk ændret: {_names(changed)}")
    code = _changed(old.get("code", {}), new["code"])
    if code:
        reasons.append(f"kode ændret: {_names(code)}")
    data = _changed(old.get("data", {}), new["data"])
    if data:
        reasons.append(f"mapping/referencefil ændret: {_names(data)}")
    if old.get("key") != new["key"]:
        reasons.append("anden pseudonymnøgle")
    if old.get("synthetic") != new["synthetic"]:
        reasons.append("syntetisk/ægte data skiftet")
    return "; ".join(reasons) or "ændrede input"


def _outputs_of(folder: Path, name: str) -> dict[str, str | None]:
    return {f: _sha_or_none(folder / f) for f in (f"{name}.parquet", f"{name}_afviste.csv")}


def plan_clean(raw_dir: Path, processed_dir: Path, mappings_dir: Path | None = None, force: bool = False) -> CleanPlan:
    from analyse.cleaning import is_synthetic, other_folders, source_files
    from analyse.sources import SPECS
    from analyse.pseudonym import load_key

    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    other_folders(raw_dir)  # a source's folder spelt otherwise stops here, before its data are planned away
    mappings_dir = config.USER_MAPPINGS_DIR if mappings_dir is None else Path(mappings_dir)
    manifest = read_manifest(processed_dir)
    old_sources = manifest.get("sources", {})
    synthetic = is_synthetic(raw_dir)
    plan = CleanPlan()
    key = None
    for name, spec in SPECS.items():
        files = source_files(raw_dir, name)
        old = old_sources.get(name)
        if not files:
            if old is not None or (processed_dir / f"{name}.parquet").exists():
                plan.removed.append(name)
            continue
        if key is None:
            key = key_id(load_key(synthetic=synthetic))
        inputs = source_inputs(name, spec, files, mappings_dir, key, synthetic)
        plan.inputs[name] = inputs
        if force:
            plan.clean[name] = "--force"
        elif old is None:
            plan.clean[name] = "ikke renset før"
        elif old.get("inputs") != inputs:
            plan.clean[name] = _why_inputs(old.get("inputs", {}), inputs)
        elif old.get("outputs") != _outputs_of(processed_dir, name):
            plan.clean[name] = "renset data mangler eller er ændret siden sidste build"
        else:
            plan.skip.append(name)
    if not plan.needed:
        shared = manifest.get("files", {})
        now = {f: _sha_or_none(processed_dir / f) for f in SHARED_FILES}
        expected_marker = _sha_or_none(raw_dir / config.SYNTHETIC_MARKER) if synthetic else None
        if shared != now or now[config.SYNTHETIC_MARKER] != expected_marker:
            plan.refresh = "indikatorer.csv/kvalitet.json mangler eller er ændret"
    return plan


def _indicator_digest(frame) -> str:
    return hashlib.sha256(frame.to_csv(sep=";", index=False).encode("utf-8")).hexdigest()


def run_clean(plan: CleanPlan, raw_dir: Path, processed_dir: Path, mappings_dir: Path | None = None):
    """Clean what ``plan`` says, then write the processed manifest. Returns the clean summary."""
    from analyse.pipeline import clean_all

    processed_dir = Path(processed_dir)
    summary = clean_all(Path(raw_dir), processed_dir, mappings_dir=mappings_dir, only=set(plan.clean))
    old = read_manifest(processed_dir).get("sources", {})
    sources = {}
    for name in [*summary.results, *summary.reused]:
        result = summary.results.get(name) or summary.reused[name]
        entry = {
            "inputs": plan.inputs.get(name) or old.get(name, {}).get("inputs", {}),
            "outputs": _outputs_of(processed_dir, name),
            "quality": _sha_json(result.quality),
            "indicators": _indicator_digest(summary.indicators[name]) if name in summary.indicators else None,
        }
        entry["digest"] = _sha_json({k: entry[k] for k in ("outputs", "quality", "indicators")})
        sources[name] = entry
    files = {f: _sha_or_none(processed_dir / f) for f in SHARED_FILES}
    write_manifest(processed_dir, {"sources": sources, "files": files})
    return summary


def source_digests(processed_dir: Path) -> dict[str, str] | None:
    """Each source's digest from the processed manifest; None if the folder no longer matches it."""
    processed_dir = Path(processed_dir)
    manifest = read_manifest(processed_dir)
    if not manifest:
        return None
    sources = manifest.get("sources", {})
    for name, entry in sources.items():
        if entry.get("outputs") != _outputs_of(processed_dir, name):
            return None
    if manifest.get("files") != {f: _sha_or_none(processed_dir / f) for f in SHARED_FILES}:
        return None
    return {name: entry["digest"] for name, entry in sources.items()}


# --- reports -----------------------------------------------------------------------------------


def _report_code(notebook: Path) -> dict[str, str]:
    modules = module_closure([*REPORT_CODE_ROOTS, *sorted(notebook_modules(notebook))], stop={"analyse.pipeline"})
    return {**code_hashes(modules), **_without_goals(package_data_hashes())}


def uses_goals(notebook: Path) -> bool:
    """Whether a notebook's code reads the goals file: it imports :mod:`analyse.goals`, directly or not.

    (Not the runner's imports: they are the same for every report.)
    """
    return GOALS_MODULE in module_closure(sorted(notebook_modules(Path(notebook))), stop={"analyse.pipeline"})


def goals_inputs(parameters: dict) -> dict:
    """The goals file a report will read, and its content: the ``goals_file`` parameter, else
    ``$ANALYSE_GOALS`` (the kernel inherits this process's setting), else the shipped file.

    A relative parameter is taken from the project root, the report kernels' working directory;
    a relative ``$ANALYSE_GOALS`` from this process's, as :func:`analyse.batch.job_environment`
    hands it to the kernels.
    """
    from analyse.goals import goals_path

    chosen = parameters.get(GOALS_PARAMETER) or None
    path = goals_path(chosen, base=config.PROJECT_ROOT if chosen else Path.cwd())
    return {"file": str(path), "sha": _sha_or_none(path)}


def _parameter_files(parameters: dict, skip: Iterable[str] = ()) -> dict[str, str]:
    """Files a parameter names (e.g. ``goals_file``), by content: a new version re-runs the report."""
    out = {}
    for name, value in parameters.items():
        if name == "processed_dir" or name in skip or not isinstance(value, str) or not value.strip():
            continue
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = config.PROJECT_ROOT / path
        if path.is_file():
            out[name] = sha256_file(path)
    return out


def report_inputs(job, digests: dict[str, str] | None, processed_dir: Path, known_sources: Iterable[str]) -> dict:
    notebook = Path(job.notebook)
    sources = notebook_sources(notebook, known_sources)
    # The goals file is not a parameter when it comes from $ANALYSE_GOALS or the package, so a
    # report that reads it tracks it here, whichever it is (then not again as a parameter file).
    goals = goals_inputs(job.parameters) if uses_goals(notebook) else None
    return {
        "notebook": sha256_file(notebook),
        "parameters": job.parameters,
        "version": __version__,
        "code": _report_code(notebook),
        "sources": None if digests is None else {s: digests.get(s) for s in sources},
        "synthetic": _sha_or_none(Path(processed_dir) / config.SYNTHETIC_MARKER),
        "files": _parameter_files(job.parameters, skip=(GOALS_PARAMETER,) if goals else ()),
        "goals": goals,
    }


def tables_dir(reports_dir: Path) -> Path:
    """Where the runner writes the reports' workbooks: ``$ANALYSE_TABLES_DIR``, else ``reports_dir/tabeller``
    (as :func:`analyse.runner._tables_dir`, read in this process before and after the jobs)."""
    value = os.environ.get(TABLES_ENV_VAR)
    return Path(value).expanduser() if value else Path(reports_dir) / "tabeller"


def workbook_path(reports_dir: Path, stem: str) -> Path:
    return tables_dir(reports_dir) / f"{stem}.xlsx"


def _why_goals(before: dict | None, now: dict | None) -> str | None:
    if before == now:
        return None
    if not now:
        return "læser ikke længere målfilen"
    name = Path(now["file"]).name
    if not before:  # a notebook that began reading the goals, or a manifest from before they were tracked
        return f"målfil ikke registreret før: {name}"
    if before.get("file") != now["file"]:
        return f"anden målfil: {name}"
    return f"målfil ændret: {name}" if now["sha"] is not None else f"målfil mangler: {name}"


def _why_report(old: dict | None, inputs: dict, html: Path, workbook: Path | None = None) -> str | None:
    if old is None:
        return "ikke dannet før, eller fejlede sidst"
    if not html.is_file() or old.get("html") != sha256_file(html):
        return "rapporten mangler eller er ændret siden sidste build"
    # The workbook is half of what a report delivers (the index links it). Entries written before
    # workbooks were recorded have no "workbook" key, and are not judged by it.
    if workbook is not None and "workbook" in old and old["workbook"] != _sha_or_none(workbook):
        return "regnearket mangler eller er ændret siden sidste build"
    before = old.get("inputs", {})
    reasons = []
    if inputs["sources"] is None:
        reasons.append("renset data uden manifest (kør analyse build)")
    elif before.get("sources") != inputs["sources"]:
        changed = _changed(before.get("sources") or {}, inputs["sources"])
        reasons.append(f"data ændret: {_names(changed)}")
    if before.get("notebook") != inputs["notebook"]:
        reasons.append("notebook ændret")
    if before.get("parameters") != inputs["parameters"]:
        reasons.append("parametre ændret")
    if before.get("version") != inputs["version"]:
        reasons.append(f"pakkeversion {before.get('version')} → {inputs['version']}")
    code = _changed(before.get("code", {}), inputs["code"])
    if code:
        reasons.append(f"kode ændret: {_names(code)}")
    if before.get("synthetic") != inputs["synthetic"]:
        reasons.append("syntetisk-markering ændret")
    if before.get("files") != inputs["files"]:
        reasons.append(f"fil ændret: {_names(_changed(before.get('files', {}), inputs['files']))}")
    goals = _why_goals(before.get("goals"), inputs["goals"])
    if goals:
        reasons.append(goals)
    return "; ".join(reasons) or None


@dataclass
class ReportPlan:
    run: list = field(default_factory=list)  # (job, why)
    skip: list = field(default_factory=list)  # jobs
    inputs: dict = field(default_factory=dict)  # output stem → inputs


def plan_reports(jobs: list, reports_dir: Path, processed_dir: Path, force: bool = False) -> ReportPlan:
    reports_dir = Path(reports_dir)
    old = read_manifest(reports_dir).get("reports", {})
    digests = source_digests(processed_dir)
    plan = ReportPlan()
    for job in jobs:
        # (The source names, not analyse.pipeline: a report run need not import the cleaners.)
        inputs = report_inputs(job, digests, processed_dir, config.SOURCES)
        plan.inputs[job.output_stem] = inputs
        why = "--force" if force else _why_report(old.get(job.output_stem), inputs,
                                                  reports_dir / f"{job.output_stem}.html",
                                                  workbook_path(reports_dir, job.output_stem))
        if why:
            plan.run.append((job, why))
        else:
            plan.skip.append(job)
    return plan


def record_reports(reports_dir: Path, plan: ReportPlan, results: list) -> None:
    """Write the reports manifest: the reports just made; failed ones are dropped (they run next time)."""
    reports_dir = Path(reports_dir)
    entries = read_manifest(reports_dir).get("reports", {})
    for result in results:
        stem = Path(result.executed).stem
        inputs = plan.inputs.get(stem)
        if result.ok and result.html is not None and inputs is not None and inputs["sources"] is not None:
            entries[stem] = {
                "notebook": Path(result.notebook).name,
                "variant": result.variant,
                "html": sha256_file(Path(result.html)),
                # None: the report shows no table, so it has no workbook (the runner removes a stale one).
                "workbook": _sha_or_none(workbook_path(reports_dir, stem)),
                "inputs": inputs,
            }
        else:
            entries.pop(stem, None)
    _update_reports_manifest(reports_dir, reports=entries)


# --- the whole build ---------------------------------------------------------------------------


@dataclass
class BuildResult:
    cleaned: dict[str, str]
    reports_run: list
    reports_skipped: list
    results: list
    seconds: float

    @property
    def failed(self) -> list:
        return [r for r in self.results if not r.ok]


def find_notebooks(notebooks: Iterable[str | PathLike] | None = None) -> list[Path]:
    if notebooks is None:
        found = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
        if not found:
            raise ConfigError(f"mappen {config.NOTEBOOKS_DIR} indeholder ingen notebooks")
        return found
    found = [Path(nb) for nb in notebooks]
    missing = [str(nb) for nb in found if not nb.is_file()]
    if missing:
        raise ConfigError(f"notebook findes ikke: {', '.join(missing)}")
    return found


def missing_sources(notebook: Path, processed_dir: Path) -> list[str]:
    """Sources a notebook requires (``metadata.analyse.requires``) with no clean table in ``processed_dir``."""
    required = _notebook_json(Path(notebook)).get("metadata", {}).get("analyse", {}).get("requires", [])
    return [name for name in required if not (Path(processed_dir) / f"{name}.parquet").is_file()]


def report_jobs(
    params_file: str | PathLike | None,
    processed_dir: Path,
    notebooks: list[Path] | None = None,
    reports_dir: Path | None = None,
    say: Callable[[str], None] = print,
) -> list:
    """Every report job (checked against the notebooks' parameters) for a parameters file, or defaults.

    A notebook whose ``.py`` pair was edited since is updated from it first (:func:`sync_notebook_pairs`).
    With ``reports_dir``, the notebooks' declared parameters are remembered in its manifest.
    """
    from analyse.params import Variant, load_params, plan_jobs

    notebooks = find_notebooks(notebooks)
    sync_notebook_pairs(notebooks, reports_dir, say)
    declared = declared_parameters(notebooks, reports_dir)
    if params_file:
        variants, source = load_params(params_file), f"parameterfil {Path(params_file).name}"
    else:
        variants, source = [Variant(None, None, {})], "parametre"
    jobs = plan_jobs(variants, notebooks, declared, source, processed_dir=Path(processed_dir).resolve())
    if reports_dir is not None:
        remember_declared(Path(reports_dir), declared)
    return jobs


def run_reports(
    jobs: list,
    reports_dir: Path,
    processed_dir: Path,
    force: bool = True,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    say: Callable[[str], None] = print,
    progress: bool | None = None,
) -> tuple[ReportPlan, list]:
    """Run the jobs that need it (all with ``force``), write the index and the reports manifest.

    The reports folder is locked for the run, the clean data for reading (:mod:`analyse.locking`).
    Interrupted (Ctrl-C, SIGTERM), it records the reports that were finished, rewrites the index
    so a report not made again from the current data is not listed as current, and re-raises.
    """
    from analyse.atomic import recover
    from analyse.locking import folder_lock

    reports_dir = Path(reports_dir)
    with folder_lock(reports_dir), folder_lock(Path(processed_dir), exclusive=False):
        remove_partial_notebooks(reports_dir)
        # A clean killed while moving its outputs into place left a journal: finish the move
        # first, so no report reads a mix of two cleans (see atomic.StagedOutputs).
        if recover(Path(processed_dir)):
            say(f"  en afbrudt rensning efterlod {processed_dir} halvt opdateret; den er gjort færdig")
        return _run_reports(jobs, reports_dir, processed_dir, force, workers, executor, scheduler, say, progress)


def _run_reports(jobs, reports_dir, processed_dir, force, workers, executor, scheduler, say, progress):
    from analyse.batch import execute_jobs, write_index

    planned = {job.output_stem for job in jobs}
    runnable, not_made = [], {}
    for job in jobs:
        absent = missing_sources(job.notebook, Path(processed_dir))
        if absent:
            # A municipality may not have every source: skip the report, do not fail the build.
            folders = ", ".join(f"{name}/" for name in absent)
            say(f"  {job.label}: springes over – ingen renset data fra {folders} (læg udtræk i rå-mappen)")
            not_made[job.output_stem] = f"ikke dannet ved seneste kørsel: ingen renset data fra {folders}"
        else:
            runnable.append(job)
    jobs = runnable
    plan = plan_reports(jobs, reports_dir, processed_dir, force=force)
    for job in plan.skip:
        say(f"  {job.label}: uændret, springes over")
    for job, why in plan.run:
        if not force:
            say(f"  {job.label}: køres ({why})")
    results = []
    if plan.run:
        finished: list = []
        try:
            results = execute_jobs([job for job, _ in plan.run], reports_dir, workers=workers,
                                   executor=executor, scheduler=scheduler, progress=progress,
                                   on_done=finished.append)
        except KeyboardInterrupt:
            record_reports(reports_dir, plan, finished)
            index_after_interrupt(reports_dir, processed_dir, plan, finished, not_made, planned)
            raise
        record_reports(reports_dir, plan, results)
    # Also when nothing ran: a report left from an earlier build (a variant since removed from
    # the parameters file, a source whose extracts are gone) moves to the index's "Ældre
    # rapporter" once the data differ from what it was made from (an unchanged index is not
    # rewritten).
    current = {job.output_stem for job in runnable} | _made_from_current_data(reports_dir, processed_dir)
    write_index(reports_dir, results, Path(processed_dir), current=current, not_made=not_made, planned=planned)
    return plan, results


def remove_partial_notebooks(reports_dir: Path) -> list[Path]:
    """Delete the partial executed copies (``notebooks/.<report>.partial.ipynb``) a killed run left.

    Only the runner's own (:func:`analyse.runner.partial_path`; its pattern is repeated here, as
    importing the runner loads nbformat, which a no-change build does without).
    """
    removed = []
    for path in (Path(reports_dir) / "notebooks").glob(".*.partial.ipynb"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def index_after_interrupt(reports_dir: Path, processed_dir: Path, plan: ReportPlan | None = None,
                          finished: list = (), not_made: dict | None = None, planned=None) -> None:
    """The index after an interrupted build: current are the reports made from the current data,
    less those that were to run again and did not (unless only ``--force`` wanted them again)."""
    from analyse.batch import write_index

    reports_dir = Path(reports_dir)
    old = read_manifest(reports_dir).get("reports", {})
    done = {Path(r.executed).stem for r in finished if r.ok}
    cut_short = {}
    for job, _ in (plan.run if plan is not None else []):
        stem = job.output_stem
        if stem in done:
            continue
        why = _why_report(old.get(stem), plan.inputs[stem], reports_dir / f"{stem}.html",
                          workbook_path(reports_dir, stem))
        if why:
            cut_short[stem] = f"ikke dannet igen, da kørslen blev afbrudt ({why})"
    current = (_made_from_current_data(reports_dir, Path(processed_dir)) | done) - set(cut_short)
    write_index(reports_dir, list(finished), Path(processed_dir), current=current,
                not_made={**(not_made or {}), **cut_short}, planned=planned)


def _made_from_current_data(reports_dir: Path, processed_dir: Path) -> set[str]:
    """Reports in the manifest whose sources' clean data are the ones in ``processed_dir`` now."""
    digests = source_digests(Path(processed_dir))
    if digests is None:
        return set()
    made = set()
    for stem, entry in read_manifest(Path(reports_dir)).get("reports", {}).items():
        sources = (entry.get("inputs") or {}).get("sources") if isinstance(entry, dict) else None
        if isinstance(sources, dict) and all(digests.get(s) == d for s, d in sources.items()):
            made.add(stem)
    return made


def build(
    raw_dir: Path,
    processed_dir: Path,
    reports_dir: Path,
    mappings_dir: Path | None = None,
    params_file: str | PathLike | None = None,
    force: bool = False,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    notebooks: list[Path] | None = None,
    say: Callable[[str], None] = print,
    progress: bool | None = None,
) -> BuildResult:
    """Clean what changed, run the reports whose inputs changed; say what was done and why.

    The parameters file is checked first, so a typo stops the build before any work. The
    processed and reports folders are locked for the build (:mod:`analyse.locking`): a second
    command on them stops at once.
    """
    from analyse.locking import folder_lock

    started = time.monotonic()
    processed_dir, reports_dir = Path(processed_dir), Path(reports_dir)
    with folder_lock(processed_dir), folder_lock(reports_dir):
        jobs = report_jobs(params_file, processed_dir, notebooks, reports_dir, say=say)
        plan = plan_clean(raw_dir, processed_dir, mappings_dir, force=force)
        try:
            _build_clean(plan, raw_dir, processed_dir, mappings_dir, say)
        except KeyboardInterrupt:
            # The clean data may be new now, the reports are not: an index must not say otherwise.
            if (reports_dir / "index.html").is_file():
                index_after_interrupt(reports_dir, processed_dir, planned={job.output_stem for job in jobs})
            raise
        say("Rapporter:")
        report_plan, results = run_reports(jobs, reports_dir, processed_dir, force=force, workers=workers,
                                           executor=executor, scheduler=scheduler, say=say, progress=progress)
    return BuildResult(dict(plan.clean), [j for j, _ in report_plan.run], report_plan.skip, results,
                       time.monotonic() - started)


def _build_clean(plan: CleanPlan, raw_dir: Path, processed_dir: Path, mappings_dir: Path | None,
                 say: Callable[[str], None]) -> None:
    say("Rensning:")
    for name in plan.skip:
        say(f"  {name}: uændret, springes over")
    for name in plan.removed:
        say(f"  {name}: ingen udtræk længere; renset data fjernes")
    if plan.needed:
        for name, why in plan.clean.items():
            say(f"  {name}: renses ({why})")
        if plan.refresh and not plan.clean:
            say(f"  indikatorer og kvalitet skrives igen ({plan.refresh})")
        from analyse.pipeline import quality_hints

        summary = run_clean(plan, raw_dir, processed_dir, mappings_dir)
        for name, result in summary.results.items():
            q = result.quality
            say(f"  {name}: {q['rows_in']} rækker ind, {q['rows_clean']} rene, {q['rows_rejected']} afviste, "
                f"{q['duplicates_removed']} dubletter fjernet")
            for hint in quality_hints(name, q, processed_dir, mappings_dir):
                say(f"    {hint}")
    if not (plan.clean or plan.skip):
        say("  ingen udtræk fundet (forventer mapperne as2007/, fremmoede/, rusmiddel/)")
