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
.cablesite-cache/cable-records/, one record per content folder (build_records.py).

When what changed of what the indexes know is the subject alone, the rows
of those cables change and with them the pages that show the rows: the
cables' pages that link them, term pages and feeds. build_retitle.py finds
those pages and their new digests from the records, and they are rendered
here with the cables' own pages.

Any doubt (a folder or cable added, removed, broken or renamed; a record
missing or not the one the live page was built from; an index fact other
than a subject changed; a retitled cable on the home page or in the site
feed) and `quick_build` returns None: the full build runs, and it is always
right. Records are written after the swap and before the build's LiveState, so a
build killed in between leaves no state and the next build writes them all.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.build_cache import (
    ContentScan,
    Entry,
    Signature,
    folder_signatures,
    load_folder_cache,
    parse_one,
    save_folder_cache,
)
from generator.build_manifest import open_manifests
from generator.build_plan import Fingerprint, LiveState
from generator.build_records import (
    CableRecord,
    index_view,
    load_records,
    save_records,
)
from generator.build_render import Renderer, RenderTask, render_tasks
from generator.config import SiteConfig
from generator.errors import Problem
from generator.output import (
    Manifest,
    OutputTrees,
    commit,
    forget_live_state,
    link_each,
    link_from_live,
    mark_dirty,
    remove_stale,
    write_live_state,
)
from generator.pages import PageSpec, cable_json_digest, cable_page_digest
from generator.site import CableMeta
from generator.urls import output_relpath

if TYPE_CHECKING:  # imported where used: only a subject edit needs it
    from generator.build_retitle import Retitle

log = logging.getLogger(__name__)

QUICK_FOLDERS = 3  # more changed content folders than this: a full build
QUICK_CABLES = 50


@dataclass(slots=True)
class QuickResult:
    """What a quick build did."""

    parsed: int
    rendered: int
    written: int
    linked: int
    removed: int
    problems: list[Problem]


def quick_build(
    scan: ContentScan,
    state: LiveState,
    fingerprint: Fingerprint,
    cache_dir: Path,
    out_dir: Path,
    make_renderer: Callable[[Path], Renderer],
    search: tuple[str, Callable[[OutputTrees, Manifest], None]] | None = None,
    config: SiteConfig | None = None,
) -> QuickResult | None:
    """Build the changed cables' pages only, or None when a full build is needed.

    `search` is (folder prefix, update): the files under the prefix are left
    to the update, which runs once the pages are in the back tree. With the
    `config`, an edit of subjects alone also goes a short way (build_retitle.py).
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
    signatures: dict[str, dict[str, tuple[Signature, Signature | None]]] = {}
    for folder in changed:
        folder_records = load_records(cache_dir, folder)
        if folder_records is None:
            return _full_build("no page records for a changed folder")
        files = signatures[folder] = folder_signatures(content_dir, folder)
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
    retitled: list[tuple[str, CableRecord, CableMeta]] = []
    parsed: dict[str, Entry] = {}
    for folder, relpath, record, md_sig, txt_sig in todo:
        _, entry = parse_one((str(content_dir), relpath, md_sig, txt_sig))
        parsed[relpath] = entry
        if entry[2] is None:
            return _full_build("a changed cable does not load")
        meta = CableMeta._make(entry[2])
        if index_view(meta) != record.index_view:
            if config is None or not _subject_only(index_view(meta), record.index_view):
                return _full_build("what the indexes know of a cable changed")
            retitled.append((folder, record, meta))
        tasks_meta.append((folder, relpath, record, meta))
    prefix = search[0] if search is not None else None
    view = open_manifests(out_dir, compact=search is None)
    trees = view.trees
    retitle: Retitle | None = None
    if retitled:
        from generator.build_retitle import plan_retitle

        assert config is not None

        def records_of(folder: str) -> dict[str, CableRecord] | None:
            if folder not in records:
                loaded = load_records(cache_dir, folder)
                if loaded is None:
                    return None
                records[folder] = loaded
            return records[folder]

        planned = plan_retitle(
            retitled,
            records_of,
            cache_dir,
            config,
            known,
            lambda relpath: (view.live_entry(relpath) or (None,))[0],
            view.back_output,
        )
        if isinstance(planned, str):
            return _full_build(planned)
        retitle = planned
    # (folder, relpath, record, source key, new meta or None: a cable whose page alone changes)
    pages: list[tuple[str, str, CableRecord, str, CableMeta | None]] = [
        (folder, relpath, record, meta.source_key, meta)
        for folder, relpath, record, meta in tasks_meta
    ]
    if retitle is not None:
        edited = {meta.id for _, _, _, meta in tasks_meta}
        pages = [
            (folder, relpath, retitle.cable_pages.get(new.id, (folder, record))[1], key, new)
            for folder, relpath, record, key, new in pages
            if new is not None
        ]
        pages.extend(
            (folder, f"{folder}/{cable_id}.md", record, record.source_key, None)
            for cable_id, (folder, record) in retitle.cable_pages.items()
            if cable_id not in edited
        )
    tasks: list[RenderTask] = []
    for folder, relpath, record, source_key, new_meta in pages:
        html, json = output_relpath(record.url), output_relpath(record.json_url)
        if (view.live_entry(html) or (b"",))[0] != record.input_digest:
            return _full_build("a page is not the one its record was made for")
        data = record.data._replace(content_path=str(content_dir / relpath))
        html_digest = cable_page_digest(source_key, record.row, record.links)
        cable_id = relpath[len(folder) + 1 : -3]
        tasks.append(
            (
                PageSpec("cable", record.url, html, "cable.html", "", cable_id, 1, html_digest),
                _input(html_digest, state.cable_suffix),
                view.back_output(html),
                data,
            )
        )
        if new_meta is None:  # a page that shows a retitled cable: its file did not change
            continue
        old_json = _input(cable_json_digest(record.source_key), state.json_suffix)
        if (view.live_entry(json) or (b"",))[0] != old_json:
            return _full_build("a JSON page is not the one its record was made for")
        json_digest = cable_json_digest(new_meta.source_key)
        tasks.append(
            (
                PageSpec("cable_json", record.json_url, json, "", "", cable_id, 1, json_digest),
                _input(json_digest, state.json_suffix),
                view.back_output(json),
                data.content_path,
            )
        )
    if retitle is not None:
        tasks.extend(retitle.tasks)
        for relpath, input_digest in retitle.relabels.items():
            view.changes[relpath] = (input_digest, (view.live_entry(relpath) or (b"", b""))[1])
    forget_live_state(out_dir)
    mark_dirty(trees)
    result = QuickResult(len(todo), 0, 0, 0, 0, [])
    to_link = view.to_link(prefix)  # as build_plan._decide
    missing = link_each(lambda path: link_from_live(trees, path), to_link)
    if missing:
        log.info("%s is missing from the live site: a full build", missing[0])
        return None
    result.linked += len(to_link)
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
        _update_folder_cache(
            cache_dir, content_dir, folder, scan.folders[folder], signatures[folder], parsed
        )
    touched = set(changed)
    for folder, relpath, record, source_key, new_meta in pages:
        html = output_relpath(record.url)
        cable_id = relpath[len(folder) + 1 : -3]
        records[folder][cable_id] = record._replace(
            source_key=source_key,
            index_view=index_view(new_meta) if new_meta is not None else record.index_view,
            input_digest=view.changes[html][0],
        )
        touched.add(folder)
    save_records(cache_dir, {folder: records[folder] for folder in touched})
    if retitle is not None:
        from generator.build_retitle import save_retitle

        save_retitle(cache_dir, retitle)
    state.fingerprint = fingerprint
    write_live_state(out_dir, state)
    return result


def _subject_only(new: tuple[object, ...], old: tuple[object, ...]) -> bool:
    """Whether two index views differ in the subject alone (field 1: CableMeta.subject)."""
    return new[:1] + new[2:] == old[:1] + old[2:]


def _full_build(reason: str) -> QuickResult | None:
    """None, after saying why the quick way cannot be taken."""
    log.info("not the quick way: %s", reason)
    return None


def _input(page_digest: bytes, suffix: bytes) -> bytes:
    """The input digest of a page as build.py makes it: page digest + template digest + base."""
    return hashlib.blake2b(page_digest + suffix, digest_size=16).digest()


def _update_folder_cache(
    cache_dir: Path,
    content_dir: Path,
    folder: str,
    key: bytes,
    files: dict[str, tuple[Signature, Signature | None]],
    parsed: dict[str, Entry],
) -> None:
    """Bring the front-matter cache of one folder up to date (the next full build reads it).

    `files` are the folder's signatures as this build found them, `parsed` the
    entries of the files it parsed: neither is read again.
    """
    cached = load_folder_cache(cache_dir, folder)
    old = cached[1] if cached is not None else {}
    entries = {}
    for relpath, (md_sig, txt_sig) in files.items():
        entry = parsed.get(relpath) or old.get(relpath)
        if entry is None or entry[0] != md_sig or entry[1] != txt_sig:
            entry = parse_one((str(content_dir), relpath, md_sig, txt_sig))[1]
        entries[relpath] = entry
    save_folder_cache(cache_dir, folder, key, entries)
