"""Rendering pages, and the worker processes that parse front matter and render in parallel.

Workers are forked at the start of a build, while the parent is still small
(before the front-matter cache and the Site are loaded), so the archive's
metadata is held once in the process tree, not once per worker. A worker
inherits the Jinja environment (templates compiled once, in the parent) and
its own Markdown parser; everything else arrives in chunks through a queue:

- ("parse", tasks): front matter of changed files -> cache entries;
- ("render", site view, tasks): pages, each with what the planner decided for
  it (a cable page: its CablePageData; other pages: their whole context).
  The worker reads a cable's file itself, renders, writes the page straight
  into the back tree and returns (path, input digest, output digest, written).

The parent keeps a few chunks in flight per worker, so neither memory nor the
pipes fill up, and notices a worker that dies.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt

from generator.build_cache import Entry, ParseTask, parse_one
from generator.build_frontmatter import read_cable_fast
from generator.cable import CableDocument, cable_to_front_matter
from generator.errors import BuildError, CablesiteError, ContentError, Problem, ThemeError
from generator.lifetime import die_with_parent
from generator.output import write_output
from generator.pages import PageSpec
from generator.pages_context import Context, cable_context, common_context
from generator.pages_links import CablePageData
from generator.render import page_from_spec, render_body, render_page
from generator.render_json import to_json

log = logging.getLogger(__name__)

IN_FLIGHT = 3  # chunks queued per worker
WRITER_THREADS = 2  # threads writing the pages of a chunk (render_tasks)
POLL_SECONDS = 1.0

# (spec, input digest, output digest already in the back tree or None, what the page needs):
# CablePageData for a cable page, the content path for its JSON, the context for any other page
RenderTask = tuple[PageSpec, bytes, bytes | None, object]
# (relative path, input digest, output digest, written), or a Problem for a page not made
RenderResult = tuple[str, bytes, bytes, bool] | Problem


@dataclass(frozen=True, slots=True)
class Renderer:
    """What every page render needs, in the parent or a worker: templates, Markdown, the tree."""

    env: jinja2.Environment
    markdown: MarkdownIt
    back_dir: Path


def render_tasks(
    renderer: Renderer,
    site_view: Context,
    tasks: Sequence[RenderTask],
    writer: Executor | None = None,
) -> Iterator[RenderResult]:
    """Render each task and write it, in order; a cable whose file went bad becomes a Problem.

    The cables' files are read, and the pages written, by WRITER_THREADS
    threads while pages render: opening and creating files are system calls
    that can wait on the disk (more so when the machine is busy), and they
    release the GIL. A write that fails raises here, at the end of the chunk.
    A worker process passes its own `writer` threads, started once: a pool
    per chunk cost ~0.7 ms of thread starts and joins, ~1,400 times at 10,000 cables.
    """
    if writer is None:
        with ThreadPoolExecutor(max_workers=WRITER_THREADS) as own_writer:
            yield from render_tasks(renderer, site_view, tasks, own_writer)
        return
    outcomes: list[tuple[str, bytes, Future[tuple[bytes, bool]]] | Problem] = []
    reads: dict[str, Future[CableDocument | ContentError]] = {}
    for spec, _, _, need in tasks:
        if spec.kind in {"cable", "cable_json"}:
            content_path = need.content_path if isinstance(need, CablePageData) else str(need)
            if content_path not in reads:
                reads[content_path] = writer.submit(_read, content_path)
    for spec, input_digest, previous, need in tasks:
        document: CableDocument | None = None
        if spec.kind in {"cable", "cable_json"}:
            content_path = need.content_path if isinstance(need, CablePageData) else str(need)
            read = reads[content_path].result()
            if isinstance(read, ContentError):
                outcomes.append(Problem(content_path, None, str(read)))
                continue
            document = read
        data = render_spec(renderer, site_view, spec, need, document)
        written = writer.submit(write_output, renderer.back_dir, spec.relpath, data, previous)
        outcomes.append((spec.relpath, input_digest, written))
    for outcome in outcomes:
        if isinstance(outcome, Problem):
            yield outcome
            continue
        relpath, input_digest, future = outcome
        digest, was_written = future.result()
        yield relpath, input_digest, digest, was_written


def _read(content_path: str) -> CableDocument | ContentError:
    try:
        return read_cable_fast(Path(content_path))
    except ContentError as exc:
        return exc
    except OSError as exc:
        return ContentError(f"cannot read: {exc.strerror}")


def render_spec(
    renderer: Renderer,
    site_view: Context,
    spec: PageSpec,
    need: object,
    document: CableDocument | None,
) -> bytes:
    """The bytes of one page."""
    if spec.kind == "cable_json":
        assert document is not None
        return to_json(cable_to_front_matter(document.cable)).encode("utf-8", "surrogatepass")
    if spec.kind == "cable":
        assert document is not None and isinstance(need, CablePageData)
        context = cable_context(need, spec, document.cable)
        context["body_html"] = render_body(renderer.markdown, document.body)
        context["original"] = document.original
    else:
        assert isinstance(need, dict)
        context = need
    return render_page(renderer.env, page_from_spec(spec, common_context(site_view, spec, context)))


class WorkerPool:
    """Worker processes for parsing and rendering; a context manager that always reaps them."""

    def __init__(self, renderer: Renderer, jobs: int) -> None:
        context = multiprocessing.get_context("fork")
        self._tasks: Any = context.Queue()
        self._results: Any = context.Queue()
        self._workers = [
            context.Process(
                target=_worker_main,
                args=(renderer, self._tasks, self._results, os.getpid()),
                daemon=True,
            )
            for _ in range(jobs)
        ]
        for worker in self._workers:
            worker.start()

    @property
    def size(self) -> int:
        return len(self._workers)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close(failed=exc_info[0] is not None)

    def parse(
        self, tasks: list[ParseTask], progress: Callable[[int], None] | None = None
    ) -> Iterator[tuple[str, Entry]]:
        """parse_one for every task, in the workers; results in completion order."""
        chunk = max(16, min(256, len(tasks) // (self.size * 8) or 1))
        messages = (("parse", tasks[i : i + chunk]) for i in range(0, len(tasks), chunk))
        for batch in self._run(messages):
            if progress:
                progress(len(batch))
            yield from batch

    def render(
        self,
        site_view: Context,
        chunks: Iterable[list[RenderTask]],
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[RenderResult]:
        """render_tasks for every chunk, in the workers; results in completion order."""
        for batch in self._run(("render", site_view, chunk) for chunk in chunks):
            if progress:
                progress(len(batch))
            yield from batch

    def _run(self, messages: Iterable[tuple[Any, ...]]) -> Iterator[list[Any]]:
        pending = 0
        limit = IN_FLIGHT * self.size
        source = iter(messages)
        exhausted = False
        while True:
            while not exhausted and pending < limit:
                message = next(source, None)
                if message is None:
                    exhausted = True
                    break
                self._tasks.put(message)
                pending += 1
            if pending == 0:
                return
            kind, payload = self._receive()
            if kind == "error":
                failure_kind, text = payload
                raise ThemeError(text) if failure_kind == "theme" else BuildError(text)
            pending -= 1
            yield payload

    def _receive(self) -> tuple[str, Any]:
        while True:
            try:
                result: tuple[str, Any] = self._results.get(timeout=POLL_SECONDS)
                return result
            except queue.Empty:
                dead = [w for w in self._workers if not w.is_alive()]
                if dead:
                    raise BuildError(
                        f"a worker process died (exit code {dead[0].exitcode}); "
                        "the site was not changed"
                    ) from None

    def close(self, *, failed: bool = False) -> None:
        if failed:
            for worker in self._workers:
                worker.terminate()
        else:
            for _ in self._workers:
                self._tasks.put(None)
        for worker in self._workers:
            worker.join()
        self._tasks.close()
        self._results.close()


def _worker_main(renderer: Renderer, tasks: Any, results: Any, parent_pid: int) -> None:
    die_with_parent(parent_pid)
    writer = ThreadPoolExecutor(max_workers=WRITER_THREADS)
    try:
        while True:
            message = tasks.get()
            if message is None:
                break
            if message[0] == "parse":
                results.put(("parsed", [parse_one(task) for task in message[1]]))
            else:
                _, site_view, chunk = message
                results.put(("rendered", list(render_tasks(renderer, site_view, chunk, writer))))
    except ThemeError as exc:
        results.put(("error", ("theme", str(exc))))
    except CablesiteError as exc:
        results.put(("error", ("build", str(exc))))
    except Exception:  # a bug: hand the traceback to the parent, which raises it as a BuildError
        results.put(("error", ("build", "a worker failed:\n" + traceback.format_exc())))
    finally:
        writer.shutdown(wait=True)
        results.close()
        results.join_thread()
