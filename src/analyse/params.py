"""Report variants from a parameters file (YAML), checked before anything runs.

``analyse run --params FILE`` and ``analyse build --params FILE`` read a file like::

    parametre:                  # optional: for every variant (a variant's own win)
      suppression_threshold: 5
    varianter:
      midtvejsstatus_2021:
        titel: Midtvejsstatus 2021          # optional: shown after the report's title
        notebooks: [04_maalopfoelgning, 00_samlet_rapport]   # optional: default every notebook
        parametre:
          report_type: midtvejsstatus
          status_date: "2021-12-31"
      psykiatriens_hus_2019:
        notebooks: [02_psykiatriens_hus]
        parametre: {first_period: 2018H1, last_period: 2019H1}

(English keys ``parameters``, ``variants``, ``title`` are accepted too.) Each variant
runs its notebooks with its parameters; a parameter goes to those of the variant's
notebooks that declare it, and at least one must. The reports of a variant are
``reports/<notebook>__<variant>.html``. A file without ``varianter`` is the older
form: ``name: value`` pairs for every notebook, reports under their usual names.

Every variant is checked against the parameters each notebook declares
(:func:`papermill.inspect_notebook`: names, types and defaults). An unknown name, a
value of the wrong type, a half-year that is not ``YYYYH1``/``YYYYH2``, a date that
is not ``YYYY-MM-DD``, or a first period after the last is a :class:`ConfigError`
that names the file, the variant and the parameter. Papermill itself would only warn.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from analyse.exceptions import ConfigError, os_reason
from analyse.periods import parse_half_year
from analyse.suppression import MIN_REPORT_THRESHOLD

# Set by the runner, never by a parameters file: the build tracks it itself.
RESERVED = frozenset({"processed_dir"})
# Parameters end up in the executed notebook for anyone to read (same rule as the runner).
_SECRET_NAME = re.compile(r"key|secret|password|passwd|token|n(ø|oe)gle|kodeord", re.IGNORECASE)
_VARIANT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HALF_YEAR_TEXT = re.compile(r"^\s*\d{4}[hH]\d\s*$")
_ISO_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HALF_YEAR_NAME = re.compile(r"period|halvaar|halvår", re.IGNORECASE)
_DATE_NAME = re.compile(r"(^|_)(date|dato|start|end|slut)($|_)", re.IGNORECASE)
VARIANT_SEPARATOR = "__"

_KEYS = {
    "top": {"parametre": "parameters", "parameters": "parameters", "varianter": "variants", "variants": "variants"},
    "variant": {"notebooks": "notebooks", "parametre": "parameters", "parameters": "parameters",
                "titel": "title", "title": "title"},
}


@dataclass(frozen=True)
class Variant:
    """One report variant as the file declares it (not yet checked against the notebooks)."""

    name: str | None  # None: the notebooks' own run (no suffix on the report names)
    notebooks: tuple[str, ...] | None  # notebook names without .ipynb; None = every notebook
    parameters: dict = field(default_factory=dict)
    title: str | None = None
    common: dict = field(default_factory=dict)  # the file's shared 'parametre' (a variant's own win)


@dataclass(frozen=True)
class ReportJob:
    """One notebook run: a notebook, the parameters it gets and the variant it belongs to."""

    notebook: Path
    parameters: dict
    variant: str | None = None
    title: str | None = None

    @property
    def output_stem(self) -> str:
        """``<notebook>`` or ``<notebook>__<variant>``: the names of the HTML report and the executed copy."""
        stem = Path(self.notebook).stem
        return stem if self.variant is None else f"{stem}{VARIANT_SEPARATOR}{self.variant}"

    @property
    def label(self) -> str:
        """How messages name this run: the notebook, and the variant if any."""
        name = Path(self.notebook).name
        return name if self.variant is None else f"{name} (variant {self.variant})"


def _plain(value):
    return str(value) if isinstance(value, PathLike) else value


def _keys(mapping: dict, kind: str, where: str) -> dict:
    known = _KEYS[kind]
    out = {}
    for key, value in mapping.items():
        canonical = known.get(str(key))
        if canonical is None:
            raise ConfigError(
                f"{where}: ukendt nøgle {key!r} (kendte: {', '.join(sorted(set(known)))})"
            )
        out[canonical] = value
    return out


def parse_params(data: object, source: str = "parameterfil") -> list[Variant]:
    """The variants of a parameters file's content (already loaded from YAML).

    >>> [v.name for v in parse_params({"varianter": {"a": {"parametre": {"x": 1}}, "b": {}}})]
    ['a', 'b']
    >>> parse_params({"first_period": "2017H1"})[0]
    Variant(name=None, notebooks=None, parameters={'first_period': '2017H1'}, title=None, common={})
    >>> parse_params({"varianter": {"a b": {}}})
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: parameterfil, variant 'a b': navnet må kun have bogstaver, tal, '_', '-' og '.' (det bliver en del af filnavnet)
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: skal være navn: værdi-par eller 'varianter:'")
    if not ({"varianter", "variants"} & set(map(str, data))):
        return [Variant(None, None, {str(k): _plain(v) for k, v in data.items()})]
    top = _keys(data, "top", source)
    common = top.get("parameters") or {}
    if not isinstance(common, dict):
        raise ConfigError(f"{source}: 'parametre' skal være navn: værdi-par")
    variants = top.get("variants") or {}
    if not isinstance(variants, dict) or not variants:
        raise ConfigError(f"{source}: 'varianter' skal være navngivne varianter (navn: {{notebooks, parametre}})")
    out = []
    for name, spec in variants.items():
        name = str(name)
        where = f"{source}, variant {name!r}"
        if not _VARIANT_NAME.match(name) or VARIANT_SEPARATOR in name:
            raise ConfigError(
                f"{where}: navnet må kun have bogstaver, tal, '_', '-' og '.' (det bliver en del af filnavnet)"
            )
        spec = _keys(spec or {}, "variant", where) if isinstance(spec, dict) or spec is None else None
        if spec is None:
            raise ConfigError(f"{where}: skal være navn: værdi-par (notebooks, parametre, titel)")
        notebooks = spec.get("notebooks")
        if notebooks is not None:
            if isinstance(notebooks, str):
                notebooks = [notebooks]
            if not isinstance(notebooks, list) or not notebooks or not all(isinstance(n, str) for n in notebooks):
                raise ConfigError(f"{where}: 'notebooks' skal være en liste af notebook-navne")
            notebooks = tuple(Path(n).stem if n.endswith(".ipynb") else n for n in notebooks)
        own = spec.get("parameters") or {}
        if not isinstance(own, dict):
            raise ConfigError(f"{where}: 'parametre' skal være navn: værdi-par")
        parameters = {str(k): _plain(v) for k, v in own.items()}
        shared = {str(k): _plain(v) for k, v in common.items() if str(k) not in parameters}
        title = spec.get("title")
        out.append(Variant(name, notebooks, parameters, None if title is None else str(title), shared))
    return out


