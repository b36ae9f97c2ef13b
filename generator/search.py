"""Full-text search: Pagefind over the built cable pages, in shards, redone only where needed.

    public/pagefind/shards.json              {"shards": ["1966-2004", "2005-01-2005-06", ...], ...}
    public/pagefind/1966-2004/pagefind.js    one complete Pagefind bundle per shard
    public/pagefind/2005-01-2005-06/...

The build calls `update_search` after every page is in the back tree and
before the swap. Pagefind (the `pagefind` package's binary, found at run
time, never downloaded) indexes what cable.html marks with data-pagefind-*:
subject, id, byline, body and some metadata as text; id, date, origin and
classification for the result list; tag, origin, classification and year as
filters. Nothing else is indexed: only cable pages are handed to Pagefind.

Why shards: Pagefind holds a run's whole index in memory, ~0.3 GiB per 1,000
cable pages (~700 bytes per distinct word of a page; threads, allocator and
markup make no difference). Issue 6 allows the build 1.5 GiB. Before this
stage the build writes its records and lets go of the site and the plan
(build.py, memory.release_memory): it then holds its manifest and the list of
cable pages, 111 MiB at 50,000 cables (it held ~1.07 GiB at 251,287 cables
when it kept them). Cables are grouped by date (plan_shards) into shards of
at most SHARD_PAGES = 2,000 pages, ~0.6 GiB for Pagefind at any archive
size, each indexed by its own Pagefind run; the
search page searches them together (Pagefind's mergeIndex). Grouping by date
keeps shards stable: adding a cable changes its own shard (and, in a month
cut into runs, the runs after it). CABLESITE_SEARCH_SHARD_PAGES in the
environment sets another size (tests use a tiny one).

Why it is incremental: a shard's input digest covers the output digests of
its cable pages (from the build's manifest), its name and the Pagefind
version. A shard whose digest is unchanged keeps its files (from the back
tree, or hard-linked from the live one); only a changed shard is indexed
again, and of its files only those whose bytes changed are written. The
files are entered in the manifest like pages, so the swap, the stale-file
cleanup and the next build treat them like any other output.

Why the bundle is rewritten: Pagefind numbers pages in the order the file
system lists the work folder (hash order on ext4, seeded per file system;
creation order on tmpfs) and writes filters in a per-process random order,
so the same pages gave other bytes on another machine. search_bundle puts
the pages in URL order and the filters in a fixed order; the same cable
pages then give the same bytes on any machine and on every run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.errors import BuildError
from generator.lifetime import tied
from generator.output import Manifest, OutputTrees, link_from_live, output_digest, write_output
from generator.pages import Plan
from generator.search_bundle import canonicalise_bundle
from generator.search_pagefind import find_pagefind, pagefind_version, run_pagefind
from generator.site import Site

log = logging.getLogger(__name__)

SEARCH_DIR = "pagefind"  # the folder of the search bundles, below the output folder
SHARDS_FILE = f"{SEARCH_DIR}/shards.json"
SHARD_PAGES = 2_000  # about 0.6 GiB of memory for Pagefind at 0.3 GiB per 1,000 pages
SHARD_PAGES_VARIABLE = "CABLESITE_SEARCH_SHARD_PAGES"  # the environment may set another size
FORMAT = 1  # bump when the layout of the bundles changes
# What the browser needs of a Pagefind bundle; its ready-made UIs are not used.
KEEP_FILES = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
KEEP_SUFFIXES = (".pagefind", ".pf_meta")
KEEP_FOLDERS = ("index", "filter", "fragment")


@dataclass(frozen=True, slots=True)
class Shard:
    """Cable pages indexed together: name '2009-07-2009-12', '2005', '1966-2004' or 'undated'."""

    name: str
    relpaths: tuple[str, ...]  # 'cable/2009/11/09ROME1240.html', in date order


@dataclass(slots=True)
class SearchReport:
    """What update_search did: shards indexed again, kept, linked; files written; seconds."""

    shards: int = 0
    indexed: list[str] = field(default_factory=list)
    pages_indexed: int = 0
    kept: int = 0
    linked: int = 0
    written: int = 0
    seconds: float = 0.0
    pagefind_peak: int = 0  # bytes: the most memory one Pagefind run of this build took

    def summary(self) -> str:
        again = ", ".join(self.indexed) or "none"
        return (
            f"search: {self.shards} shard(s), indexed again: {again} "
            f"({self.pages_indexed} pages, {self.seconds:.1f}s); {self.kept} kept, "
            f"{self.linked} linked from the live site; {self.written} file(s) written; "
            f"Pagefind peak {self.pagefind_peak >> 20} MiB"
        )


def shard_limit() -> int:
    """SHARD_PAGES, or the page count CABLESITE_SEARCH_SHARD_PAGES sets (a whole number > 0)."""
    text = os.environ.get(SHARD_PAGES_VARIABLE, "").strip()
    if not text:
        return SHARD_PAGES
    if not text.isdigit() or int(text) < 1:
        raise BuildError(
            f"{SHARD_PAGES_VARIABLE}={text!r}: the pages of a search shard must be a whole "
            f"number above 0 (default {SHARD_PAGES}); unset it to use the default"
        )
    return int(text)


def cable_pages(site: Site, plan: Plan) -> list[tuple[str, datetime | None]]:
    """(output path, date) of every cable page, in the planner's (date) order."""
    return [
        (spec.relpath, site.cables[spec.name].created)
        for spec in plan.pages
        if spec.kind == "cable"
    ]


