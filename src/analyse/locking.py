"""One command at a time per folder: ``clean``, ``run`` and ``build`` lock what they write.

Two builds on the same folders would each do all the work, and one's reports manifest
could end up describing HTML the other wrote. So a command takes a lock file in each
folder it uses (:data:`LOCK_FILE`, with the holder's process id in it), and a second
command on the same folder stops at once with one line naming the folder and that
process; it never waits. ``build`` and ``clean`` lock the processed folder for writing,
``run`` for reading (several runs may read the same clean data; no clean may change it
meanwhile); ``run`` and ``build`` lock the reports folder for writing.

Linux (POSIX) only: :func:`fcntl.flock`. The lock belongs to the open file, so it goes
with the process however it ends (also ``kill -9``): nothing stale to clean up; the
file itself stays. Within one process the locks are re-entrant (``build`` calls the
report runner, which locks the reports folder too). Where the folder cannot hold a lock
file (read-only clean data) or the file system does not support locks, the command
runs without one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
from pathlib import Path
from typing import Iterator

from analyse.exceptions import AnalyseError

LOCK_FILE = ".analyse.lock"

_HELD: dict[str, list] = {}  # lock file → [fd, exclusive, users] for the locks this process holds
_HELD_LOCK = threading.Lock()


class FolderBusy(AnalyseError):
    """Another command is using the folder."""

    def __init__(self, folder: Path, pid: int | None):
        self.folder, self.pid = folder, pid
        holder = f" (pid {pid})" if pid else ""
        super().__init__(f"en anden kørsel bruger allerede {folder}{holder}; vent til den er færdig")


def _holder(fd: int) -> int | None:
    """The process id the lock file names, if that process is running (else it is an earlier holder's)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    if not text.isdigit():
        return None
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return None
    except OSError:
        pass  # running, as another user
    return int(text)


def _open(path: Path, exclusive: bool) -> int | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        pass
    try:  # a read-only folder (shared clean data): a read lock needs only to read the file
        return None if exclusive else os.open(path, os.O_RDONLY)
    except OSError:
        return None


@contextlib.contextmanager
def folder_lock(folder: Path, exclusive: bool = True) -> Iterator[None]:
    """Hold ``folder``'s lock while the block runs; :class:`FolderBusy` at once if another has it."""
    path = Path(folder).resolve() / LOCK_FILE
    key = str(path)
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is not None and not held[1] and exclusive:
            # flock cannot turn a read lock into a write lock atomically; no command nests that way.
            raise RuntimeError(f"{folder}: en læselås kan ikke blive til en skrivelås")
        if held is not None:
            held[2] += 1
        else:
            fd = _open(path, exclusive)
            if fd is not None:
                try:
                    fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                except OSError as error:
                    pid = _holder(fd)
                    os.close(fd)
                    if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                        raise FolderBusy(Path(folder), pid) from None
                    fd = None  # no locks on this file system (ENOLCK, EOPNOTSUPP): run without
                if fd is not None:
                    with contextlib.suppress(OSError):  # (a read-only file keeps an earlier holder's id)
                        os.ftruncate(fd, 0)
                        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
                    _HELD[key] = [fd, exclusive, 1]
    try:
        yield
    finally:
        with _HELD_LOCK:
            held = _HELD.get(key)
            if held is not None:
                held[2] -= 1
                if held[2] == 0:
                    del _HELD[key]
                    os.close(held[0])  # releases the lock