def load_params(path: str | PathLike) -> list[Variant]:
    """Read and parse a parameters file (YAML); a mistake in it is an error naming its line."""
    path = Path(path)
    where = f"parameterfil {path}"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where}: {os_reason(exc)}") from None
    data = read_yaml(raw, where)
    if data is None:
        # An empty file would run every report with its defaults, which is hardly what was meant.
        raise ConfigError(f"{where}: filen er tom (skriv parametre eller 'varianter:', se params/eksempel.yaml)")
    variants = parse_params(data, f"parameterfil {path.name}")
    return [dataclasses.replace(v, parameters=_files_from(path, v, v.parameters), common=_files_from(path, v, v.common))
            for v in variants]


def _files_from(params_file: Path, variant: Variant, parameters: dict) -> dict:
    """A ``*_file`` parameter (``goals_file``) as an absolute path, read relative to the parameters file.

    That is where whoever wrote the file looked, whatever folder the command runs in. A
    file that is not there stops before anything runs, with the path looked for.
    """
    out = dict(parameters)
    for name, value in parameters.items():
        if not (name.endswith("_file") and isinstance(value, str) and value.strip()):
            continue
        path = Path(value.strip()).expanduser()
        path = path if path.is_absolute() else (params_file.parent / path).resolve()
        if not path.is_file():
            where = f"parameterfil {params_file.name}" + (f", variant {variant.name!r}" if variant.name else "")
            raise ConfigError(f"{where}, parameter {name!r}: filen {path} findes ikke")
        out[name] = str(path)
    return out


