"""`cablesite import` and `cablesite parse`: read sources, parse the cables, refresh content/.

    raw files ─iter_raw_cables─▶ RawCable ─prepare_cable (workers)─▶ PreparedCable
              ─apply_prepared─▶ content/cables/YYYY/MM/ID.md + ID.txt

Reading happens in this process and streams (a 1.7 GB cables.csv is never held
whole). Parsing and rendering run in worker processes that load the reference
tables once each; at most a few chunks of cables are in flight at any time, so
memory stays flat however large the input. Results are applied in source
order, which makes the outcome (including which copy of a duplicated id is
kept: the first) the same on every run and for any number of workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from generator.errors import CablesiteError, Problem
from generator.importer_sources import iter_csv_cables, iter_raw_cables, iter_source_files
from generator.importer_write import (
    ContentIndex,
    ContentWriteError,
    PreparedCable,
    apply_prepared,
    index_content,
    parse_raw_cable,
    prepare_cable,
)
from generator.lifetime import die_with_parent
from generator.parse import ParseResult, RawCable
from generator.reference import ReferenceTables, load_reference_tables

__all__ = [
    "ImportReport",
    "import_sources",
    "iter_csv_cables",
    "iter_parsed_cables",
    "iter_raw_cables",
    "iter_source_files",
]

Progress = Callable[[int], None]

CHUNK_SIZE = 32  # cables per task sent to a worker
CHUNKS_PER_WORKER = 4  # tasks in flight per worker: bounds memory while streaming
# Linux: workers are forked from the importer and die with it (PR_SET_PDEATHSIG)
FORK_WORKERS = sys.platform.startswith("linux")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did. `failed` counts inputs that produced no cable; `skipped` duplicate ids.

    `problems` lists every failure (severity 'error') and every warning (a cable
    imported with warnings, a duplicate skipped), sorted by file and line.
    """

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    problems: tuple[Problem, ...] = ()

    @property
    def imported(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass
class _Tally:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    first_seen: dict[str, str] = field(default_factory=dict)  # id -> 'file:line' of the kept copy

    def count(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def report(self) -> ImportReport:
        return ImportReport(
            new=self.counts.get("new", 0),
            updated=self.counts.get("updated", 0),
            unchanged=self.counts.get("unchanged", 0),
            failed=self.counts.get("failed", 0),
            skipped=self.counts.get("duplicate", 0),
            problems=tuple(sorted(self.problems, key=_problem_order)),
        )


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.message)


def iter_parsed_cables(sources: Iterable[str]) -> Iterator[ParseResult | Problem]:
    """Parse every cable of the sources in this process (`cablesite parse`); nothing is written."""
    tables: ReferenceTables | None = None
    for item in iter_raw_cables(sources):
        if isinstance(item, Problem):
            yield item
            continue
        if tables is None:
            tables = load_reference_tables()
        yield parse_raw_cable(item, tables)


def import_sources(
    sources: Sequence[str],
    into: Path,
    *,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> ImportReport:
    """Parse the cables of the sources and write or refresh content/cables/YYYY/MM/ID.md and ID.txt.

    Unchanged cables are not rewritten (same bytes, same mtime); keys a user
    added to a front matter survive; a cable whose month changed moves, leaving
    no stale copy. A second copy of an id in the same run is reported and
    skipped (the first in source order is kept). Bad input is reported and the
    rest imported. `jobs` is the number of worker processes (default: all cores;
    1 runs everything in this process).
    """
    content_dir = Path(into)
    if content_dir.exists() and not content_dir.is_dir():
        raise CablesiteError(f"{content_dir}: --into must be a folder, and this is a file")
    index = index_content(content_dir)
    tally = _Tally()
    advance = progress or (lambda n: None)
    chunks = _iter_chunks(iter_raw_cables(sources), tally, advance)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise CablesiteError(f"--jobs must be at least 1, not {workers}")
    first = next(chunks, None)
    if first is None:
        return tally.report()
    second = next(chunks, None)
    if workers == 1 or second is None:
        tables = load_reference_tables()
        for chunk in _chain(first, second, chunks):
            prepared = [prepare_cable(raw, tables, content_dir, index) for raw in chunk]
            _apply_chunk(prepared, content_dir, index, tally, advance)
    else:
        _run_parallel(_chain(first, second, chunks), workers, content_dir, index, tally, advance)
    return tally.report()


def _chain(
    first: list[RawCable], second: list[RawCable] | None, rest: Iterator[list[RawCable]]
) -> Iterator[list[RawCable]]:
    yield first
    if second is not None:
        yield second
        yield from rest


def _iter_chunks(
    items: Iterator[RawCable | Problem], tally: _Tally, advance: Progress
) -> Iterator[list[RawCable]]:
    """Group raw cables into chunks; record reading problems as failures on the way."""
    chunk: list[RawCable] = []
    for item in items:
        if isinstance(item, Problem):
            tally.count("failed")
            tally.problems.append(item)
            advance(1)
            continue
        chunk.append(item)
        if len(chunk) == CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _apply_chunk(
    prepared_chunk: list[PreparedCable],
    content_dir: Path,
    index: dict[str, tuple[str, ...]],
    tally: _Tally,
    advance: Progress,
) -> None:
    for prepared in prepared_chunk:
        tally.problems.extend(prepared.problems)
        cable_id = prepared.cable_id
        if cable_id is not None and cable_id in tally.first_seen:
            tally.count("duplicate")
            tally.problems.append(
                Problem(
                    prepared.file,
                    prepared.line,
                    f"duplicate id {cable_id}: already imported from {tally.first_seen[cable_id]}; "
                    "this copy is skipped",
                    "warning",
                )
            )
            continue
        if cable_id is not None:
            tally.first_seen[cable_id] = f"{prepared.file}:{prepared.line}"
        try:
            outcome = apply_prepared(prepared, content_dir, index)
        except ContentWriteError:
            raise  # the disk or the folder: every following cable would fail the same way
        except (OSError, CablesiteError) as exc:
            outcome = "failed"
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            message = f"cannot write the cable: {reason}"
            tally.problems.append(Problem(prepared.file, prepared.line, message))
        tally.count(outcome)
    advance(len(prepared_chunk))


# ---------------------------------------------------------------- worker processes


def _worker_main(
    tasks: Any, results: Any, content_dir: Path, index: ContentIndex, importer_pid: int
) -> None:
    """A worker: load the reference tables once, then prepare chunks until told to stop (None).

    It also stops when the importing process is gone (killed, even by SIGKILL,
    which no handler sees): on Linux the kernel kills it at once; elsewhere it
    notices within a second, as nothing else would ever tell it.
    """
    if FORK_WORKERS:
        die_with_parent(importer_pid)
        _fresh_std_streams()
    try:
        tables = load_reference_tables()
    except CablesiteError as exc:
        results.put((-1, str(exc)))
        return
    while True:
        try:
            task = tasks.get(timeout=1.0)
        except queue.Empty:
            if not is_running(importer_pid):
                results.cancel_join_thread()  # nobody reads the results any more
                return
            continue
        if task is None:
            return
        sequence, chunk = task
        results.put((sequence, [prepare_cable(raw, tables, content_dir, index) for raw in chunk]))


def is_running(pid: int) -> bool:
    """Whether process pid exists and is not a zombie (killed, not yet reaped by its parent)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return True  # no /proc: existing is all we know
    return stat[stat.rfind(")") + 2 : stat.rfind(")") + 3] != "Z"


def _fresh_std_streams() -> None:
    """Give a forked worker stdout and stderr objects of its own, and the log handlers too.

    The importer runs a progress-bar thread that writes to stderr; fork()
    copies the lock of a stream that thread was writing at that moment as
    held for ever, and the worker's first log line would wait on it for ever.
    """
    for name in ("stdout", "stderr"):
        old = getattr(sys, name)
        try:
            fd = old.fileno()
        except (AttributeError, OSError, ValueError):
            continue
        new = open(fd, "w", encoding=old.encoding, errors=old.errors, closefd=False)  # noqa: SIM115
        setattr(sys, name, new)
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is old:
                handler.stream = new


def _context() -> BaseContext:
    """Fork on Linux: no fork server and no resource tracker, which a SIGKILL would orphan.

    Elsewhere forkserver or spawn (fork is unsafe on macOS); those workers
    poll for the importer instead.
    """
    if FORK_WORKERS:
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _run_parallel(
    chunks: Iterator[list[RawCable]],
    workers: int,
    content_dir: Path,
    index: dict[str, tuple[str, ...]],
    tally: _Tally,
    advance: Progress,
) -> None:
    context = _context()
    tasks = context.Queue()
    results = context.Queue()
    processes = [
        context.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(tasks, results, content_dir, dict(index), os.getpid()),
            daemon=True,
        )
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    waiting: dict[int, list[PreparedCable]] = {}
    next_to_apply = 0
    sent = 0
    limit = workers * CHUNKS_PER_WORKER

    def receive_one() -> None:
        nonlocal next_to_apply
        sequence, payload = _get_result(results, processes)
        if sequence < 0:
            raise CablesiteError(f"a worker could not start: {payload}")
        waiting[sequence] = payload
        while next_to_apply in waiting:
            _apply_chunk(waiting.pop(next_to_apply), content_dir, index, tally, advance)
            next_to_apply += 1

    try:
        for chunk in chunks:
            while sent - next_to_apply >= limit:
                receive_one()
            tasks.put((sent, chunk))
            sent += 1
        while next_to_apply < sent:
            receive_one()
        for _ in processes:
            tasks.put(None)
        for process in processes:
            process.join(timeout=10)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
        tasks.close()
        results.close()


def _get_result(results: Any, processes: list[Any]) -> tuple[int, Any]:
    while True:
        try:
            item: tuple[int, Any] = results.get(timeout=1.0)
            return item
        except queue.Empty:
            dead = [p for p in processes if not p.is_alive()]
            if dead:
                raise CablesiteError(
                    f"a worker process stopped unexpectedly (exit code {dead[0].exitcode}); "
                    "run again with --jobs 1 to import in one process"
                ) from None
