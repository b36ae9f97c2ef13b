"""The memory of processes on Linux: a child's peak, and giving back what a build let go.

Issue 6 bounds the build's whole process tree (1.5 GiB at 251,287 cables),
so the build measures its children and shrinks before starting big ones.
Elsewhere (no /proc, no glibc) both are no-ops that report 0.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os

log = logging.getLogger(__name__)


def peak_memory(pid: int) -> int:
    """VmHWM of a running process in bytes: its peak since its last exec (0 if unknown)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def release_memory() -> int:
    """Collect garbage and hand freed heap back to the system; the resident bytes after.

    CPython frees its small-object arenas only when they are empty, and glibc
    keeps freed heap for reuse; malloc_trim returns the free pages of both.
    """
    before = resident_memory()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)
    after = resident_memory()
    log.info("memory: %d MiB resident, %d MiB once released", before >> 20, after >> 20)
    return after


def resident_memory() -> int:
    """The resident bytes of this process (0 where there is no /proc)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