# PyYAML's problems in Danish: (pattern, whether to point at where the list, text or name
# began (PyYAML's context mark) rather than where it gave up, which is often the end of the file).
_YAML_PROBLEMS = (
    (r"expected ',' or '\]', but got .*", True, "[ her lukkes ikke med ], eller der mangler et komma"),
    (r"expected ',' or '\}', but got .*", True, "{ her lukkes ikke med }, eller der mangler et komma"),
    (r"found unexpected end of stream", True, "anførselstegnet her lukkes ikke"),
    (r"could not find expected ':'", True, "mangler kolon efter navnet, eller indrykningen passer ikke"),
    (r"mapping values are not allowed here", False,
     "kolon, hvor det ikke kan stå; sæt værdien i anførselstegn, eller ret indrykningen"),
    (r"found character '\\t' that cannot start any token", False, "indrykket med tabulator; brug mellemrum"),
    (r"found character '(.+)' that cannot start any token", False,
     r"en værdi kan ikke begynde med \1; sæt den i anførselstegn"),
    (r"found unknown escape character .*", False,
     r"ukendt \\-kode i tekst i dobbelte anførselstegn; skriv fx stier i enkelte anførselstegn"),
    (r"expected <block end>, but found .*", False,
     "indrykningen passer ikke med linjerne over, eller der står mere efter en værdi"),
    (r"invalid indentation or unclosed '\[' or '\{'", False, "indrykningen passer ikke, eller en [ eller { lukkes ikke"),
    (r"sequence entries are not allowed here", False, "'- ' kan ikke stå her; indrykningen passer ikke"),
    (r"expected a comment or a line break, but found .*", False,
     "der står mere efter værdien, hvor kun en kommentar med # må stå"),
    (r"expected the node content, but found '<stream end>'", False,
     "filen slutter, før værdien er skrevet færdig; mangler der en ] eller }?"),
    (r"expected the node content, but found '([^<])'", False, r"\1 kan ikke stå her; sæt værdien i anførselstegn"),
    (r"expected alphabetic or numeric character, but found .*", False,
     "& eller * uden et navn efter; sæt værdien i anførselstegn"),
    (r"found undefined alias '(.+)'", False,
     r"*\1 henviser til et anker &\1, der ikke findes; sæt værdien i anførselstegn"),
    (r"could not determine a constructor for the tag .*", False,
     "ukendt mærke med ! foran værdien; fjern det, eller sæt værdien i anførselstegn"),
    (r"but found another document", False, "mere end ét dokument i filen, adskilt af ---; der må kun være ét"),
)


def describe_yaml_error(exc, text: str) -> tuple[str, str]:
    r"""Where a YAML error is (", linje L, kolonne K" or "") and what it is, in Danish.

    A problem not known here is given as PyYAML puts it, marked as such.

    >>> import yaml
    >>> def error(text):
    ...     try:
    ...         yaml.safe_load(text)
    ...     except yaml.YAMLError as exc:
    ...         return describe_yaml_error(exc, text)
    >>> error("a: {b: 1\nc: 2\n")
    (', linje 1, kolonne 4', '{ her lukkes ikke med }, eller der mangler et komma')
    >>> error("sti: \"C:\\data\"\n")
    (', linje 1, kolonne 10', 'ukendt \\-kode i tekst i dobbelte anførselstegn; skriv fx stier i enkelte anførselstegn')
    >>> error("a: |x\n")
    (', linje 1, kolonne 5', "YAML siger: expected chomping or indentation indicators, but found 'x'")
    """
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):  # a character no YAML file may hold (it has no marks)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return f", linje {text.count(chr(10), 0, exc.position) + 1}", f"tegnet #x{code:04x} må ikke stå i filen"
    problem = str(getattr(exc, "problem", "") or type(exc).__name__)
    mark = getattr(exc, "problem_mark", None)
    for pattern, at_start, danish in _YAML_PROBLEMS:
        found = re.fullmatch(pattern, problem)
        if found:
            if at_start and getattr(exc, "context_mark", None) is not None:
                mark = exc.context_mark
            problem = found.expand(danish)
            break
    else:
        problem = f"YAML siger: {problem}"
    return (f", linje {mark.line + 1}, kolonne {mark.column + 1}" if mark is not None else ""), problem


