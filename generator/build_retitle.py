"""The short way for an edit that changes a cable's subject: only the pages that show its row.

A cable's subject is in its listing row (id, link, subject, date, post,
classification), and the row is shown by: the cable's own page; the pages
of the cables it cites, that cite it, and its neighbours from its post; the
term pages that list it (and page 1 of each of its terms, whose digest
covers every row of the term); and the feeds of its terms when it is among
their latest. When the subject is all that changed of what the indexes know
(no term gains or loses a cable, no list changes order), those are the only
pages whose digests change: this module recomputes their digests from what
the last full build kept, and gives build_quick.py the pages to render.

What it reads was kept by the last full build: the page records of
build_records.py (which keep, per cable, its own row and the parts of its
links digest) and the term records of build_terms.py (per term: pagination,
head, the row digests of its cables, what its pages show of their dates; and
the SiteNotes: the cables on the home page and in the site feed, whose
subject edit goes the full way, listing and term URLs, template digests).

Every digest recomputed here is checked first against the live manifest
with the old rows: a record that is not the one the live page was built from
means a full build. Rendering uses a Site that holds only the cables of the
pages rendered (their metadata from the front-matter cache), and TermDates
for what a term page shows of all its cables.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.build_cache import load_folder_cache
from generator.build_pack import load_pickle
from generator.build_terms import (
    NOTES_FILE,
    TERMS_FOLDER,
    TERMS_VERSION,
    SiteNotes,
    TermRecord,
    TermRecords,
    save_terms,
)
from generator.config import SiteConfig
from generator.pages import (
    PageSpec,
    Plan,
    cable_page_digest,
    term_feed_digest,
    term_page_digest,
)
from generator.pages_context import feed_context, term_context
from generator.pages_links import hash_parts, row_digest
from generator.site import CableMeta, Index, Site, Term
from generator.urls import cable_url, feed_url, output_relpath

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Retitle:
    """What a subject edit changes: cable pages (with their records patched), term pages, feeds."""

    cable_pages: dict[str, tuple[str, Any]]  # cable id -> (content folder, patched CableRecord)
    tasks: list[tuple[PageSpec, bytes, bytes | None, object]]  # term pages and feeds (RenderTask)
    terms: dict[tuple[str, str], TermRecord] = field(default_factory=dict)  # patched
    # pages whose digest changes but not their bytes: page 1 of a term when the changed
    # rows are on other pages (it shows its own rows, the term's dates and page labels)
    relabels: dict[str, bytes] = field(default_factory=dict)  # relpath -> new input digest
    caches: dict[str, Any] = field(default_factory=dict)  # front-matter caches read


def plan_retitle(
    edits: list[tuple[str, Any, CableMeta]],
    records: Any,
    cache_dir: Path,
    config: SiteConfig,
    live_keys: Mapping[str, bytes],
    live_input: Any,
    back_output: Any,
) -> Retitle | str:
    """The pages to render after subject edits, or why the full build must run.

    `edits` are (content folder, the cable's CableRecord, its new CableMeta)
    for cables whose index view changed in the subject alone; `records(folder)`
    gives a folder's CableRecords (or None); `live_keys` are the content folder
    keys the live site was built from; `live_input(relpath)` is a live page's
    input digest (or None), `back_output(relpath)` the back tree's output digest.
    """
    notes = load_pickle(cache_dir / TERMS_FOLDER / NOTES_FILE, tuple)
    if not notes or notes[0] != TERMS_VERSION or not isinstance(notes[1], SiteNotes):
        return "no term records"
    site_notes: SiteNotes = notes[1]
    changed: dict[str, tuple[bytes, bytes, tuple[object, ...]]] = {}
    swaps: dict[bytes, bytes] = {}
    for _, record, meta in edits:
        if meta.id in site_notes.latest:
            return "a retitled cable is on the home page or in the site feed"
        if row_digest(record.row_data) != record.row:
            return "a page record does not add up"
        new_row = (*record.row_data[:2], meta.subject, *record.row_data[3:])
        changed[meta.id] = (record.row, row_digest(new_row), new_row)
        swaps[record.row] = changed[meta.id][1]
    pages: dict[str, tuple[str, Any]] = {meta.id: (at, record) for at, record, meta in edits}
    for _, record, _ in edits:
        for shown_id, shown_folder in record.link_folders.items():
            if shown_id not in pages:
                folder_records = records(shown_folder)
                if folder_records is None or shown_id not in folder_records:
                    return "no page record for a cable that shows a retitled one"
                pages[shown_id] = (shown_folder, folder_records[shown_id])
    retitle = Retitle({}, [])
    for cable_id, (folder, record) in pages.items():
        if hash_parts(*record.link_parts) != record.links:
            return "a page record does not add up"
        parts = (record.link_parts[0], *(_swap(part, swaps) for part in record.link_parts[1:]))
        data = record.data._replace(links=_patch_links(record.data.links, changed))
        row, row_data = record.row, record.row_data
        if cable_id in changed:
            _, row, row_data = changed[cable_id]
            data = data._replace(subject=row_data[2])
        patched = record._replace(
            row=row, row_data=row_data, links=hash_parts(*parts), link_parts=parts, data=data
        )
        retitle.cable_pages[cable_id] = (folder, patched)
    positions: dict[tuple[str, str], list[int]] = {}
    term_records = TermRecords(cache_dir)
    for _, record, meta in edits:
        for key in _terms_of(meta, site_notes.kinds):
            term_record = retitle.terms.get(key) or term_records.load(key)
            if term_record is None or meta.id not in term_record.term.cable_ids:
                return "no term record for a term of a retitled cable"
            position = term_record.term.cable_ids.index(meta.id)
            if term_record.every[16 * position : 16 * position + 16] != record.row:
                return "a term record is not the one its pages were built from"
            retitle.terms[key] = term_record
            positions.setdefault(key, []).append(position)
    for key, found in positions.items():
        reason = _term_tasks(
            retitle,
            key,
            found,
            swaps,
            site_notes,
            config,
            cache_dir,
            live_keys,
            live_input,
            back_output,
            {cable_id: meta for _, _, meta in edits for cable_id in [meta.id]},
        )
        if reason:
            return reason
    return retitle


def _term_tasks(
    retitle: Retitle,
    key: tuple[str, str],
    found: list[int],
    swaps: Mapping[bytes, bytes],
    notes: SiteNotes,
    config: SiteConfig,
    cache_dir: Path,
    live_keys: Mapping[str, bytes],
    live_input: Any,
    back_output: Any,
    edited: Mapping[str, CableMeta],
) -> str | None:
    """Add the term's pages and feed that show the changed rows; a reason to stop, or None."""
    record = retitle.terms[key]
    every = _swap(record.every, swaps)
    retitle.terms[key] = record._replace(every=every)
    term, slices = record.term, record.slices
    ids = term.cable_ids
    todo: list[tuple[PageSpec, bytes, bytes]] = []  # spec, old input digest, new one
    suffix = notes.suffixes.get("term.html", b"")
    for number, page in enumerate(slices, start=1):
        shows = any(page.start <= at < page.stop for at in found)
        if number != 1 and not shows:
            continue
        relpath = output_relpath(page.url)
        old = _input(term_page_digest(record.head, page, number, record.every), suffix)
        new = term_page_digest(record.head, page, number, every)
        if not shows:
            if live_input(relpath) != old:
                return "a term page is not the one its record was made for"
            retitle.relabels[relpath] = _input(new, suffix)
            continue
        spec = PageSpec("term", page.url, relpath, "term.html", key[0], key[1], number, new)
        todo.append((spec, old, _input(new, suffix)))
    feed_size = config.feed_size
    if feed_size and any(at >= len(ids) - feed_size for at in found):
        url = feed_url(term.url)
        suffix = notes.suffixes.get("feed.xml", b"")
        old = _input(term_feed_digest(record.head, record.every, feed_size), suffix)
        new = term_feed_digest(record.head, every, feed_size)
        spec = PageSpec("feed", url, output_relpath(url), "feed.xml", key[0], key[1], 1, new)
        todo.append((spec, old, _input(new, suffix)))
    shown: set[int] = set()
    for spec, old, _ in todo:
        if live_input(spec.relpath) != old:
            return "a term page is not the one its record was made for"
        if spec.kind == "feed":
            shown.update(range(max(0, len(ids) - feed_size), len(ids)))
        else:
            page = slices[spec.number - 1]
            shown.update(range(page.start, page.stop))
    metas = _metas(cache_dir, live_keys, record, sorted(shown), edited, retitle.caches)
    if metas is None:
        return "the front-matter cache does not hold a listed cable"
    site = _partial_site(config, notes, record, metas)
    plan = Plan(pages=(), pagination={key: list(slices)}, sitemaps={})
    for spec, _, input_digest in todo:
        context = (
            feed_context(site, spec)
            if spec.kind == "feed"
            else term_context(site, plan, spec, dates=record.dates)
        )
        retitle.tasks.append((spec, input_digest, back_output(spec.relpath), context))
    return None


def _metas(
    cache_dir: Path,
    live_keys: Mapping[str, bytes],
    record: TermRecord,
    positions: Iterable[int],
    edited: Mapping[str, CableMeta],
    caches: dict[str, Any],
) -> dict[str, CableMeta] | None:
    """The CableMeta of the term's cables at the positions, from the front-matter cache."""
    metas: dict[str, CableMeta] = {}
    for position in positions:
        cable_id, folder = record.term.cable_ids[position], record.folders[position]
        if cable_id in edited:
            metas[cable_id] = edited[cable_id]
            continue
        if folder not in caches:
            caches[folder] = load_folder_cache(cache_dir, folder)
            if caches[folder] is None or caches[folder][0] != live_keys.get(folder):
                return None
        entry = caches[folder][1].get(f"{folder}/{cable_id}.md")
        if entry is None or entry[2] is None:
            return None
        metas[cable_id] = CableMeta._make(entry[2])
    return metas


def _partial_site(
    config: SiteConfig, notes: SiteNotes, record: TermRecord, metas: dict[str, CableMeta]
) -> Site:
    """A Site that holds what term_context and feed_context read for this term's pages."""
    indexes: dict[str, Index] = {}
    urls_of = {"origin": notes.origin_urls, "classification": notes.classification_urls}
    for kind, urls in urls_of.items():
        if kind in notes.kinds:
            terms = {name: Term(kind, name, "", url, name, ()) for name, url in urls.items()}
            indexes[kind] = Index(kind, terms, notes.listing_urls.get(kind))
    if "year" in notes.kinds:
        indexes.setdefault("year", Index("year", {}, notes.listing_urls.get("year")))
    term = record.term
    own = dict(indexes[term.kind].terms) if term.kind in indexes else {}
    own[term.name] = term
    indexes[term.kind] = Index(term.kind, own, notes.listing_urls.get(term.kind))
    urls = {
        cable_id: cable_url(config.permalinks, cable_id, meta.created)
        for cable_id, meta in metas.items()
    }
    tag_info = {term.name: record.tag_info} if record.tag_info is not None else {}
    return Site(config, metas, urls, indexes, {}, {}, tag_info)


def _terms_of(meta: CableMeta, kinds: Iterable[str]) -> list[tuple[str, str]]:
    """(kind, name) of every term that lists the cable (as site._index_members decides)."""
    found: list[tuple[str, str]] = []
    for kind in kinds:
        if kind == "tag":
            found.extend((kind, name) for name in meta.tags)
        elif kind == "addressee":
            found.extend((kind, name) for name in dict.fromkeys(meta.to + meta.info))
        elif kind in {"origin", "classification"}:
            name = meta.origin if kind == "origin" else meta.classification
            if name:
                found.append((kind, name))
        elif kind in {"year", "month"} and meta.created is not None:
            year = f"{meta.created.year:04d}"
            found.append((kind, year if kind == "year" else f"{year}-{meta.created.month:02d}"))
    return found


def _swap(blob: bytes, swaps: Mapping[bytes, bytes]) -> bytes:
    """The blob of 16-byte row digests with the changed ones replaced (found by bytes.find)."""
    updated: bytearray | None = None
    for old, new in swaps.items():
        at = blob.find(old)
        while at != -1:
            if at % 16 == 0:
                updated = updated if updated is not None else bytearray(blob)
                updated[at : at + 16] = new
            at = blob.find(old, at + 1)
    return bytes(updated) if updated is not None else blob


def _patch_links(
    links: tuple[Any, ...], changed: Mapping[str, tuple[bytes, bytes, tuple[object, ...]]]
) -> tuple[Any, ...]:
    """cable_links with the listing rows of the changed cables replaced."""

    def row(found: Any) -> Any:
        if found is not None and len(found) > 2 and found[0] in changed:
            return changed[found[0]][2]
        return found

    refs, cited, previous, following = links[7:11]
    return (
        *links[:7],
        tuple(row(r) for r in refs),
        tuple(row(c) for c in cited),
        row(previous),
        row(following),
    )


def cable_html_digest(source_key: str, record: Any) -> bytes:
    """The page digest of a cable page from its (patched) record."""
    return cable_page_digest(source_key, record.row, record.links)


def save_retitle(cache_dir: Path, retitle: Retitle) -> None:
    """Keep the patched term records (after the swap, as build_quick keeps its records)."""
    save_terms(cache_dir, retitle.terms)


def _input(page_digest: bytes, suffix: bytes) -> bytes:
    """The input digest of a page as build.py makes it: page digest + template digest + base."""
    return hashlib.blake2b(page_digest + suffix, digest_size=16).digest()
