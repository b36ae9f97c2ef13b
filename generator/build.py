"""`cablesite build`: the one place that knows the order of the stages, and times each.

    scan content/ (a key per folder) -> nothing changed since the live site? stop
      -> load front matter (cache; changed files parsed by workers) -> build_site
      -> plan_pages -> decide (page digests vs. the manifests)
      -> render changed pages (workers) into the back tree -> swap it in atomically

A page is rendered only when its input digest (its site data, its templates,
the configuration and the cablesite version) differs from the live site's;
a file is written only when its bytes differ from the back tree's. The
build records a fingerprint of all its inputs with the live tree, so a build
whose inputs did not change stops after the scan. A change that touches only
the text of some cables goes the short way of build_quick.py, and one that
changes their subjects too the way of build_retitle.py (the pages that show
their rows); both render from records each full build keeps (build_records.py,
written as the cable pages go to render; build_terms.py), made visible only
once the build has rendered all its pages.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.build_cache import ContentScan, scan_folders
from generator.build_plan import Fingerprint, LiveState
from generator.build_setup import fingerprint_inputs, global_digest, make_renderer
from generator.config import SiteConfig
from generator.errors import Problem
from generator.memory import release_memory
from generator.output import read_live_state
from generator.output_lock import output_lock
from generator.render_theme import load_theme

if TYPE_CHECKING:
    from generator.build_render import Renderer, RenderResult, RenderTask
    from generator.output import Manifest, OutputTrees
    from generator.pages_context import Context

log = logging.getLogger(__name__)

POOL_THRESHOLD = 300  # pages or files: fewer are done in this process


@dataclass(slots=True)
class BuildReport:
    """What a build did: pages planned, rendered, written; problems; seconds per stage."""

    out_dir: Path
    cables: int = 0
    pages: int = 0
    rendered: int = 0
    written: int = 0
    linked: int = 0
    removed: int = 0
    static_files: int = 0
    parsed: int = 0
    swapped: bool = False
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(problem.severity == "error" for problem in self.problems)

    def summary(self) -> str:
        stages = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.timings.items())
        total = sum(self.timings.values())
        state = "site updated" if self.swapped else "site unchanged"
        problems = f"; {len(self.problems)} problem(s)" if self.problems else ""
        return (
            f"{self.cables} cables, {self.pages} pages: {self.rendered} rendered, "
            f"{self.written} written, {self.removed} removed ({state}) in {total:.2f}s "
            f"[{stages}]{problems} -> {self.out_dir}"
        )


def build(
    config: SiteConfig,
    out_dir: Path | None = None,
    *,
    clean: bool = False,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    search_stale: bool = False,
) -> BuildReport:
    """Build the site into out_dir (default: the configured output folder), incrementally.

    `search_stale` keeps the search index of shards whose cables changed as it
    was (cablesite serve: a page reloads in a second, not after Pagefind); the
    next build without it brings the index up to date.
    """
    out_dir = Path(out_dir or config.output_dir).absolute()
    jobs = max(1, jobs or os.cpu_count() or 1)
    with output_lock(out_dir):
        return _build(config, out_dir, clean, jobs, progress, search_stale)


def _build(
    config: SiteConfig,
    out_dir: Path,
    clean: bool,
    jobs: int,
    progress: Callable[[int], None] | None,
    search_stale: bool,
) -> BuildReport:
    """build() with the output folder locked."""
    report = BuildReport(out_dir=out_dir)

    with _stage(report, "scan"):
        theme = load_theme(config)
        scan = scan_folders(config.content_dir)
        fingerprint = fingerprint_inputs(config, theme, scan)
        state = None if clean else read_live_state(out_dir)
        if not isinstance(state, LiveState):
            state = None
    # a preview build may have left the search index behind its pages: this build catches up
    was_stale = getattr(state, "search_stale", False)  # a record of an older cablesite lacks it
    catch_up = was_stale and config.search and not search_stale
    if state is not None and state.fingerprint == fingerprint and not catch_up:
        log.info("nothing changed: %s stays as it is", out_dir)
        report.cables, report.pages = state.cables, state.pages
        report.static_files = state.static_files
        report.problems.extend(state.problems)
        return report
    # Only now the modules that render (Jinja, markdown-it): a build with nothing to do
    # stops above without importing them.
    from generator.build_quick import quick_build

    search = _search_quickly(config, search_stale) if config.search and state is not None else None
    if state is not None and (search is not None or not config.search):
        state.search_stale = search_stale
        with _stage(report, "quick"):
            quick = quick_build(
                scan,
                state,
                fingerprint,
                config.cache_dir,
                out_dir,
                lambda back_dir: make_renderer(theme, config, back_dir, ("cable.html",)),
                search,
                config,
            )
        if quick is not None:
            report.cables, report.pages = state.cables, state.pages
            report.static_files = state.static_files
            report.parsed, report.rendered = quick.parsed, quick.rendered
            report.written, report.linked = quick.written, quick.linked
            report.removed, report.swapped = quick.removed, True
            report.problems.extend(state.problems)
            return report
    # Only now the modules that plan a whole site: a quick build stops above without them.
    from generator.build_cache import load_cables
    from generator.build_plan import (
        decide_pages,
        link_unchanged,
        render_chunks,
        static_files,
        write_statics,
    )
    from generator.build_records import (
        RECORDS_FOLDER,
        CableRecorder,
        cables_to_record,
        record_cable_pages,
        save_search_pages,
    )
    from generator.build_render import WorkerPool
    from generator.build_terms import TERMS_FOLDER, record_terms
    from generator.cable_slugs import load_term_slugs, save_term_slugs
    from generator.output import (
        commit,
        finish_commit,
        forget_live_state,
        mark_dirty,
        open_output,
        remove_stale,
        write_live_state,
    )
    from generator.pages import plan_pages
    from generator.pages_context import site_context
    from generator.reference_tags import load_tag_info
    from generator.render import PAGE_TEMPLATES, template_digests
    from generator.search import SEARCH_DIR, cable_pages, update_search
    from generator.site import build_site, published_slugs

    with _stage(report, "theme"):
        trees = open_output(out_dir, clean=clean)
        renderer = make_renderer(theme, config, trees.back_dir, PAGE_TEMPLATES)
        digests = template_digests(renderer.env, set(PAGE_TEMPLATES))
    big = _expect_much_work(clean, state, fingerprint, scan)
    with ExitStack() as stack:
        pool = stack.enter_context(WorkerPool(renderer, jobs)) if jobs > 1 and big else None
        with _stage(report, "load"):
            loaded = load_cables(
                scan,
                config.cache_dir,
                clean=clean,
                parse_many=pool.parse if pool is not None else None,
            )
            report.problems.extend(loaded.problems)
            report.parsed = loaded.parsed
        with _stage(report, "index"):
            known_slugs, slug_problems = load_term_slugs(config.content_dir)
            report.problems.extend(slug_problems)
            site = build_site(config, loaded.cables, load_tag_info(), known_slugs)
            save_term_slugs(config.content_dir, published_slugs(site, known_slugs))
            report.cables = len(site.cables)
        with _stage(report, "plan"):
            plan = plan_pages(site)
            report.pages = len(plan.pages)
            base = global_digest(config)
        with _stage(report, "decide"):
            todo = decide_pages(trees, plan, static_files(theme.static_dirs), digests, base)
            report.problems.extend(todo.problems)
            report.static_files = len(todo.statics)
            planned = todo.planned
            if config.search:  # search files change only with the cable pages
                planned |= {p for p in trees.live if p.startswith(SEARCH_DIR + "/")}
            unchanged = (
                not todo.items
                and not todo.links
                and not todo.statics
                and trees.live.keys() <= planned
                and bool(trees.live)
                and not catch_up
            )
        new_state = LiveState(
            fingerprint=fingerprint,
            cables=report.cables,
            pages=report.pages,
            static_files=report.static_files,
            problems=list(report.problems),
            site_view=site_context(site),
            cable_suffix=digests.get("cable.html", b"") + base,
            json_suffix=base,
            search_stale=search_stale,
        )
        refresh_records = state is None or not all(
            (config.cache_dir / folder).is_dir() for folder in (RECORDS_FOLDER, TERMS_FOLDER)
        )
        if unchanged and not clean:
            log.info("nothing changed: %s stays as it is", out_dir)
            if refresh_records:
                record_cable_pages(config.cache_dir, config.content_dir, site, plan, todo.manifest)
                record_terms(config.cache_dir, site, plan, digests, base)
            write_live_state(out_dir, new_state)
            return report
        with _stage(report, "render"):
            forget_live_state(out_dir)
            mark_dirty(trees)
            items, report.linked = link_unchanged(trees, todo)
            recorded: set[str] | None = None  # every cable's (no records yet)
            moved: set[str] = set()
            if not refresh_records:
                assert state is not None  # refresh_records when there is none
                known = state.fingerprint.folders
                moved = {f for f, key in scan.folders.items() if known.get(f) != key}
                recorded = cables_to_record(todo, trees.live)
            recorder = CableRecorder(
                config.cache_dir, config.content_dir, site, plan, recorded, moved
            )
            chunks = render_chunks(site, plan, items, recorder.seen)
            if pool is None and len(items) > POOL_THRESHOLD and jobs > 1:
                # a small change that touched many pages
                pool = stack.enter_context(WorkerPool(renderer, jobs))
            assert new_state.site_view is not None
            results = (
                pool.render(new_state.site_view, chunks, progress)
                if pool is not None
                else _render_here(renderer, new_state.site_view, chunks, progress)
            )
            for result in results:
                if isinstance(result, Problem):
                    report.problems.append(result)
                    continue
                relpath, input_digest, digest, written = result
                todo.manifest[relpath] = (input_digest, digest)
                report.rendered += 1
                report.written += written
            report.written += write_statics(trees, todo)
    manifest = todo.manifest

    def keep_records() -> None:
        recorder.finish(manifest)
        record_terms(config.cache_dir, site, plan, digests, base)

    if config.search:
        # Records first, then the site and the plan go: Pagefind runs beside this process,
        # which would otherwise hold them (~1 GiB at 251,287 cables) through the stage. The
        # heap is packed and given back only if Pagefind runs (~1.2 CPU s at 50,000 cables).
        with _stage(report, "record"):
            pages = cable_pages(site, plan)
            save_search_pages(config.cache_dir, pages)
            keep_records()
        del site, plan, loaded, todo, chunks, results, recorder, recorded, moved
        del keep_records, scan, state, items, planned, pool
        with _stage(report, "search"):
            update_search(
                trees,
                manifest,
                pages,
                keep_stale=search_stale,
                make_room=lambda: release_memory([manifest, pages, trees.live, trees.back]),
            )
    with _stage(report, "swap"):
        report.removed = remove_stale(trees, manifest)
        # in path order, as every build keeps it: a quick build then reads the stored form
        commit(trees, dict(sorted(manifest.items())), background=True)
        report.swapped = True
    with _stage(report, "record"):
        if not config.search:  # while a first build links its back tree (commit)
            keep_records()
        finish_commit(trees)  # the back tree of a first build, linked meanwhile
        new_state.problems = list(report.problems)
        write_live_state(out_dir, new_state)
    return report


def _search_quickly(
    config: SiteConfig, keep_stale: bool
) -> tuple[str, Callable[[OutputTrees, Manifest], None]] | None:
    """The search update of a quick build, from the cable pages the last full build saw."""
    from generator.build_records import load_search_pages
    from generator.search import SEARCH_DIR, update_search

    pages = load_search_pages(config.cache_dir)
    if pages is None:
        return None
    known = pages

    def search(trees: OutputTrees, manifest: Manifest) -> None:
        update_search(trees, manifest, known, keep_stale=keep_stale)

    return f"{SEARCH_DIR}/", search


def _render_here(
    renderer: Renderer,
    site_view: Context,
    chunks: Iterator[list[RenderTask]],
    progress: Callable[[int], None] | None,
) -> Iterator[RenderResult]:
    from generator.build_render import render_tasks

    for chunk in chunks:
        results = list(render_tasks(renderer, site_view, chunk))
        if progress:
            progress(len(results))
        yield from results


def _expect_much_work(
    clean: bool, state: LiveState | None, fingerprint: Fingerprint, scan: ContentScan
) -> bool:
    """Whether to start worker processes before loading anything (see build_render)."""
    if clean or state is None or state.fingerprint.others != fingerprint.others:
        return True
    changed = sum(
        1 for folder, key in scan.folders.items() if state.fingerprint.folders.get(folder) != key
    )
    return changed > 3


@contextmanager
def _stage(report: BuildReport, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        report.timings[name] = report.timings.get(name, 0.0) + time.perf_counter() - started
        log.info("stage %s: %.3fs", name, report.timings[name])