def read_yaml(raw: bytes, where: str) -> object:
    r"""YAML text (UTF-8) as plain data; bad bytes, bad syntax or a name given twice stop with the line.

    A name given twice would otherwise silently keep the last one (a variant, or a period).

    >>> read_yaml("a: 1\nb:\n  c: 2\n".encode(), "fil")
    {'a': 1, 'b': {'c': 2}}
    >>> read_yaml(b"a: 1\nb: 2\na: 3\n", "fil")
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: fil, linje 3: 'a' står to gange (også i linje 1); slet den ene
    >>> read_yaml(b"a: [1, 2\n", "fil")
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: fil, linje 1, kolonne 4: ikke gyldig YAML ([ her lukkes ikke med ], eller der mangler et komma)
    """
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen: dict = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, Hashable):  # ([a]: 1) PyYAML's own check comes after ours
                    raise ConfigError(f"{where}, linje {key_node.start_mark.line + 1}: et navn kan ikke være "
                                      "en liste eller en gruppe ([ ] eller { }); sæt det i anførselstegn")
                if key in seen:
                    raise ConfigError(f"{where}, linje {key_node.start_mark.line + 1}: {key!r} står to gange "
                                      f"(også i linje {seen[key] + 1}); slet den ene")
                seen[key] = key_node.start_mark.line
            return super().construct_mapping(node, deep=deep)

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{where}, linje {line}: filen er ikke gemt som UTF-8 "
                          "(fx æ, ø eller å fra Windows); gem den igen som UTF-8") from None
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader with one check added
    except yaml.YAMLError as exc:
        at, problem = describe_yaml_error(exc, text)
        raise ConfigError(f"{where}{at}: ikke gyldig YAML ({problem})") from None


# --- checking values against what the notebooks declare ----------------------------------------


def _default_value(info: dict):
    try:
        return ast.literal_eval(str(info.get("default")))
    except (ValueError, SyntaxError):
        return None


def _declared_type(info: dict) -> str | None:
    name = str(info.get("inferred_type_name") or "").strip()
    if name in ("str", "int", "float", "bool", "list", "dict"):
        return name
    if name in ("", "None"):
        default = _default_value(info)
        for kind in (bool, int, float, str, list, dict):  # bool before int: True is an int
            if default is not None and type(default) is kind:
                return kind.__name__
    return None  # Optional[...], unions and the like: not checked


def _kind(name: str, info: dict) -> str | None:
    """'half-year', 'date' or None: what a text parameter holds, by its default, else its name."""
    default = _default_value(info)
    if isinstance(default, str) and default:
        if _HALF_YEAR_TEXT.match(default):
            return "half-year"
        if _ISO_DATE_TEXT.match(default):
            return "date"
        return None
    if _HALF_YEAR_NAME.search(name):
        return "half-year"
    if _DATE_NAME.search(name):
        return "date"
    return None


