"""Keyed pseudonyms: the same person gets the same pseudonym in every run and every source.

A pseudonym is HMAC-SHA256 of the normalised identifier (10-digit CPR, or a
participant's normalised name) under a secret key kept outside the repository,
cut to 16 hex characters (64 bits: collisions are negligible for a municipality's
population and the Parquet files stay small).

Where the key comes from, in order:

1. the environment variable ``ANALYSE_PSEUDONYM_KEY`` (at least 32 characters);
2. the key file (``~/.config/analyse/pseudonym.key``, or ``ANALYSE_KEY_FILE``),
   created on first use with mode 0600.

A key file that *other users* may read or write (any of the mode's last three
bits, e.g. 0644) is refused: anyone who holds the key can compute the pseudonym
of every possible CPR number (there are only a few hundred million) and so undo
the pseudonymisation. The error says how to fix it (``chmod 600``). Group
permissions are accepted, so a team can share one key through a group-owned
file. Not checked on Windows, where the mode bits mean nothing.

The key never goes into the repository, a log or an error message (messages
name the file, never its content), and never into a notebook: the runner refuses
secret-looking parameters, and notebooks receive no key at all (pseudonymisation
happens in ``analyse clean``).

Synthetic sample data always use :data:`SAMPLE_KEY`, a fixed key that is public
and therefore protects nothing: it only makes sample pseudonyms reproducible.
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
import sys
from pathlib import Path

import pandas as pd

from analyse import config
from analyse.exceptions import PseudonymKeyError

SAMPLE_KEY = b"analyse-SYNTETISK-eksempelnoegle-kun-til-syntetiske-data"
PSEUDONYM_LENGTH = 16
MIN_KEY_LENGTH = 32


def _check_permissions(path: Path) -> None:
    """Refuse a key file other users can read or write (see the module docstring)."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # reading it will fail with its own clear message
    if stat.S_ISREG(mode) and mode & 0o007:
        raise PseudonymKeyError(
            f"nøglefilen {path} kan læses eller ændres af andre brugere (rettigheder {stat.S_IMODE(mode):o}); "
            f"kør 'chmod 600 {path}'. Har andre kunnet læse den, bør den betragtes som kendt."
        )


def _read_key_file(path: Path) -> bytes:
    _check_permissions(path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise PseudonymKeyError(
            f"nøglefilen {path} kan ikke læses ({type(exc).__name__}). Ret filens rettigheder, "
            f"eller sæt {config.KEY_ENV_VAR}. Bemærk: en ny nøgle giver nye pseudonymer."
        ) from None
    if len(text) < MIN_KEY_LENGTH or any(c not in "0123456789abcdef" for c in text.lower()):
        raise PseudonymKeyError(
            f"nøglefilen {path} er ugyldig (forventer mindst {MIN_KEY_LENGTH} hex-tegn). "
            "Gendan den fra backup; slettes den, laves en ny nøgle, og pseudonymerne kan ikke "
            "længere kobles til tidligere kørsler."
        )
    return text.encode("ascii")


def create_key_file(path: Path) -> bytes:
    """Write a new random key, readable by its owner only, and say where it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    print(
        f"analyse: ny pseudonymiseringsnøgle oprettet i {path}. Tag backup af den: mistes den, "
        "kan nye kørsler ikke kobles med tidligere.",
        file=sys.stderr,
    )
    return key.encode("ascii")


def load_key(synthetic: bool = False) -> bytes:
    """The pseudonymisation key (see the module docstring for the order)."""
    if synthetic:
        return SAMPLE_KEY
    from_env = os.environ.get(config.KEY_ENV_VAR, "").strip()
    if from_env:
        if len(from_env) < MIN_KEY_LENGTH:
            raise PseudonymKeyError(
                f"{config.KEY_ENV_VAR} er for kort (mindst {MIN_KEY_LENGTH} tegn)"
            )
        return from_env.encode("utf-8")
    path = config.KEY_FILE
    if path.exists():
        return _read_key_file(path)
    return create_key_file(path)


def pseudonymise(identifiers: pd.Series, key: bytes) -> pd.Series:
    """Pseudonym per identifier (NA stays NA); each distinct value is hashed once.

    >>> s = pd.Series(["0102031234", "0102031234", None])
    >>> p = pseudonymise(s, b"k" * 32)
    >>> bool(p[0] == p[1]), len(p[0]), bool(p.isna()[2])
    (True, 16, True)
    """
    codes, uniques = pd.factorize(identifiers, use_na_sentinel=True)
    # hmac.digest: OpenSSL's one-shot HMAC, the same value as hmac.new(...).digest(), much faster.
    digests = [hmac.digest(key, str(u).encode("utf-8"), "sha256").hex()[:PSEUDONYM_LENGTH] for u in uniques.tolist()]
    return pd.Series(digests, dtype="string").reindex(codes).set_axis(identifiers.index)
