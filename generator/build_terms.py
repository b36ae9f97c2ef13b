"""What a full build keeps of each term for build_retitle.py: TermRecord and SiteNotes.

In .cablesite-cache/terms/: one file per term (its Term, pagination, head,
the row digests of its cables, its TermDates, the content folder of each of
its cables), written by a full build only for the terms whose record
changed (index.pickle holds a digest of each record), and site.pickle, the
SiteNotes: what a term page or feed needs of the Site beyond its term.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from generator.pages import PageSlice, Plan, term_page_digest
from generator.pages_context import TermDates, term_dates
from generator.pages_links import hash_parts
from generator.reference_tags import TagInfo
from generator.site import Site, Term

log = logging.getLogger(__name__)

TERMS_FOLDER = "terms"
TERMS_VERSION = 1
INDEX_FILE = "index.pickle"
NOTES_FILE = "site.pickle"


class TermRecord(NamedTuple):
    """What the pages of one term were built from."""

    term: Term
    slices: tuple[PageSlice, ...]
    head: bytes
    every: bytes  # row digests of term.cable_ids, 16 bytes each
    dates: TermDates
    folders: tuple[str, ...]  # content folder of each cable, as term.cable_ids
    tag_info: TagInfo | None


class SiteNotes(NamedTuple):
    """What a term page or feed needs of the Site beyond its term, and what rules this way out."""

    latest: frozenset[str]  # cables shown on the home page or in the site feed
    kinds: tuple[str, ...]  # the indexes built
    listing_urls: dict[str, str | None]
    origin_urls: dict[str, str]
    classification_urls: dict[str, str]
    suffixes: dict[str, bytes]  # template -> its digest + the global digest (build.py)
    base: bytes  # the global digest


def record_terms(
    cache_dir: Path,
    site: Site,
    plan: Plan,
    template_digests: Mapping[str, bytes],
    base: bytes,
) -> None:
    """Keep the TermRecord of every term whose records changed, and the SiteNotes (full builds).

    A term's record changes with its page 1, whose digest covers its head and the rows of
    all its cables, so only the terms whose page 1 changed are written (a cable moved to
    another folder without a change of row leaves a record that build_retitle finds stale).
    """
    folder = cache_dir / TERMS_FOLDER
    index = load_pickle(folder / INDEX_FILE, dict) or {}
    first_pages = {
        (spec.term_kind, spec.name): spec.digest
        for spec in plan.pages
        if spec.kind == "term" and spec.number == 1
    }
    folder_of: dict[str, str] = {}
    rows = plan.row_digests
    kept: dict[tuple[str, str], bytes] = {}
    for kind, site_index in site.indexes.items():
        for term in site_index.terms.values():
            key = (kind, term.name)
            digest = kept[key] = hash_parts(base, first_pages[key])
            if index.get(key) == digest:
                continue
            if not folder_of:
                root = f"{site.config.content_dir}{os.sep}"
                folder_of = {
                    cable_id: sys.intern(os.path.dirname(meta.content_path.removeprefix(root)))
                    for cable_id, meta in site.cables.items()
                }
            record = TermRecord(
                term,
                tuple(plan.pagination[key]),
                plan.term_heads[key],
                b"".join([rows[cable_id] for cable_id in term.cable_ids]),
                term_dates(site, term),
                tuple(folder_of[cable_id] for cable_id in term.cable_ids),
                site.tag_info.get(term.name) if kind == "tag" else None,
            )
            _save(_term_path(folder, key), (TERMS_VERSION, key, record))
    for key in index.keys() - kept.keys():
        _term_path(folder, key).unlink(missing_ok=True)
    config = site.config
    latest = tuple(site.cables)[-max(config.feed_size, config.latest_size, 0) :]
    notes = SiteNotes(
        latest=frozenset(latest if config.feed_size or config.latest_size else ()),
        kinds=tuple(site.indexes),
        listing_urls={kind: index.listing_url for kind, index in site.indexes.items()},
        origin_urls=_urls(site, "origin"),
        classification_urls=_urls(site, "classification"),
        suffixes={name: digest + base for name, digest in template_digests.items()},
        base=base,
    )
    _save(folder / NOTES_FILE, (TERMS_VERSION, notes))
    _save(folder / INDEX_FILE, kept)


def save_terms(cache_dir: Path, terms: Mapping[tuple[str, str], TermRecord]) -> None:
    """Keep the patched term records (after the swap, as build_quick keeps its records)."""
    folder = cache_dir / TERMS_FOLDER
    index = load_pickle(folder / INDEX_FILE, dict)
    notes = load_pickle(folder / NOTES_FILE, tuple)
    for key, record in terms.items():
        _save(_term_path(folder, key), (TERMS_VERSION, key, record))
        if index is not None and notes:
            index[key] = _record_key(notes[1].base, record)
    if index is not None:
        _save(folder / INDEX_FILE, index)


def _record_key(base: bytes, record: TermRecord) -> bytes:
    """What the index keeps of a record: the global digest and the digest of the term's page 1."""
    return hash_parts(base, term_page_digest(record.head, record.slices[0], 1, record.every))


def _urls(site: Site, kind: str) -> dict[str, str]:
    index = site.indexes.get(kind)
    return {} if index is None else {name: term.url for name, term in index.terms.items()}


def _term_path(folder: Path, key: tuple[str, str]) -> Path:
    name = hashlib.blake2b(f"{key[0]}\0{key[1]}".encode("utf-8", "surrogateescape"), digest_size=12)
    return folder / f"{name.hexdigest()}.pickle"


def load_term(cache_dir: Path, key: tuple[str, str]) -> TermRecord | None:
    data = load_pickle(_term_path(cache_dir / TERMS_FOLDER, key), tuple)
    if not data or data[:2] != (TERMS_VERSION, key) or not isinstance(data[2], TermRecord):
        return None
    record: TermRecord = data[2]
    return record


def load_pickle(path: Path, kind: type) -> Any:
    try:
        data = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
        return None
    return data if isinstance(data, kind) else None


def _save(path: Path, data: object) -> None:
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("%s: cannot keep a term record (%s)", path, exc.strerror)