def check_value(name: str, value, info: dict):
    """``value`` as the notebook gets it; :class:`ConfigError` (reason only) if it does not fit.

    >>> info = {"inferred_type_name": "str", "default": '"2016H1"'}
    >>> check_value("first_period", "2017h2", info)
    '2017H2'
    >>> check_value("first_period", "2019H3", info)
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: ugyldigt halvår '2019H3': skriv årstal og H1 eller H2, fx '2019H1'
    >>> check_value("status_date", dt.date(2021, 12, 31), {"inferred_type_name": "str", "default": '"2022-12-31"'})
    '2021-12-31'
    >>> check_value("suppression_threshold", "5", {"inferred_type_name": "int", "default": "5"})
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: skal være et heltal (int), ikke tekst
    >>> check_value("suppression_threshold", 2, {"inferred_type_name": "int", "default": "5"})
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: skal være mindst 5: antal fra 1 til 4 personer vises aldrig
    >>> check_value("report_type", "halvvejs", {"inferred_type_name": "str", "default": '"slutstatus"',
    ...                                         "help": "midtvejsstatus eller slutstatus"})
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: skal være 'midtvejsstatus' eller 'slutstatus', ikke 'halvvejs'
    """
    expected = _declared_type(info)
    if value is None:
        if _default_value(info) is None or expected is None:
            return None
        raise ConfigError(f"mangler en værdi (forventer {_TYPE_TEXT[expected]})")
    if expected == "str" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = value.isoformat()  # YAML reads 2021-12-31 without quotes as a date
    if expected is not None and not _fits(value, expected):
        raise ConfigError(f"skal være {_TYPE_TEXT[expected]}, ikke {_type_text(value)}")
    if name == "suppression_threshold" and isinstance(value, int) and value < MIN_REPORT_THRESHOLD:
        raise ConfigError(f"skal være mindst {MIN_REPORT_THRESHOLD}: antal fra 1 til 4 personer vises aldrig")
    if isinstance(value, str):
        choices = _choices(info)
        if choices and value not in choices:
            raise ConfigError(f"skal være {' eller '.join(repr(c) for c in choices)}, ikke {value!r}")
        kind = _kind(name, info)
        if kind == "half-year":
            year, half = parse_half_year(value)
            return f"{year}H{half}"
        if kind == "date" and value:
            try:
                if not _ISO_DATE_TEXT.match(value.strip()):
                    raise ValueError
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                raise ConfigError(f"ugyldig dato {value!r}: skriv ÅÅÅÅ-MM-DD, fx '2021-12-31'") from None
    return value


_CHOICE_LIST = re.compile(r"\s*([\w-]+(?:\s*,\s*[\w-]+)*\s+eller\s+[\w-]+)\s*")


def _choices(info: dict) -> list[str]:
    """The values a text parameter allows, when its comment is just their list ("a, b eller c").

    Only a list that holds the default counts, so an ordinary comment is never read as one.

    >>> _choices({"default": '"slutstatus"', "help": "midtvejsstatus eller slutstatus"})
    ['midtvejsstatus', 'slutstatus']
    >>> _choices({"default": '"x"', "help": "tal under dette vises som <5"})
    []
    """
    match = _CHOICE_LIST.fullmatch(str(info.get("help") or ""))
    if not match:
        return []
    choices = re.split(r"\s*,\s*|\s+eller\s+", match.group(1).strip())
    return choices if _default_value(info) in choices else []


_TYPE_TEXT = {"str": "tekst (str)", "int": "et heltal (int)", "float": "et tal (float)",
              "bool": "true eller false (bool)", "list": "en liste", "dict": "navn: værdi-par"}


def _type_text(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "et heltal"
    if isinstance(value, float):
        return "et decimaltal"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, (dt.date, dt.datetime)):
        return "en dato"
    if isinstance(value, list):
        return "en liste"
    if isinstance(value, dict):
        return "navn: værdi-par"
    return type(value).__name__


def _fits(value, expected: str) -> bool:
    if expected == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, {"str": str, "bool": bool, "list": list, "dict": dict}[expected])


def _check_order(values: dict, where: str) -> None:
    """``first_X`` ≤ ``last_X`` and ``X_start`` ≤ ``X_end`` where both are half-years or dates."""
    pairs = []
    for name in values:
        if name.startswith("first_"):
            pairs.append((name, "last_" + name[len("first_"):]))
        if name.endswith("_start"):
            pairs.append((name, name[: -len("_start")] + "_end"))
    for first, last in pairs:
        a, b = values.get(first), values.get(last)
        if not (isinstance(a, str) and isinstance(b, str) and a and b):
            continue
        if _HALF_YEAR_TEXT.match(a) and _HALF_YEAR_TEXT.match(b):
            before = parse_half_year(b) < parse_half_year(a)
        elif _ISO_DATE_TEXT.match(a) and _ISO_DATE_TEXT.match(b):
            before = b < a
        else:
            continue
        if before:
            raise ConfigError(f"{where}: {first} {a!r} ligger efter {last} {b!r}")


