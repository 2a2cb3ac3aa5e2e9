"""The allocator settings of a clean (analyse.memory): they take effect, can be turned off, and are undone.

Each check runs in a fresh interpreter, since the settings are process-wide and set once.
glibc's ``mallinfo2`` tells where a large block came from: ``hblkhd`` counts bytes in
blocks mapped one by one (the default for blocks this large), ``arena`` the heap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from analyse import config, memory

PROBE = """
import ctypes, json
import numpy as np
from analyse import memory

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
{tune}
block = np.ones(16 * 1024 * 1024, dtype=np.uint8)  # 16 MB, like a column of a large extract
held = libc.mallinfo2()
del block
freed = libc.mallinfo2()
memory.release_free_memory()
released = libc.mallinfo2()
import pyarrow as pa
print(json.dumps({{"mapped_while_held": held.hblkhd, "heap_free_after_free": freed.fordblks,
                  "heap_free_after_release": released.fordblks, "pool": pa.default_memory_pool().backend_name}}))
"""


def probe(tune: bool, **env) -> dict:
    code = PROBE.format(tune="memory.tune_for_large_tables()" if tune else "")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=config.PROJECT_ROOT, env={**os.environ, **env})
    return json.loads(done.stdout.strip().splitlines()[-1])


needs_glibc = pytest.mark.skipif(memory._glibc() is None or not hasattr(memory._glibc(), "mallinfo2"),
                                 reason="glibc's malloc only (mallinfo2: glibc 2.33 or newer)")


@needs_glibc
def test_untuned_large_blocks_are_mapped_one_by_one():
    # The baseline the tuning changes: without it the 16 MB block is an mmap of its own.
    assert probe(tune=False)["mapped_while_held"] >= 16 * 1024 * 1024


@needs_glibc
def test_tuned_large_blocks_come_from_the_heap_and_are_given_back_on_release():
    tuned = probe(tune=True)
    assert tuned["mapped_while_held"] < 16 * 1024 * 1024
    # Freed, the block stays in the heap for the next column (no page faults for it)...
    assert tuned["heap_free_after_free"] >= 16 * 1024 * 1024
    # ...until the clean is done and hands it back.
    assert tuned["heap_free_after_release"] < tuned["heap_free_after_free"] - 8 * 1024 * 1024


@needs_glibc
def test_keep_malloc_leaves_malloc_alone():
    assert probe(tune=True, ANALYSE_KEEP_MALLOC="1")["mapped_while_held"] >= 16 * 1024 * 1024


def test_pyarrow_pool_is_jemalloc_unless_the_user_chose_one():
    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowException):
        expected = "system"
    else:
        expected = "jemalloc"
    assert probe(tune=True)["pool"] == expected
    assert probe(tune=True, ARROW_DEFAULT_MEMORY_POOL="system")["pool"] == "system"
