"""Rendering planned pages, in this process or in worker processes that share the plan.

Workers are forked after the Site, the Plan and the Jinja environment exist,
so each inherits them (templates compiled once, in the parent) and is handed
only chunk numbers; it renders its pages and writes them straight into the
back tree, returning (path, input digest, output digest, written) tuples.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt

from generator.cable import CableDocument, cable_to_front_matter, read_cable
from generator.errors import BuildError, CablesiteError, ContentError, Problem, ThemeError
from generator.output import write_output
from generator.pages import PageSpec, Plan
from generator.pages_context import cable_context, common_context, page_context
from generator.render import page_from_spec, render_markdown, render_page
from generator.site import Site

log = logging.getLogger(__name__)

CHUNK = 64
IN_PROCESS_LIMIT = 300

# (spec, input digest, output digest already in the back tree or None)
RenderItem = tuple[PageSpec, bytes, bytes | None]
# (relative path, input digest, output digest, written), or a Problem for a page not made
RenderResult = tuple[str, bytes, bytes, bool] | Problem


@dataclass(frozen=True, slots=True)
class RenderJob:
    """Everything a renderer needs; shared with forked workers, never pickled."""

    site: Site
    plan: Plan
    env: jinja2.Environment
    markdown: MarkdownIt
    back_dir: Path


def render_items(
    job: RenderJob,
    items: Sequence[RenderItem],
    *,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[RenderResult]:
    """Render and write every item; in parallel when there is enough work and fork exists."""
    if (
        jobs <= 1
        or len(items) <= IN_PROCESS_LIMIT
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield from _render_range(job, items, 0, len(items), progress)
        return
    yield from _render_parallel(job, items, jobs, progress)


def _render_range(
    job: RenderJob,
    items: Sequence[RenderItem],
    start: int,
    stop: int,
    progress: Callable[[int], None] | None,
) -> Iterator[RenderResult]:
    last: tuple[str, CableDocument | ContentError] | None = None
    for position in range(start, stop):
        spec, input_digest, previous = items[position]
        document: CableDocument | ContentError | None = None
        if spec.kind in {"cable", "cable_json"}:
            if last is None or last[0] != spec.name:
                last = (spec.name, _read(job.site, spec.name))
            document = last[1]
        if isinstance(document, ContentError):
            yield Problem(job.site.cables[spec.name].content_path, None, str(document))
            continue
        data = render_spec(job, spec, document)
        digest, written = write_output(job.back_dir, spec.relpath, data, previous)
        if progress:
            progress(1)
        yield spec.relpath, input_digest, digest, written


def _read(site: Site, cable_id: str) -> CableDocument | ContentError:
    path = Path(site.cables[cable_id].content_path)
    try:
        return read_cable(path)
    except ContentError as exc:
        return exc
    except OSError as exc:
        return ContentError(f"cannot read: {exc.strerror}")


def render_spec(job: RenderJob, spec: PageSpec, document: CableDocument | None) -> bytes:
    """The bytes of one page."""
    site = job.site
    if spec.kind == "cable_json":
        assert document is not None
        data = cable_to_front_matter(document.cable)
        return (json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode(
            "utf-8", "surrogatepass"
        )
    if spec.kind == "cable":
        assert document is not None
        context: dict[str, Any] = cable_context(site, spec, document.cable)
        context["body_html"] = render_markdown(job.markdown, document.body)
        context["original"] = document.original
    else:
        context = page_context(site, job.plan, spec)
    return render_page(job.env, page_from_spec(spec, common_context(site, spec, context)))


def _render_parallel(
    job: RenderJob,
    items: Sequence[RenderItem],
    jobs: int,
    progress: Callable[[int], None] | None,
) -> Iterator[RenderResult]:
    context = multiprocessing.get_context("fork")
    tasks: Any = context.SimpleQueue()
    results: Any = context.SimpleQueue()
    chunks = range(0, len(items), CHUNK)
    for start in chunks:
        tasks.put(start)
    workers = [
        context.Process(target=_worker, args=(job, items, tasks, results), daemon=True)
        for _ in range(min(jobs, len(chunks)))
    ]
    for _ in workers:
        tasks.put(None)
    for worker in workers:
        worker.start()
    finished = 0
    failure: str | None = None
    failure_kind = "build"
    try:
        while finished < len(workers):
            message = results.get()
            if message is None:
                finished += 1
                continue
            kind, payload = message
            if kind == "error":
                failure_kind, failure = payload
                finished += 1
                break
            if progress:
                progress(len(payload))
            yield from payload
    finally:
        if failure is not None:
            for worker in workers:
                worker.terminate()
        for worker in workers:
            worker.join()
    if failure is not None:
        raise ThemeError(failure) if failure_kind == "theme" else BuildError(failure)
    for worker in workers:
        if worker.exitcode not in (0, None):
            raise BuildError(
                f"a render worker died (exit code {worker.exitcode}); the site was not changed"
            )


def _worker(job: RenderJob, items: Sequence[RenderItem], tasks: Any, results: Any) -> None:
    try:
        while True:
            start = tasks.get()
            if start is None:
                break
            batch = list(_render_range(job, items, start, min(start + CHUNK, len(items)), None))
            results.put(("results", batch))
        results.put(None)
    except ThemeError as exc:
        results.put(("error", ("theme", str(exc))))
    except CablesiteError as exc:
        results.put(("error", ("build", str(exc))))
    except Exception:  # a bug: hand the traceback to the parent, which raises it as a BuildError
        results.put(("error", ("build", "a render worker failed:\n" + traceback.format_exc())))