def plan_jobs(
    variants: list[Variant],
    notebooks: list[Path],
    declared: dict[Path, dict],
    source: str = "parameterfil",
    processed_dir: str | PathLike | None = None,
) -> list[ReportJob]:
    """Check every variant against the notebooks' declared parameters; one job per notebook and variant.

    ``declared`` is :func:`papermill.inspect_notebook` per notebook. ``processed_dir``
    goes to every notebook that declares it.
    """
    by_stem = {Path(nb).stem: Path(nb) for nb in notebooks}
    jobs: list[ReportJob] = []
    chosen_by_variant = []
    for variant in variants:
        where = source if variant.name is None else f"{source}, variant {variant.name!r}"
        if variant.notebooks is None:
            chosen = list(by_stem.values())
        else:
            unknown = [n for n in variant.notebooks if n not in by_stem]
            if unknown:
                raise ConfigError(
                    f"{where}: ukendt notebook {unknown[0]!r} (kendte: {', '.join(sorted(by_stem))})"
                )
            chosen = [by_stem[n] for n in dict.fromkeys(variant.notebooks)]
        _check_names(variant.parameters, chosen, declared, where)
        chosen_by_variant.append((variant, where, chosen))
    # Shared parameters: some notebook of some variant must know each.
    every = list(dict.fromkeys(nb for _, _, chosen in chosen_by_variant for nb in chosen))
    for variant, where, _ in chosen_by_variant:
        _check_names(variant.common, every, declared, f"{source}, fælles 'parametre'")
    for variant, where, chosen in chosen_by_variant:
        for nb in chosen:
            own = {}
            for name, value in {**variant.common, **variant.parameters}.items():
                if name not in declared[nb]:
                    continue
                try:
                    own[name] = check_value(name, value, declared[nb][name])
                except ConfigError as exc:
                    raise ConfigError(f"{where}, parameter {name!r} ({nb.stem}): {exc}") from None
            effective = {n: _default_value(info) for n, info in declared[nb].items()}
            _check_order({**effective, **own}, f"{where} ({nb.stem})")
            if processed_dir is not None and "processed_dir" in declared[nb]:
                own["processed_dir"] = str(processed_dir)
            jobs.append(ReportJob(nb, own, variant.name, variant.title))
    seen: dict[str, ReportJob] = {}
    for job in jobs:
        if job.output_stem in seen:
            raise ConfigError(f"{source}: rapporten {job.output_stem} dannes af to varianter; giv dem forskellige navne")
        seen[job.output_stem] = job
    return jobs


def _check_names(parameters: dict, chosen: list[Path], declared: dict[Path, dict], where: str) -> None:
    """Each name must be allowed and declared by at least one of ``chosen``."""
    for name in parameters:
        here = f"{where}, parameter {name!r}"
        if _SECRET_NAME.search(name):
            raise ConfigError(
                f"{here}: ligner en hemmelighed; hemmeligheder må ikke gives som notebook-parametre "
                "(de gemmes i den kørte notebook)"
            )
        if name in RESERVED:
            raise ConfigError(f"{here}: sættes af analyse (brug --processed)")
        if not any(name in declared[nb] for nb in chosen):
            names = ", ".join(nb.stem for nb in chosen)
            known = sorted(set().union(*(declared[nb] for nb in chosen)) - RESERVED)
            raise ConfigError(
                f"{here}: ukendt parameter; {names} kender: {', '.join(known) or 'ingen parametre'}"
            )


def declared_parameters(notebooks: list[Path]) -> dict[Path, dict]:
    """:func:`papermill.inspect_notebook` for each notebook."""
    import papermill

    return {Path(nb): papermill.inspect_notebook(str(nb)) for nb in notebooks}
