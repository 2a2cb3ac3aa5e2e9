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
    """A required column is missing; the message lists the accepted aliases."""

    def __init__(self, file: str, column: str, aliases: list[str]):
        self.aliases = aliases
        accepted = ", ".join(repr(a) for a in aliases)
        super().__init__(
            file,
            f"mangler den påkrævede kolonne {column!r} (accepterede navne: {accepted})",
            column=column,
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
