"""One command at a time on a folder: a second build, run or clean stops at once with one line.

The lock itself (analyse.locking) in processes of its own, and a second command beside a real
build on a copy of the built sample.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tests.test_build_interrupt import command, sample_copy, start, wait_until

LOCK_FILE = ".analyse.lock"  # analyse.locking.LOCK_FILE (imported in the tests, which need the module)

TRY_LOCK = """
import sys
from pathlib import Path
from analyse.locking import FolderBusy, folder_lock
try:
    with folder_lock(Path(sys.argv[1]), exclusive=sys.argv[2] == "skriv"):
        print("fik låsen")
except FolderBusy as exc:
    print(exc)
"""


def try_lock(folder, mode: str = "skriv") -> str:
    done = subprocess.run([sys.executable, "-c", TRY_LOCK, str(folder), mode], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=True)
    return done.stdout.strip()


def test_a_folder_in_use_is_refused_at_once_naming_the_process(tmp_path):
    from analyse.locking import folder_lock

    with folder_lock(tmp_path):
        started = time.monotonic()
        assert try_lock(tmp_path) == (f"en anden kørsel bruger allerede {tmp_path} (pid {os.getpid()}); "
                                      "vent til den er færdig")
        assert try_lock(tmp_path, "læs").startswith("en anden kørsel bruger allerede")
        assert time.monotonic() - started < 30  # never waits for the lock
        with folder_lock(tmp_path):  # the same process: re-entrant (build runs the reports)
            pass
        assert try_lock(tmp_path).startswith("en anden kørsel")  # still held by the outer block
    assert try_lock(tmp_path) == "fik låsen"  # released


def test_readers_share_a_folder_but_keep_writers_out(tmp_path):
    from analyse.locking import folder_lock

    with folder_lock(tmp_path, exclusive=False):
        assert try_lock(tmp_path, "læs") == "fik låsen"  # two runs on the same clean data
        assert try_lock(tmp_path).startswith("en anden kørsel bruger allerede")  # no clean meanwhile


def test_the_lock_goes_with_the_process_however_it_ends(tmp_path):
    from analyse.locking import FolderBusy, folder_lock

    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
                               "from analyse.locking import folder_lock\n"
                               f"with folder_lock(Path({str(tmp_path)!r})):\n"
                               "    print('låst', flush=True); time.sleep(600)"],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout.readline().strip() == "låst"
    with pytest.raises(FolderBusy, match=f"pid {holder.pid}"):
        with folder_lock(tmp_path):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=60)
    with folder_lock(tmp_path):  # nothing stale left behind
        pass


def test_a_folder_that_cannot_be_written_is_read_with_a_read_only_lock_file_or_none(tmp_path, monkeypatch):
    import analyse.locking as locking
    from analyse.locking import folder_lock

    assert locking.LOCK_FILE == LOCK_FILE
    real_open = os.open

    def read_only(path, flags, *args):  # as in a read-only folder of shared clean data
        if flags & (os.O_RDWR | os.O_WRONLY | os.O_CREAT):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    (tmp_path / "med").mkdir()
    (tmp_path / "med" / LOCK_FILE).write_text("")
    monkeypatch.setattr(locking.os, "open", read_only)
    with folder_lock(tmp_path / "med", exclusive=False):  # the lock file there is enough to read-lock
        monkeypatch.setattr(locking.os, "open", real_open)
        assert try_lock(tmp_path / "med").startswith("en anden kørsel bruger allerede")
        monkeypatch.setattr(locking.os, "open", read_only)
    with folder_lock(tmp_path / "uden", exclusive=False):  # no lock file, none can be made: no lock
        pass


@pytest.mark.slow
def test_a_second_command_beside_a_build_stops_at_once(build, tmp_path):
    project = sample_copy(build, tmp_path)
    raw, folders, env = str(project["raw"]), project["folders"], project["env"]
    first = start(env, "build", "--force", "--raw", raw, *folders)
    try:
        lock = project["reports"] / LOCK_FILE
        wait_until(lambda: lock.is_file() and lock.read_text().strip() == str(first.pid), first)
        for second in (["build", "--raw", raw, *folders],
                       ["run", *folders],
                       ["clean", "--raw", raw, "--out", str(project["processed"])]):
            started = time.monotonic()
            done = command(env, *second, timeout=600)
            assert done.returncode == 2, done.stdout + done.stderr
            assert done.stderr.splitlines() == [
                f"analyse: fejl: en anden kørsel bruger allerede {project['processed'] if second[0] != 'run' else project['reports']} "
                f"(pid {first.pid}); vent til den er færdig"], done.stderr
            assert time.monotonic() - started < 60
            assert first.poll() is None  # (the first was still at work)
    finally:
        first.kill()  # however it ends, the lock goes with it
        first.communicate(timeout=120)
    for folder in (project["processed"], project["reports"]):
        with open(folder / LOCK_FILE) as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
