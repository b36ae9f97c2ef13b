"""The build planner's bookkeeping: fingerprints of a build's inputs, and the render chunks.

`Fingerprint` and `LiveState` are what a build records with the live tree
(output.write_live_state): a key per content folder plus one digest for
everything else (configuration, theme files, TAGS table, cablesite version).
When a build finds the same fingerprint, it stops after the scan.

`render_chunks` turns the pages to render into chunks for the workers, giving
each page what the planner decided for it (pages.cable_page_data for a cable
page, the whole context for any other), lazily, so the parent never holds the
contexts of more than a few chunks.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import Problem
from generator.output import (
    Manifest,
    OutputTrees,
    link_each,
    link_from_live,
    output_digest,
    write_output,
)

if TYPE_CHECKING:  # build.py reads a LiveState before it knows whether to plan or render
    from generator.build_render import RenderTask
    from generator.pages import PageSpec, Plan
    from generator.pages_links import CablePageData, Row
    from generator.site import Site

CHUNK_COST = 48  # about 12 cable pages with their JSON, or 8 full term pages
PAGE_COST = {"cable": 3, "cable_json": 1, "feed": 1, "robots": 1, "not_found": 1}


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The inputs of a build: one key per content folder, one digest for all the rest."""

    others: bytes
    folders: dict[str, bytes]


@dataclass(slots=True)
class LiveState:
    """What the build that made the live tree read, and what it reported.

    `site_view`, `cable_suffix` and `json_suffix` (what build.py adds to a
    cable page's and a JSON page's digest: template digest and global digest)
    let build_quick.py render a cable's pages without the Site.
    """

    fingerprint: Fingerprint
    cables: int
    pages: int
    static_files: int
    problems: list[Problem] = field(default_factory=list)
    site_view: dict[str, object] | None = None
    cable_suffix: bytes = b""
    json_suffix: bytes = b""
    search_stale: bool = False  # built with build(search_stale=True): the index may lag


@dataclass(slots=True)
class Decisions:
    """The decisions of one build: pages to render, files to link from live, the new manifest."""

    manifest: Manifest
    items: list[tuple[PageSpec, bytes, bytes | None]]  # (spec, input digest, back's output)
    links: list[str]  # files the back tree must take from the live tree
    by_path: dict[str, tuple[PageSpec, bytes, bytes | None]]
    statics: dict[str, tuple[Path, bytes]]
    static_todo: list[tuple[str, Path, bytes]]
    planned: set[str]
    problems: list[Problem]


def decide_pages(
    trees: OutputTrees,
    plan: Plan,
    statics: dict[str, tuple[Path, bytes]],
    template_digests: dict[str, bytes],
    base: bytes,
) -> Decisions:
    """Every page's input digest against the manifests: render it, link it or keep it.

    A page's input digest is its plan digest, its template's digest and `base`
    (configuration, TAGS table, cablesite's code).
    """
    todo = Decisions({}, [], [], {}, statics, [], set(), [])
    back = trees.back
    blake2b = hashlib.blake2b
    for spec in plan.pages:
        digest = blake2b(
            spec.digest + template_digests.get(spec.template, b"") + base, digest_size=16
        ).digest()
        item = (spec, digest, back.get(spec.relpath, (b"", None))[1])
        todo.by_path[spec.relpath] = item
        if _decide(trees, spec.relpath, digest, todo.manifest, todo.links):
            todo.items.append(item)
    for relpath, (path, digest) in statics.items():
        if relpath in todo.by_path:
            message = f"static file hides the page {relpath}; the page wins"
            todo.problems.append(Problem(str(path), None, message, "warning"))
            continue
        if _decide(trees, relpath, digest, todo.manifest, todo.links):
            todo.static_todo.append((relpath, path, digest))
    todo.planned = set(todo.by_path) | set(statics)
    return todo


def _decide(
    trees: OutputTrees, relpath: str, digest: bytes, manifest: Manifest, links: list[str]
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


def link_unchanged(
    trees: OutputTrees, todo: Decisions
) -> tuple[list[tuple[PageSpec, bytes, bytes | None]], int]:
    """Hard-link the live files the back tree lacks; (pages to render, files linked).

    A file the live tree has lost cannot be linked: it is made again.
    """
    items = todo.items
    lost = link_each(lambda relpath: link_from_live(trees, relpath), todo.links)
    linked = len(todo.links) - len(lost)
    for relpath in lost:
        todo.manifest.pop(relpath, None)
        if relpath in todo.by_path:
            spec, digest, _ = todo.by_path[relpath]
            items.append((spec, digest, None))
        elif relpath in todo.statics:
            todo.static_todo.append((relpath, *todo.statics[relpath]))
    return items, linked


def write_statics(trees: OutputTrees, todo: Decisions) -> int:
    """Copy the static files to (re)write into the back tree; how many were written."""
    written = 0
    for relpath, path, digest in todo.static_todo:
        out, was_written = write_output(
            trees.back_dir, relpath, path.read_bytes(), trees.back.get(relpath, (b"", None))[1]
        )
        todo.manifest[relpath] = (digest, out)
        written += was_written
    return written


def render_chunks(
    site: Site,
    plan: Plan,
    items: Sequence[tuple[PageSpec, bytes, bytes | None]],
    on_cable: Callable[[str, bytes, CablePageData], None] | None = None,
) -> Iterator[list[RenderTask]]:
    """The pages to render, in chunks of about CHUNK_COST, each with what it needs.

    `on_cable` is told the input digest and data of each cable page as it goes
    (build_records.CableRecorder keeps them, instead of computing them again).
    """
    from generator.pages_context import page_context
    from generator.pages_links import cable_page_data

    chunk: list[RenderTask] = []
    cost = 0
    cables = site.cables
    known: dict[str, Row] = {}  # the listing row of each cable met: one Row per cable
    for index, (spec, digest, previous) in enumerate(items):
        need: object
        if spec.kind == "cable":
            need = cable_page_data(site, cables[spec.name])
            if on_cable is not None:
                on_cable(spec.name, digest, need)
        elif spec.kind == "cable_json":
            need = cables[spec.name].content_path
        else:
            need = page_context(site, plan, spec, known)
        chunk.append((spec, digest, previous, need))
        cost += PAGE_COST.get(spec.kind, 6)
        if cost >= CHUNK_COST and not _twin_follows(items, index):
            yield chunk
            chunk, cost = [], 0
    if chunk:
        yield chunk


def _twin_follows(items: Sequence[tuple[PageSpec, bytes, bytes | None]], index: int) -> bool:
    """Whether items[index] is a cable page whose JSON twin comes next (one read of its file)."""
    spec = items[index][0]
    if spec.kind != "cable" or index + 1 >= len(items):
        return False
    following = items[index + 1][0]
    return following.kind == "cable_json" and following.name == spec.name


def static_files(static_dirs: tuple[Path, ...]) -> dict[str, tuple[Path, bytes]]:
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
