"""`cablesite serve`: build, serve on 127.0.0.1, rebuild on every change, reload the browser.

    initial build ─▶ HTTP server (serve_http) ◀── state: output folder, last errors
                          ▲ reload (livereload's websocket)
    watcher (serve_watch) ─▶ one batch per burst ─▶ rebuild thread ─▶ builder process
                                                     (serve_build: incremental build)

Rebuilds are the normal incremental build, which re-reads the cables whose
files changed, re-renders the pages whose templates or data changed, and
redoes everything when site.yaml changed (it is part of every page's digest);
the new site is swapped in atomically, so a request never sees half a build.
A failed rebuild (broken template, cable or site.yaml) leaves the last good
site served, with the error in the terminal and in a banner on every page;
the next save that fixes it recovers without a restart.

The browser side is the livereload package: its websocket handler and its
livereload.js client, which the server adds to each HTML page as it sends it.
Nothing is ever written into the output folder by the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from livereload.handlers import (  # type: ignore[import-untyped]
    LiveReloadHandler,
    LiveReloadJSHandler,
)
from livereload.watcher import Watcher  # type: ignore[import-untyped]
from tornado import httpserver, netutil, web

from generator.build import BuildReport
from generator.config import SiteConfig, load_config
from generator.errors import CablesiteError, Problem, ThemeError
from generator.output import state_dir_for
from generator.render import load_theme
from generator.serve_build import BuildProcess
from generator.serve_http import ServeState, SiteFileHandler
from generator.serve_watch import ChangeBatcher, SourceWatcher, WatchPlan, plan_watch

log = logging.getLogger(__name__)

EventKind = Literal["serving", "built", "failed", "stopped", "warning"]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True, slots=True)
class ServeEvent:
    """Something the person at the terminal should see; `cli` prints it."""

    kind: EventKind
    message: str
    problems: tuple[Problem, ...] = ()
    changed: tuple[Path, ...] = ()


Reporter = Callable[[ServeEvent], None]


class ServeSession:
    """The archive being served: its configuration, the state shown, and how to rebuild it."""

    def __init__(
        self,
        config: SiteConfig,
        out_dir: Path | None,
        *,
        jobs: int | None,
        report: Reporter,
    ) -> None:
        self.config = config
        self.config_path = Path(
            os.path.abspath(config.config_path or config.site_dir / "site.yaml")
        )
        self.explicit_out_dir = Path(os.path.abspath(out_dir)) if out_dir else None
        self.builder = BuildProcess(jobs)
        self.report = report
        self.config_broken = False
        self.stopping = False  # set at Ctrl-C: a build cut short then is not news
        self.state = ServeState(out_dir=self.out_dir, base_path=config.base_path, building=True)

    @property
    def out_dir(self) -> Path:
        return self.explicit_out_dir or Path(os.path.abspath(self.config.output_dir))

    def get_state(self) -> ServeState:
        return self.state

    def rebuild(self, changed: frozenset[Path] = frozenset()) -> bool:
        """Reload site.yaml if it changed, build incrementally, record it; True: reload browsers."""
        before = self.state
        if self.config_path in changed or self.config_broken:
            try:
                self.config = load_config(self.config_path)
                self.config_broken = False
            except CablesiteError as exc:
                self.config_broken = True
                return self._failed(str(exc), changed, before)
        try:
            result = self.builder.build(self.config, self.out_dir)
        except CablesiteError as exc:
            return self._failed(str(exc), changed, before)
        except Exception:  # a bug in cablesite: show it, keep the last good site served
            log.exception("the build failed with an internal error")
            return self._failed(
                "internal error (please report it):\n" + traceback.format_exc(), changed, before
            )
        return self._built(result, changed, before)

    def _built(self, result: BuildReport, changed: frozenset[Path], before: ServeState) -> bool:
        errors = tuple(str(p) for p in result.problems if p.severity == "error")
        self.state = ServeState(
            out_dir=self.out_dir, base_path=self.config.base_path, problems=errors
        )
        self.report(
            ServeEvent(
                "built", result.summary(), tuple(result.problems), tuple(sorted(changed))
            )
        )
        return result.swapped or self.state != before

    def _failed(self, message: str, changed: frozenset[Path], before: ServeState) -> bool:
        if self.stopping:
            return False
        self.state = replace(before, build_error=message, building=False, out_dir=self.out_dir)
        self.report(ServeEvent("failed", message, (), tuple(sorted(changed))))
        return self.state != before

    def watch_plan(self) -> WatchPlan:
        """The sources of the current configuration; the theme chain as render resolves it."""
        config = self.config
        try:
            theme = load_theme(config)
            theme_dirs = {*theme.template_dirs, *theme.static_dirs, *theme.theme_dirs}
            theme_dirs |= set(theme.default_dirs)
        except ThemeError:  # a missing theme is reported by the build; watch where it would be
            theme_dirs = {config.site_dir / "templates", config.site_dir / "static"}
        out_dir = self.out_dir
        return plan_watch(
            config.content_dir,
            theme_dirs,
            config.site_dir,
            self.config_path,
            ignored=(out_dir, state_dir_for(out_dir), config.cache_dir),
        )


def serve(
    config: SiteConfig,
    host: str = "127.0.0.1",
    port: int = 8000,
    out_dir: Path | None = None,
    *,
    jobs: int | None = None,
    report: Reporter | None = None,
) -> None:
    """Build, then serve and rebuild on every change until Ctrl-C (or SIGTERM).

    `port` 0 takes any free port (the "serving" event names it). A build that
    fails, the first one included, is reported and the server goes on.
    """
    session = ServeSession(config, out_dir, jobs=jobs, report=report or _log_event)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C before the loop took over SIGINT
            session.rebuild()
            if host not in LOOPBACK_HOSTS:
                session.report(
                    ServeEvent(
                        "warning",
                        f"listening on {host}: the preview is reachable from other machines",
                    )
                )
            asyncio.run(_serve_until_stopped(session, host, port))
    finally:
        session.builder.stop()
    session.report(ServeEvent("stopped", "stopped"))


async def _serve_until_stopped(session: ServeSession, host: str, port: int) -> None:
    # 404s of a preview (favicon.ico, a link not built yet) are noise; `cablesite check` finds them.
    logging.getLogger("tornado.access").setLevel(logging.ERROR)
    LiveReloadHandler.watcher = Watcher()  # livereload logs its `filepath` on every reload
    LiveReloadHandler.live_css = True
    app = web.Application(
        [
            (r"/livereload", LiveReloadHandler),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/.*", SiteFileHandler, {"get_state": session.get_state}),
        ],
        websocket_ping_interval=20,
    )
    try:
        sockets = netutil.bind_sockets(port, address=host)
    except OSError as exc:
        raise CablesiteError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}. "
            "Is another server running there? Choose another port with --port."
        ) from None
    server = httpserver.HTTPServer(app, xheaders=False)
    server.add_sockets(sockets)
    bound_port = sockets[0].getsockname()[1]

    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    signals = _install_stop_signals(loop, stopped)
    batcher = ChangeBatcher()
    watcher = SourceWatcher(batcher, session.watch_plan())
    watcher.start()
    stop_building = threading.Event()

    def reload_browsers(path: str) -> None:
        LiveReloadHandler.watcher.filepath = path
        LiveReloadHandler.reload_waiters(path)

    def build_loop() -> None:
        while (batch := batcher.wait_batch(stop_building)) is not None:
            reload = session.rebuild(batch)
            if stop_building.is_set():
                break
            if reload:
                loop.call_soon_threadsafe(reload_browsers, _reload_path(batch, session.state))
            watcher.update(session.watch_plan())

    builder = threading.Thread(target=build_loop, name="cablesite-rebuild", daemon=True)
    builder.start()
    shown_host = f"[{host}]" if ":" in host else host
    base_path = session.config.base_path
    session.report(
        ServeEvent(
            "serving",
            f"serving {session.out_dir} at http://{shown_host}:{bound_port}{base_path}/ "
            f"(watching {len(watcher.watched)} folders; Ctrl-C to stop)"
            + (
                "; the search index stays as first built ('cablesite build' updates it)"
                if session.config.search
                else ""
            ),
        )
    )
    try:
        await stopped.wait()
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
        session.stopping = True
        stop_building.set()
        batcher.wake()
        watcher.stop()
        server.stop()
        for waiter in list(LiveReloadHandler.waiters):
            waiter.close()
        LiveReloadHandler.waiters.clear()
        # A rebuild still running is cut short: builds are atomic, so public/ stays whole.
        session.builder.stop()
        builder.join(timeout=5)


def _install_stop_signals(loop: asyncio.AbstractEventLoop, stopped: asyncio.Event) -> list[int]:
    installed: list[int] = []
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(number, stopped.set)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread; Windows
            continue
        installed.append(number)
    return installed


def _reload_path(batch: frozenset[Path], state: ServeState) -> str:
    """What livereload.js is told: a stylesheet is swapped in place, anything else reloads."""
    if state.build_error is None and batch and all(path.suffix == ".css" for path in batch):
        return sorted(batch)[0].name
    return "*"


def _log_event(event: ServeEvent) -> None:
    level = logging.ERROR if event.kind == "failed" else logging.INFO
    log.log(level, "%s", event.message)
