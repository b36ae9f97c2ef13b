"""One build at a time per output folder: two at once would mix their trees and manifests.

A second `cablesite build` (or a build of `cablesite serve`) on the same output
stops at once with the process that holds it. The lock is an advisory flock on
a file of the state folder: the kernel releases it when its process ends,
however it ends, so a killed build never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import BuildError
from generator.output import state_dir_for

LOCK_NAME = "lock"


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock for the block; BuildError when another build holds it."""
    state_dir = state_dir_for(out_dir)
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(state_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise BuildError(
            f"{exc.filename or state_dir}: cannot lock the output: {exc.strerror}"
        ) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            by = f" (process {holder})" if holder.isdigit() else ""
            raise BuildError(
                f"{out_dir}: another cablesite build is writing this folder{by}; "
                "wait for it to end and build again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock
