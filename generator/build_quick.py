"""The short way for a build in which only the text of a few cables changed.

If the only inputs that changed since the live site are a few cable files,
and what the indexes know of those cables is unchanged (id, subject, date,
classification, post, tags, addressees, references: the edit was to the body,
the original text or other front matter), then no page can change but those
cables' own HTML and JSON: every other page's digest is made only of what the
indexes know. Such a build needs neither the Site nor a plan. It parses the
changed files, checks the above, and renders the two pages of each cable
from the record the last full build kept of it: its CablePageData and the
digests of its row and links (pages.Plan.cable_parts), in
.cablesite-cache/pages/, one file per content folder.

Any doubt (a folder or cable added, removed, broken or renamed; a record
missing or not the one the live page was built from; an index fact changed)
and `quick_build` returns None: the full build runs, and it is always right.
Records are written after the swap and before the build's LiveState, so a
build killed in between leaves no state and the next build writes them all.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from generator.build_cache import (
    ContentScan,
    folder_signatures,
    load_folder_cache,
    parse_one,
    save_folder_cache,
)
from generator.build_manifest import open_manifests
from generator.build_plan import Fingerprint, LiveState
from generator.build_render import Renderer, RenderTask, render_tasks
from generator.errors import Problem
from generator.output import (
    Manifest,
    OutputTrees,
    commit,
    forget_live_state,
    link_from_live,
    mark_dirty,
    remove_stale,
    write_live_state,
)
from generator.pages import PageSpec, Plan, cable_json_digest, cable_page_digest
from generator.pages_links import CablePageData, cable_page_data
from generator.site import CableMeta, Site
from generator.urls import output_relpath

log = logging.getLogger(__name__)

RECORDS_FOLDER = "pages"
RECORDS_VERSION = 1
QUICK_FOLDERS = 3  # more changed content folders than this: a full build
QUICK_CABLES = 50


class CableRecord(NamedTuple):
    """What the live site's page of one cable was built from."""

    source_key: str
    index_view: tuple[object, ...]  # the CableMeta fields the indexes use (index_view)
    row: bytes
    links: bytes
    input_digest: bytes  # of the HTML page, as in the live manifest
    url: str
    json_url: str
    data: CablePageData


@dataclass(slots=True)
class QuickResult:
    """What a quick build did."""

    parsed: int
    rendered: int
    written: int
    linked: int
    removed: int
    problems: list[Problem]


def index_view(meta: CableMeta) -> tuple[object, ...]:
    """Everything of a CableMeta but where its file is and what its bytes were."""
    return tuple(meta[:9])


def quick_build(
    scan: ContentScan,
    state: LiveState,
    fingerprint: Fingerprint,
    cache_dir: Path,
    out_dir: Path,
    make_renderer: Callable[[Path], Renderer],
    search: tuple[str, Callable[[OutputTrees, Manifest], None]] | None = None,
) -> QuickResult | None:
    """Build the changed cables' pages only, or None when a full build is needed.

    `search` is (folder prefix, update): the files under the prefix are left
    to the update, which runs once the pages are in the back tree.
    """
    if fingerprint.others != state.fingerprint.others or state.site_view is None:
        return _full_build("the theme, configuration or code changed")
    known = state.fingerprint.folders
    if known.keys() != scan.folders.keys():
        return _full_build("a content folder was added or removed")
    changed = [folder for folder, key in scan.folders.items() if known[folder] != key]
    if not changed or len(changed) > QUICK_FOLDERS:
        return _full_build("too many folders changed")
    content_dir = scan.content_dir
    records: dict[str, dict[str, CableRecord]] = {}
    todo: list[tuple[str, str, CableRecord, tuple[int, int, int], tuple[int, int, int] | None]] = []
    for folder in changed:
        folder_records = load_records(cache_dir, folder)
        if folder_records is None:
            return _full_build("no page records for a changed folder")
        files = folder_signatures(content_dir, folder)
        stems = {relpath[len(folder) + 1 : -3]: relpath for relpath in files}
        if stems.keys() != folder_records.keys():
            return _full_build("a cable was added or removed")
        for cable_id, relpath in stems.items():
            md_sig, txt_sig = files[relpath]
            record = folder_records[cable_id]
            if record.source_key != f"{md_sig}{txt_sig}":
                todo.append((folder, relpath, record, md_sig, txt_sig))
        records[folder] = folder_records
    if len(todo) > QUICK_CABLES:
        return _full_build("too many cables changed")
    tasks_meta: list[tuple[str, str, CableRecord, CableMeta]] = []
    for folder, relpath, record, md_sig, txt_sig in todo:
        _, entry = parse_one((str(content_dir), relpath, md_sig, txt_sig))
        if entry[2] is None:
            return _full_build("a changed cable does not load")
        meta = CableMeta._make(entry[2])
        if index_view(meta) != record.index_view:
            return _full_build("what the indexes know of a cable changed")
        tasks_meta.append((folder, relpath, record, meta))
    prefix = search[0] if search is not None else None
    view = open_manifests(out_dir, compact=search is None)
    trees = view.trees
    tasks: list[RenderTask] = []
    for _, relpath, record, meta in tasks_meta:
        html, json = output_relpath(record.url), output_relpath(record.json_url)
        old_json = _input(cable_json_digest(record.source_key), state.json_suffix)
        if (view.live_entry(html) or (b"",))[0] != record.input_digest:
            return _full_build("a page is not the one its record was made for")
        if (view.live_entry(json) or (b"",))[0] != old_json:
            return _full_build("a JSON page is not the one its record was made for")
        data = record.data._replace(content_path=str(content_dir / relpath))
        html_digest = cable_page_digest(meta.source_key, record.row, record.links)
        json_digest = cable_json_digest(meta.source_key)
        tasks.append(
            (
                PageSpec("cable", record.url, html, "cable.html", "", meta.id, 1, html_digest),
                _input(html_digest, state.cable_suffix),
                view.back_output(html),
                data,
            )
        )
        tasks.append(
            (
                PageSpec("cable_json", record.json_url, json, "", "", meta.id, 1, json_digest),
                _input(json_digest, state.json_suffix),
                view.back_output(json),
                data.content_path,
            )
        )
    forget_live_state(out_dir)
    mark_dirty(trees)
    result = QuickResult(len(todo), 0, 0, 0, 0, [])
    for path in view.to_link(prefix):  # as build_plan._decide
        if not link_from_live(trees, path):
            log.info("%s is missing from the live site: a full build", path)
            return None
        result.linked += 1
    renderer = make_renderer(trees.back_dir)
    for outcome in render_tasks(renderer, state.site_view, tasks):
        if isinstance(outcome, Problem):
            return None  # the file changed again while we read it: a full build
        path, input_digest, digest, written = outcome
        view.changes[path] = (input_digest, digest)
        result.rendered += 1
        result.written += written
    manifest = view.manifest(prefix)
    if isinstance(manifest, dict):  # the compact form holds the paths of both trees
        if search is not None:
            search[1](trees, manifest)  # the changed pages' search shard is indexed again
        result.removed = remove_stale(trees, manifest)
    commit(trees, manifest)
    for folder in changed:
        _update_folder_cache(cache_dir, content_dir, folder, scan.folders[folder])
    for folder, _, record, meta in tasks_meta:
        html = output_relpath(record.url)
        records[folder][meta.id] = record._replace(
            source_key=meta.source_key, input_digest=view.changes[html][0]
        )
    for folder in changed:
        save_records(cache_dir, folder, records[folder])
    state.fingerprint = fingerprint
    write_live_state(out_dir, state)
    return result


def _full_build(reason: str) -> QuickResult | None:
    """None, after saying why the quick way cannot be taken."""
    log.info("not the quick way: %s", reason)
    return None


def _input(page_digest: bytes, suffix: bytes) -> bytes:
    """The input digest of a page as build.py makes it: page digest + template digest + base."""
    return hashlib.blake2b(page_digest + suffix, digest_size=16).digest()