def plan_shards(
    pages: Iterable[tuple[str, datetime | None]], limit: int = SHARD_PAGES
) -> list[Shard]:
    """Group cable pages by date into shards of at most `limit` pages.

    Years are packed in order while they fit together ('1966-2004'); a year
    over the limit is cut into runs of months ('2009-01-2009-04'); a month
    over the limit into numbered runs ('2009-11.1'). Undated cables form
    the shard 'undated'. The same pages always give the same shards.
    """
    by_year: dict[int, list[tuple[str, datetime]]] = {}
    undated: list[str] = []
    for relpath, created in pages:
        if created is None:
            undated.append(relpath)
        else:
            by_year.setdefault(created.year, []).append((relpath, created))
    shards: list[Shard] = []
    packed: list[tuple[str, list[str]]] = []  # (label, relpaths) of small neighbouring buckets
    for year in sorted(by_year):
        items = sorted(by_year[year], key=lambda item: (item[1], item[0]))
        if len(items) <= limit:
            packed.append((f"{year:04d}", [relpath for relpath, _ in items]))
            continue
        by_month: dict[int, list[str]] = {}
        for relpath, created in items:
            by_month.setdefault(created.month, []).append(relpath)
        for month, relpaths in sorted(by_month.items()):
            label = f"{year:04d}-{month:02d}"
            if len(relpaths) <= limit:
                packed.append((label, relpaths))
            else:
                for number, start in enumerate(range(0, len(relpaths), limit), start=1):
                    packed.append((f"{label}.{number}", relpaths[start : start + limit]))
    group: list[tuple[str, list[str]]] = []
    for label, relpaths in packed:
        if group and sum(len(r) for _, r in group) + len(relpaths) > limit:
            shards.append(_shard(group))
            group = []
        if group and len(label) != len(group[0][0]):  # years and months never share a shard
            shards.append(_shard(group))
            group = []
        group.append((label, relpaths))
    if group:
        shards.append(_shard(group))
    if undated:
        shards.append(Shard("undated", tuple(sorted(undated))))
    return shards


def _shard(group: Sequence[tuple[str, list[str]]]) -> Shard:
    first, last = group[0][0], group[-1][0]
    name = first if first == last else f"{first}-{last}"
    return Shard(name, tuple(relpath for _, relpaths in group for relpath in relpaths))


def update_search(
    trees: OutputTrees,
    manifest: Manifest,
    pages: Sequence[tuple[str, datetime | None]],
    *,
    limit: int | None = None,
    keep_stale: bool = False,
    make_room: Callable[[], object] | None = None,
) -> SearchReport:
    """Bring the search bundles of the back tree up to date with its cable pages.

    `manifest` must already hold every cable page (path -> input and output
    digests); the search files are added to it. Files of shards that no
    longer exist are simply left out, so the build's stale-file cleanup
    removes them. With `keep_stale` (the preview server's rebuilds) a shard
    that has files keeps them even if its pages changed: re-indexing takes
    seconds per thousand pages. Its old digest stays in the manifest, so
    the next build without `keep_stale` indexes it again. `make_room` is
    called once, before the first Pagefind run, if there is one.
    """
    started = time.perf_counter()
    report = SearchReport()
    shards = plan_shards(pages, limit or shard_limit())
    report.shards = len(shards)
    binary = find_pagefind() if shards else None
    version = pagefind_version(binary) if binary is not None else ""
    work_dir = trees.back_dir.parent / "search-work"
    live_files, back_files = _files_by_shard(trees.live), _files_by_shard(trees.back)
    try:
        for shard in shards:
            digest = _shard_digest(shard, manifest, version)
            prefix = f"{SEARCH_DIR}/{shard.name}/"
            live, back = live_files.get(prefix, {}), back_files.get(prefix, {})
            if _reuse(trees, live, back, digest, manifest, report, keep_stale=keep_stale):
                continue
            assert binary is not None
            if make_room is not None:
                make_room()
                make_room = None
            _index_shard(binary, trees, shard, digest, prefix, manifest, work_dir, report)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    listing = {
        "format": FORMAT,
        "pagefind": version,
        "shards": [shard.name for shard in shards],
    }
    data = (json.dumps(listing, sort_keys=True, indent=2) + "\n").encode("utf-8")
    previous = trees.back.get(SHARDS_FILE, (b"", None))[1]
    out, written = write_output(trees.back_dir, SHARDS_FILE, data, previous)
    manifest[SHARDS_FILE] = (output_digest(b"shards\0" + data), out)
    report.written += written
    report.seconds = time.perf_counter() - started
    log.info("%s", report.summary())
    return report


