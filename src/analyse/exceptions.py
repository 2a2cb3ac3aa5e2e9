"""The small exception hierarchy: every user mistake becomes one of these.

The command line turns an :class:`AnalyseError` into one line on stderr and a
non-zero exit, never a traceback. Messages must never contain a CPR number or a
participant's name: they name file, row and column instead.
"""

from __future__ import annotations


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
