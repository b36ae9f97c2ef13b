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

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.build_render import RenderTask
from generator.errors import Problem
from generator.output import output_digest
from generator.pages import PageSpec, Plan, cable_page_data
from generator.pages_context import page_context
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
    """What the build that made the live tree read, and what it reported."""

    fingerprint: Fingerprint
    cables: int
    pages: int
    static_files: int
    problems: list[Problem] = field(default_factory=list)


def render_chunks(
    site: Site, plan: Plan, items: Sequence[tuple[PageSpec, bytes, bytes | None]]
) -> Iterator[list[RenderTask]]:
    """The pages to render, in chunks of about CHUNK_COST, each with what it needs."""
    chunk: list[RenderTask] = []
    cost = 0
    cables = site.cables
    for spec, digest, previous in items:
        need: object
        if spec.kind == "cable":
            need = cable_page_data(site, cables[spec.name])
        elif spec.kind == "cable_json":
            need = cables[spec.name].content_path
        else:
            need = page_context(site, plan, spec)
        chunk.append((spec, digest, previous, need))
        cost += PAGE_COST.get(spec.kind, 6)
        if cost >= CHUNK_COST:
            yield chunk
            chunk, cost = [], 0
    if chunk:
        yield chunk


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
