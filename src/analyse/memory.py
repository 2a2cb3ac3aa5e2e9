"""How the process allocates memory while a large extract is cleaned.

A million-row clean allocates and frees hundreds of megabytes of short-lived arrays
(pyarrow buffers, numpy and pandas columns). With the allocators' defaults much of
that memory goes back to the kernel as soon as it is freed and is asked for again a
moment later, and every fresh page costs a page fault. Measured on a 1,000,000-row
AS2007 extract (2 cores): the first clean in a process spent 0.6–0.8 s of about 2 s
in the kernel; with both settings below, 0.3 s, and the clean took about 0.25 s less.

- pyarrow's buffers: jemalloc (else the system allocator) instead of pyarrow's default
  here, mimalloc, which returned memory so eagerly that page faults took 0.8 s of 3.2 s.
  Set ``ARROW_DEFAULT_MEMORY_POOL`` to choose yourself.
- numpy's and pandas' arrays (glibc ``malloc``, Linux): large blocks are taken from the
  heap and kept there instead of being mapped and unmapped one by one
  (``M_MMAP_THRESHOLD``, ``M_TRIM_THRESHOLD``). :func:`release_free_memory` hands the
  kept memory back when a clean is done, so a long-lived process (``analyse build``,
  a JupyterLab kernel) does not hold on to it. Set ``ANALYSE_KEEP_MALLOC=1`` to leave
  ``malloc`` as it is.

Both are process-wide, set once, and only ever change speed, never results.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

# mallopt(3) parameter numbers (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Blocks below this come from the heap (a million 8-byte values is 8 MB; the largest column
# buffers of a large extract are some tens of MB). glibc caps the value at 32 MB on 64 bits.
_HEAP_BLOCKS_UP_TO = 1024 * 1024 * 1024
# Free memory at the top of the heap is kept up to this much while a clean runs.
_KEEP_FREE_UP_TO = 1024 * 1024 * 1024

_TUNED = False
_LIBC = None


def _glibc():
    """glibc's C library, or None elsewhere (macOS, Windows, musl): then nothing is tuned."""
    global _LIBC
    if _LIBC is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.gnu_get_libc_version  # noqa: B018 - only glibc has it (and mallopt's numbering)
            _LIBC = libc
        except (OSError, AttributeError):
            _LIBC = False
    return _LIBC or None


def tune_for_large_tables() -> None:
    """Choose pyarrow's memory pool and keep freed ``malloc`` memory for reuse (see the module docstring).

    >>> tune_for_large_tables(); tune_for_large_tables()  # once per process; repeating is harmless
    """
    global _TUNED
    if _TUNED:
        return
    _TUNED = True
    import pyarrow as pa

    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
        except (NotImplementedError, AttributeError, pa.ArrowException):
            pa.set_memory_pool(pa.system_memory_pool())
    libc = _glibc()
    if libc is not None and os.environ.get("ANALYSE_KEEP_MALLOC") != "1":
        libc.mallopt(_M_MMAP_THRESHOLD, _HEAP_BLOCKS_UP_TO)
        libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_FREE_UP_TO)


def release_free_memory() -> None:
    """Hand the memory a clean freed back to the operating system (glibc ``malloc_trim``).

    >>> release_free_memory()
    """
    libc = _glibc()
    if libc is not None and _TUNED:
        libc.malloc_trim(0)