def _shard_digest(shard: Shard, manifest: Manifest, version: str) -> bytes:
    hasher = hashlib.blake2b(f"{FORMAT}\0{version}\0{shard.name}\0".encode(), digest_size=16)
    for relpath in shard.relpaths:
        hasher.update(relpath.encode("utf-8", "surrogateescape") + b"\0")
        hasher.update(manifest[relpath][1])
    return hasher.digest()


def _files_by_shard(manifest: Manifest) -> dict[str, Manifest]:
    """The search files of a tree's manifest by shard folder ('pagefind/2005/' -> entries).

    One pass over the manifest, not one per shard: at 251,287 cables that is
    ~770,000 entries for each of 161 shards.
    """
    files: dict[str, Manifest] = {}
    start = len(SEARCH_DIR) + 1
    for relpath, entry in manifest.items():
        if relpath.startswith(SEARCH_DIR + "/"):
            end = relpath.find("/", start)
            if end > 0:
                files.setdefault(relpath[: end + 1], {})[relpath] = entry
    return files


def _reuse(
    trees: OutputTrees,
    live: Manifest,
    back: Manifest,
    digest: bytes,
    manifest: Manifest,
    report: SearchReport,
    *,
    keep_stale: bool = False,
) -> bool:
    """Keep the shard's files if the back tree has them for this digest, or link the live ones.

    `live` and `back` are the shard's entries in the two trees' manifests.
    """
    if keep_stale and live:
        digest = next(iter(live.values()))[0]  # whatever the live tree was indexed from
    if back and all(entry[0] == digest for entry in back.values()):
        manifest.update(back)
        report.kept += 1
        return True
    if not live or any(entry[0] != digest for entry in live.values()):
        return False
    for relpath, entry in live.items():
        if back.get(relpath, (b"", None))[1] != entry[1] and not link_from_live(trees, relpath):
            return False  # the live file is gone: index again
    manifest.update(live)
    report.linked += 1
    return True


def _index_shard(
    binary: Path,
    trees: OutputTrees,
    shard: Shard,
    digest: bytes,
    prefix: str,
    manifest: Manifest,
    work_dir: Path,
    report: SearchReport,
) -> None:
    """Run Pagefind over the shard's pages (hard links in a work folder) into the back tree."""
    shutil.rmtree(work_dir, ignore_errors=True)
    site_dir, bundle_dir = work_dir / "site", work_dir / "bundle"
    for relpath in shard.relpaths:
        target = site_dir / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(trees.back_dir / relpath, target)
        except OSError:
            shutil.copyfile(trees.back_dir / relpath, target)
    # tied: a killed build must not leave Pagefind writing for minutes into the work folder
    command = tied(
        [str(binary), "--site", str(site_dir), "--output-path", str(bundle_dir), "--quiet"]
    )
    started = time.perf_counter()
    returncode, output, peak = run_pagefind(binary, command, work_dir)
    report.pagefind_peak = max(report.pagefind_peak, peak)
    if returncode != 0 or not (bundle_dir / "pagefind-entry.json").is_file():
        tail = "\n".join(output.strip().splitlines()[-5:])
        raise BuildError(
            f"Pagefind failed on the search shard {shard.name} (exit {returncode}): {tail}"
        )
    broken = _incomplete_file(bundle_dir)
    if broken is not None:  # Pagefind exits 0 when it could not write (a full disk)
        disk = os.statvfs(bundle_dir)
        full = disk.f_bavail * disk.f_frsize < 1 << 20
        raise BuildError(
            f"{broken}: cannot write the search index: "
            + ("the disk is full" if full else "Pagefind left this file empty or cut short")
        )
    log.info(
        "search shard %s: %d pages indexed in %.1fs, Pagefind peak %d MiB",
        shard.name,
        len(shard.relpaths),
        time.perf_counter() - started,
        peak >> 20,
    )
    canonicalise_bundle(bundle_dir)
    for path in sorted(_bundle_files(bundle_dir)):
        relpath = prefix + path.relative_to(bundle_dir).as_posix()
        previous = trees.back.get(relpath, (b"", None))[1]
        out, written = write_output(trees.back_dir, relpath, path.read_bytes(), previous)
        manifest[relpath] = (digest, out)
        report.written += written
    report.indexed.append(shard.name)
    report.pages_indexed += len(shard.relpaths)


def _incomplete_file(bundle_dir: Path) -> Path | None:
    """A file of the bundle that Pagefind left empty, or an entry file that is not JSON."""
    for path in _bundle_files(bundle_dir):
        if path.stat().st_size == 0:
            return path
    entry = bundle_dir / "pagefind-entry.json"
    try:
        json.loads(entry.read_bytes())
    except ValueError:
        return entry
    return None


def _bundle_files(bundle_dir: Path) -> Iterable[Path]:
    """The files of a Pagefind bundle that the search page uses."""
    for path in bundle_dir.iterdir():
        if path.is_file() and (path.name in KEEP_FILES or path.name.endswith(KEEP_SUFFIXES)):
            yield path
        elif path.is_dir() and path.name in KEEP_FOLDERS:
            yield from (p for p in path.rglob("*") if p.is_file())
