"""Child processes that end with the cablesite process that started them.

A build or an import killed by SIGKILL runs no handler, so nothing would tell
its children; on Linux the kernel can (PR_SET_PDEATHSIG). A worker forked by
multiprocessing calls `die_with_parent` first thing; an external program
(Pagefind) is started through `tied`, which has util-linux's `setpriv` set the
signal before the program runs, so no Python runs between fork and exec.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """End this forked process when `parent_pid` dies, even by SIGKILL (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)


def tied(command: list[str]) -> list[str]:
    """`command`, run so that it is killed when this process dies (where `setpriv` exists).

    The signal follows the thread that starts the child, so call it from the
    thread that waits for the child (subprocess.run does).
    """
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    if setpriv is None:
        return command
    return [setpriv, "--pdeathsig", "KILL", "--", *command]
