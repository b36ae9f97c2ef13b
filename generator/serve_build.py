"""The preview server builds in a process of its own, started clean (spawn), kept for the session.

Why not a thread: the build renders in parallel by forking workers, and a
fork of the serving process would copy its threads' locks, its listening
socket and asyncio's signal handlers — a worker that inherits the handler
for SIGTERM ignores the terminate() meant to stop it, and outlives the
server. The builder process is single-threaded, leads a process group of
its own (so Ctrl-C at the terminal reaches only the server, which then ends
the whole group at once: builds are atomic, so public/ stays whole), and
serving never waits for the GIL of a long render.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

from generator.build import BuildReport, build
from generator.config import SiteConfig
from generator.errors import BuildError, CablesiteError

log = logging.getLogger(__name__)


class BuildProcess:
    """A builder process: `build(config, out_dir)` there, the BuildReport or the error back here."""

    def __init__(self, jobs: int | None) -> None:
        self.jobs = jobs
        self._context = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._built = False  # after a first good build, the search index may lag (see build)

    def build(self, config: SiteConfig, out_dir: Path) -> BuildReport:
        """Build in the builder process; CablesiteError with its message if the build failed."""
        if self._process is None or not self._process.is_alive():
            self._start()
        connection = self._connection
        assert connection is not None
        try:
            connection.send((config, out_dir, self.jobs, self._built))
            kind, payload = connection.recv()
        except (EOFError, OSError) as exc:
            self.stop()
            raise BuildError(
                f"the build process ended unexpectedly ({exc!r}); it restarts on the next change"
            ) from None
        if kind == "built":
            assert isinstance(payload, BuildReport)
            self._built = True
            return payload
        raise CablesiteError(str(payload)) if kind == "error" else BuildError(str(payload))

    def stop(self) -> None:
        """End the builder and every render worker it forked, now."""
        process, self._process = self._process, None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if process is None or process.pid is None:
            return
        process.join(timeout=1)  # an idle builder leaves as soon as its pipe is closed
        if process.is_alive():  # a build is running: end it with its workers
            if hasattr(os, "killpg"):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
            process.kill()
            process.join(timeout=10)

    def _start(self) -> None:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_builder_main, args=(theirs,), name="cablesite-build"
        )
        process.start()
        theirs.close()
        self._process, self._connection = process, ours


def _builder_main(connection: Connection) -> None:
    """The builder's loop: one build per request, until the server closes the pipe."""
    if hasattr(os, "setpgrp"):
        os.setpgrp()  # a group of our own: Ctrl-C goes to the server, which ends this group
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    while True:
        try:
            config, out_dir, jobs, search_stale = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return  # the server is gone
        try:
            report = build(config, out_dir, jobs=jobs, search_stale=search_stale)
            answer: tuple[str, object] = ("built", report)
        except CablesiteError as exc:
            answer = ("error", str(exc))
        except Exception:  # a bug in cablesite: the server shows it and keeps serving
            answer = ("crash", "internal error (please report it):\n" + traceback.format_exc())
        try:
            connection.send(answer)
        except (OSError, ValueError):
            return
