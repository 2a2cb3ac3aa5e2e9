"""The small exception hierarchy: every user mistake becomes one of these.

The command line turns an :class:`AnalyseError` into one line on stderr and a
non-zero exit, never a traceback. Messages must never contain a CPR number or a
participant's name: they name file, row and column instead.
"""

from __future__ import annotations

import errno


class AnalyseError(Exception):
    """Base class for errors that are the user's to fix (bad input, bad configuration)."""


class InputFileError(AnalyseError):
    """A raw extract cannot be used: unreadable, or missing a required column."""

    def __init__(self, file: str, reason: str, row: int | None = None, column: str | None = None):
        self.file = file
        self.reason = reason
        self.row = row
        self.column = column
        where = [f"fil {file}"]
        if row is not None:
            where.append(f"række {row}")
        if column is not None:
            where.append(f"kolonne {column!r}")
        super().__init__(f"{', '.join(where)}: {reason}")


class MissingColumnError(InputFileError):
    """Required columns are missing; the message lists each one's accepted aliases.

    ``column`` is one label (with its ``aliases``) or, for several, a dict of label →
    aliases. ``hint`` (e.g. the folder the file seems to belong in) ends the message.
    """

    def __init__(self, file: str, column: str | dict[str, list[str]], aliases: list[str] | None = None,
                 hint: str | None = None):
        missing = {column: list(aliases or [])} if isinstance(column, str) else dict(column)
        self.missing = list(missing)
        self.aliases = next(iter(missing.values())) if len(missing) == 1 else None
        described = [f"{label!r} (accepterede navne: {', '.join(repr(a) for a in names)})"
                     for label, names in missing.items()]
        if len(described) == 1:
            reason = f"mangler den påkrævede kolonne {described[0]}"
        else:
            reason = f"mangler de påkrævede kolonner {', '.join(described[:-1])} og {described[-1]}"
        super().__init__(
            file,
            reason if hint is None else f"{reason}; {hint}",
            column=self.missing[0] if len(missing) == 1 else None,
        )


class ConfigError(AnalyseError):
    """A configuration, mapping, parameter or key file is wrong."""


class PseudonymKeyError(ConfigError):
    """The pseudonymisation key is missing, unreadable or malformed."""


# The file-system errors a user meets, in Danish (the system's own text is English).
_OS_REASONS = {
    errno.EROFS: "filsystemet er skrivebeskyttet",
    errno.EACCES: "ingen adgang (tjek rettighederne)",
    errno.EPERM: "ingen adgang (tjek rettighederne)",
    errno.ENOSPC: "disken er fuld",
    errno.ENOTDIR: "en del af stien er en fil, ikke en mappe",
    errno.EEXIST: "der ligger en fil, hvor en mappe skal være",
    errno.EISDIR: "det er en mappe, ikke en fil",
    errno.ENOENT: "findes ikke",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be used, in Danish where the error is a common one (else the system's words).

    >>> os_reason(FileNotFoundError(errno.ENOENT, "No such file or directory", "p.yaml"))
    'findes ikke'
    >>> os_reason(OSError(errno.ELOOP, "Too many levels of symbolic links"))
    'Too many levels of symbolic links'
    """
    return _OS_REASONS.get(exc.errno, exc.strerror or type(exc).__name__)