def _update_folder_cache(cache_dir: Path, content_dir: Path, folder: str, key: bytes) -> None:
    """Bring the front-matter cache of one folder up to date (the next full build reads it)."""
    cached = load_folder_cache(cache_dir, folder)
    old = cached[1] if cached is not None else {}
    entries = {}
    for relpath, (md_sig, txt_sig) in folder_signatures(content_dir, folder).items():
        entry = old.get(relpath)
        if entry is None or entry[0] != md_sig or entry[1] != txt_sig:
            entry = parse_one((str(content_dir), relpath, md_sig, txt_sig))[1]
        entries[relpath] = entry
    save_folder_cache(cache_dir, folder, key, entries)


def record_cable_pages(
    cache_dir: Path,
    content_dir: Path,
    site: Site,
    plan: Plan,
    manifest: Manifest,
    cable_ids: Iterable[str] | None = None,
) -> None:
    """Keep the record of the live pages of the given cables (None: of every cable).

    A folder whose records are updated loses the records of cables it no
    longer holds.
    """
    root = f"{content_dir}{os.sep}"
    folder_of = {
        cable_id: os.path.dirname(meta.content_path[len(root) :])
        for cable_id, meta in site.cables.items()
        if meta.content_path.startswith(root)
    }
    by_folder: dict[str, list[str]] = {}
    for cable_id in site.cables if cable_ids is None else cable_ids:
        if cable_id in folder_of:
            by_folder.setdefault(folder_of[cable_id], []).append(cable_id)
    for folder, ids in by_folder.items():
        kept = {} if cable_ids is None else (load_records(cache_dir, folder) or {})
        folder_records = {k: v for k, v in kept.items() if folder_of.get(k) == folder}
        for cable_id in ids:
            meta = site.cables[cable_id]
            url = site.urls[cable_id]
            entry = manifest.get(output_relpath(url))
            if entry is None:
                folder_records.pop(cable_id, None)
                continue
            data = cable_page_data(site, meta)
            row, links = plan.cable_parts[cable_id]
            folder_records[cable_id] = CableRecord(
                meta.source_key, index_view(meta), row, links, entry[0], url, data.json_url, data
            )
        save_records(cache_dir, folder, folder_records)


def _records_path(cache_dir: Path, folder: str) -> Path:
    name = hashlib.blake2b(folder.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
    return cache_dir / RECORDS_FOLDER / f"{name}.pickle"


def load_records(cache_dir: Path, folder: str) -> dict[str, CableRecord] | None:
    """The records of one content folder, or None if there are none (or they are unreadable)."""
    try:
        data = pickle.loads(_records_path(cache_dir, folder).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
        return None
    if not isinstance(data, tuple) or len(data) != 3 or data[:2] != (RECORDS_VERSION, folder):
        return None
    records: dict[str, CableRecord] = data[2]
    return records


def save_records(cache_dir: Path, folder: str, records: dict[str, CableRecord]) -> None:
    path = _records_path(cache_dir, folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(
            pickle.dumps((RECORDS_VERSION, folder, records), protocol=pickle.HIGHEST_PROTOCOL)
        )
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("%s: cannot keep the page records (%s)", path, exc.strerror)


SEARCH_PAGES_FILE = "search-pages.pickle"


def save_search_pages(cache_dir: Path, pages: list[tuple[str, datetime | None]]) -> None:
    """Keep the (path, date) of every cable page: a quick build gives them to search.py."""
    path = cache_dir / SEARCH_PAGES_FILE
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps((RECORDS_VERSION, pages), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("%s: cannot keep the list of cable pages (%s)", path, exc.strerror)


def load_search_pages(cache_dir: Path) -> list[tuple[str, datetime | None]] | None:
    """What save_search_pages kept, or None."""
    try:
        data = pickle.loads((cache_dir / SEARCH_PAGES_FILE).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
        return None
    if not isinstance(data, tuple) or len(data) != 2 or data[0] != RECORDS_VERSION:
        return None
    pages: list[tuple[str, datetime | None]] = data[1]
    return pages
