"""`cablesite build`: the one place that knows the order of the stages, and times each.

    scan content/ (front-matter cache) -> build_site -> plan_pages
      -> decide (page digests vs. the manifests) -> render changed pages (workers)
      -> write into the back tree -> swap it in atomically

A page is rendered only when its input digest (its site data, its templates,
the configuration and the cablesite version) differs from the live site's;
a file is written only when its bytes differ from the back tree's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import generator
from generator.build_cache import scan_content
from generator.build_render import RenderItem, RenderJob, render_items
from generator.config import SiteConfig
from generator.errors import Problem
from generator.output import (
    Manifest,
    OutputTrees,
    commit,
    link_from_live,
    mark_dirty,
    open_output,
    output_digest,
    remove_stale,
    write_output,
)
from generator.pages import plan_pages
from generator.reference_tags import TAGS_PATH, load_tag_info
from generator.render import load_theme, make_environment, make_markdown, template_digests
from generator.search import SEARCH_DIR, cable_pages, update_search
from generator.site import build_site

log = logging.getLogger(__name__)


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
) -> BuildReport:
    """Build the site into out_dir (default: the configured output folder), incrementally."""
    out_dir = Path(out_dir or config.output_dir).absolute()
    jobs = max(1, jobs or os.cpu_count() or 1)
    report = BuildReport(out_dir=out_dir)

    with _stage(report, "scan"):
        scan = scan_content(config.content_dir, config.cache_dir, clean=clean, jobs=jobs)
        report.problems.extend(scan.problems)
        report.parsed = scan.parsed
    with _stage(report, "index"):
        site = build_site(config, scan.cables, load_tag_info())
        report.cables = len(site.cables)
    with _stage(report, "plan"):
        plan = plan_pages(site)
        report.pages = len(plan.pages)
    with _stage(report, "theme"):
        theme = load_theme(config)
        env = make_environment(theme, config)
        templates = {spec.template for spec in plan.pages if spec.template}
        digests = template_digests(env, templates)
        for name in sorted(templates):
            env.get_template(name)  # compiled once here, inherited by every worker
        base = _global_digest(config)
    with _stage(report, "decide"):
        trees = open_output(out_dir, clean=clean)
        manifest: Manifest = {}
        items: list[RenderItem] = []
        links: list[str] = []
        by_path: dict[str, RenderItem] = {}
        for spec in plan.pages:
            digest = hashlib.blake2b(
                spec.digest + digests.get(spec.template, b"") + base, digest_size=16
            ).digest()
            item = (spec, digest, trees.back.get(spec.relpath, (b"", None))[1])
            by_path[spec.relpath] = item
            if _decide(trees, spec.relpath, digest, manifest, links):
                items.append(item)
        statics = _static_files(theme.static_dirs)
        static_todo: list[tuple[str, Path, bytes]] = []
        for relpath, (path, digest) in statics.items():
            if relpath in by_path:
                report.problems.append(
                    Problem(
                        str(path),
                        None,
                        f"static file hides the page {relpath}; the page wins",
                        "warning",
                    )
                )
                continue
            if _decide(trees, relpath, digest, manifest, links):
                static_todo.append((relpath, path, digest))
        report.static_files = len(statics)
        planned = {spec.relpath for spec in plan.pages} | set(statics)
        if config.search:  # search files change only with the cable pages
            planned |= {p for p in trees.live if p.startswith(SEARCH_DIR + "/")}
        unchanged = (
            not items
            and not links
            and not static_todo
            and set(trees.live) <= planned
            and bool(trees.live)
        )
    if unchanged and not clean:
        log.info("nothing changed: %s stays as it is", out_dir)
        return report
    with _stage(report, "render"):
        mark_dirty(trees)
        for relpath in links:
            if link_from_live(trees, relpath):
                report.linked += 1
            else:  # the live file is gone: make it again
                manifest.pop(relpath, None)
                if relpath in by_path:
                    spec, digest, _ = by_path[relpath]
                    items.append((spec, digest, None))
                elif relpath in statics:
                    static_todo.append((relpath, *statics[relpath]))
        job = RenderJob(
            site=site, plan=plan, env=env, markdown=make_markdown(), back_dir=trees.back_dir
        )
        for result in render_items(job, items, jobs=jobs, progress=progress):
            if isinstance(result, Problem):
                report.problems.append(result)
                continue
            relpath, input_digest, digest, written = result
            manifest[relpath] = (input_digest, digest)
            report.rendered += 1
            report.written += written
        for relpath, path, digest in static_todo:
            data = path.read_bytes()
            out, written = write_output(
                trees.back_dir, relpath, data, trees.back.get(relpath, (b"", None))[1]
            )
            manifest[relpath] = (digest, out)
            report.written += written
    if config.search:
        with _stage(report, "search"):
            update_search(trees, manifest, cable_pages(site, plan))
    with _stage(report, "swap"):
        report.removed = remove_stale(trees, manifest)
        commit(trees, manifest)
        report.swapped = True
    return report


def _decide(
    trees: OutputTrees,
    relpath: str,
    digest: bytes,
    manifest: Manifest,
    links: list[str],
) -> bool:
    """Reuse the live file (linking it into the back tree if needed) or the back's; True: render."""
    live = trees.live.get(relpath)
    back = trees.back.get(relpath)
    if live is not None and live[0] == digest:
        manifest[relpath] = live
        if back is None or back[1] != live[1]:
            links.append(relpath)
        return False
    if back is not None and back[0] == digest:
        manifest[relpath] = back
        return False
    return True


def _static_files(static_dirs: tuple[Path, ...]) -> dict[str, tuple[Path, bytes]]:
    """Every static file by output path (the first folder of the chain wins), with a digest."""
    found: dict[str, tuple[Path, bytes]] = {}
    for static_dir in static_dirs:
        for dirpath, dirnames, filenames in os.walk(static_dir):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath, name)
                relpath = path.relative_to(static_dir).as_posix()
                if relpath in found or name.startswith(".tmp-"):
                    continue
                stat = path.stat()
                key = f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode("utf-8", "surrogateescape")
                found[relpath] = (path, output_digest(key))
    return found


def _global_digest(config: SiteConfig) -> bytes:
    """What every page depends on: the configuration, the TAGS table and cablesite's code.

    The code is its modules' bytes, not only the version number: an upgrade (or
    a fix installed under the same version) that changes what a page looks like
    re-renders it (a few milliseconds: the package is about 0.5 MB of source).
    """
    tags = TAGS_PATH.stat()
    text = f"{generator.__version__}|{config!r}|{tags.st_size}:{tags.st_mtime_ns}"
    hasher = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
    for module in sorted(Path(generator.__file__).parent.glob("*.py")):
        hasher.update(module.name.encode() + b"\0" + module.read_bytes())
    return hasher.digest()


@contextmanager
def _stage(report: BuildReport, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        report.timings[name] = time.perf_counter() - started
        log.info("stage %s: %.3fs", name, report.timings[name])
