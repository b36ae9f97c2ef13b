"""The preview server's watcher: which folders to watch, which events count, one batch per burst.

The sources are watched, never the output: content/ and the theme chain
recursively, the archive folder itself only for site.yaml and for a
templates/ or static/ folder appearing. Events come from the operating
system (inotify on Linux, FSEvents on macOS, through watchdog), so a quiet
archive of 251,287 cables costs nothing between edits. A burst of events (an
editor's save: write, rename, chmod; a re-import of thousands of cables) is
folded into one batch once the sources have been quiet for QUIET_SECONDS.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

log = logging.getLogger(__name__)

QUIET_SECONDS = 0.25
# Editors' scratch files: vim's .swp/.swx/4913 probe, emacs' .#lock and ~ backups, and hidden files.
_SCRATCH_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload")
SITE_FOLDERS = ("templates", "static", "themes", "content")


@dataclass(frozen=True, slots=True)
class WatchPlan:
    """Folders to watch: recursive ones, the archive folder (shallow), and paths to ignore."""

    recursive: tuple[Path, ...]
    site_dir: Path
    config_path: Path
    ignored: tuple[Path, ...]  # the output folder, its build state, the caches


def plan_watch(
    content_dir: Path,
    theme_dirs: Iterable[Path],
    site_dir: Path,
    config_path: Path,
    ignored: Iterable[Path],
) -> WatchPlan:
    """The folders to watch, each once: a folder inside another recursive one is dropped."""
    candidates = sorted({Path(os.path.abspath(p)) for p in (content_dir, *theme_dirs)})
    recursive: list[Path] = []
    for folder in candidates:
        if any(folder.is_relative_to(kept) for kept in recursive):
            continue
        recursive.append(folder)
    return WatchPlan(
        recursive=tuple(recursive),
        site_dir=Path(os.path.abspath(site_dir)),
        config_path=Path(os.path.abspath(config_path)),
        ignored=tuple(Path(os.path.abspath(p)) for p in ignored),
    )


def is_relevant(path: Path, plan: WatchPlan) -> bool:
    """Whether a change at path (absolute) can change the site."""
    if any(path == ignored or path.is_relative_to(ignored) for ignored in plan.ignored):
        return False
    name = path.name
    if name.startswith((".", "#")) or name.endswith(_SCRATCH_SUFFIXES) or name == "4913":
        return False
    if path.parent == plan.site_dir and not any(
        path.is_relative_to(folder) for folder in plan.recursive
    ):
        return path == plan.config_path or name in SITE_FOLDERS
    return True


class ChangeBatcher:
    """Collects changed paths from the watcher thread; hands them over as one batch per burst.

    `take_if_quiet(now)` is the decision, kept free of sleeping so that it can
    be tested with a made-up clock; `wait_batch` sleeps until it says yes.
    """

    def __init__(
        self, quiet_seconds: float = QUIET_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.quiet_seconds = quiet_seconds
        self.clock = clock
        self._pending: set[Path] = set()
        self._last_change = 0.0
        self._condition = threading.Condition()

    def add(self, path: Path) -> None:
        with self._condition:
            self._pending.add(path)
            self._last_change = self.clock()
            self._condition.notify_all()

    def take_if_quiet(self, now: float) -> frozenset[Path] | None:
        """The pending paths if nothing changed for quiet_seconds before now; else None."""
        with self._condition:
            if not self._pending or now - self._last_change < self.quiet_seconds:
                return None
            batch = frozenset(self._pending)
            self._pending.clear()
            return batch

    def wait_batch(self, stop: threading.Event) -> frozenset[Path] | None:
        """Block until a burst of changes is over and return it; None once stop is set."""
        with self._condition:
            while not stop.is_set():
                now = self.clock()
                if self._pending:
                    wait = self._last_change + self.quiet_seconds - now
                    if wait <= 0:
                        batch = frozenset(self._pending)
                        self._pending.clear()
                        return batch
                    self._condition.wait(min(wait, 0.5))
                else:
                    self._condition.wait(0.5)
        return None

    def wake(self) -> None:
        """Let a waiting wait_batch look at the stop flag now."""
        with self._condition:
            self._condition.notify_all()


class _Forward(FileSystemEventHandler):
    """Hands relevant changed paths (both ends of a move) to the batcher."""

    def __init__(self, batcher: ChangeBatcher, get_plan: Callable[[], WatchPlan]) -> None:
        self.batcher = batcher
        self.get_plan = get_plan

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in {"opened", "closed_no_write"}:
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime moves with every file written in it
        plan = self.get_plan()
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            text = raw if isinstance(raw, str) else os.fsdecode(raw)
            path = Path(text)
            if is_relevant(path, plan):
                self.batcher.add(path)


class SourceWatcher:
    """A watchdog observer kept in step with a WatchPlan (folders come and go with the config)."""

    def __init__(self, batcher: ChangeBatcher, plan: WatchPlan) -> None:
        self.batcher = batcher
        self.plan = plan
        self._observer: BaseObserver = Observer()
        self._observer.daemon = True
        self._handler = _Forward(batcher, lambda: self.plan)
        self._watches: dict[tuple[Path, bool], ObservedWatch] = {}

    def start(self) -> None:
        self.update(self.plan)
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)

    def update(self, plan: WatchPlan) -> None:
        """Watch the plan's folders that exist; stop watching those no longer in it."""
        self.plan = plan
        wanted = {(folder, True) for folder in plan.recursive if folder.is_dir()}
        inside = any(plan.site_dir.is_relative_to(folder) for folder, _ in wanted)
        if plan.site_dir.is_dir() and not inside:
            wanted.add((plan.site_dir, False))
        for key in set(self._watches) - wanted:
            self._observer.unschedule(self._watches.pop(key))
        for key in sorted(wanted - set(self._watches)):
            folder, recursive = key
            try:
                self._watches[key] = self._observer.schedule(
                    self._handler, str(folder), recursive=recursive
                )
            except OSError as exc:
                log.warning("%s: cannot watch this folder: %s", folder, exc.strerror or exc)

    @property
    def watched(self) -> tuple[Path, ...]:
        return tuple(sorted(folder for folder, _ in self._watches))
