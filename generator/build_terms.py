"""What a full build keeps of each term for build_retitle.py: TermRecord and SiteNotes.

In .cablesite-cache/term-records/: the TermRecord of every term (its Term,
pagination, head, the row digests of its cables, its TermDates, the content
folder of each of its cables) in one pack (build_pack.py), whose index notes
the digest each record was made for, so that a full build writes only the
terms whose record changed; and site.pickle, the SiteNotes: what a term page
or feed needs of the Site beyond its term.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from generator.build_pack import Pack, PackWriter, load_pickle, record_pickler, save_pickle
from generator.pages import PageSlice, Plan, term_page_digest
from generator.pages_context import TermDates
from generator.pages_links import hash_parts
from generator.reference_tags import TagInfo
from generator.site import CableMeta, Site, Term

log = logging.getLogger(__name__)

TERMS_FOLDER = "term-records"  # was "terms" (one file per term, version 1)
TERMS_VERSION = 2
NOTES_FILE = "site.pickle"
_OLD_FOLDERS = ("terms",)


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


# TermDates as kept: first, last, the first month (year * 12 + month - 1), cables per month
StoredDates = tuple[datetime | None, datetime | None, int, tuple[int, ...]]


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
    for old in _OLD_FOLDERS:
        if (cache_dir / old).is_dir():
            shutil.rmtree(cache_dir / old, ignore_errors=True)
    pack = Pack(folder, TERMS_VERSION)
    first_pages = {
        (spec.term_kind, spec.name): spec.digest
        for spec in plan.pages
        if spec.kind == "term" and spec.number == 1
    }
    kept: dict[tuple[str, str], bytes] = {}
    for kind, site_index in site.indexes.items():
        for name in site_index.terms:
            key = (kind, name)
            kept[key] = hash_parts(base, first_pages[key])
    changed = [key for key, digest in kept.items() if pack.note(key) != digest]
    writer = PackWriter(pack, fresh=2 * len(changed) > len(kept))
    for gone in pack.entries.keys() - kept.keys():
        writer.drop(gone)
    if changed:
        root = f"{site.config.content_dir}{os.sep}"
        folder_of = {
            cable_id: sys.intern(os.path.dirname(meta.content_path.removeprefix(root)))
            for cable_id, meta in site.cables.items()
        }
        month_of = _months(site.cables)
        rows = plan.row_digests
        dumps = record_pickler()
        for key in changed:
            term = site.indexes[key[0]].terms[key[1]]
            ids = term.cable_ids
            stored = (
                term,
                tuple(plan.pagination[key]),
                plan.term_heads[key],
                b"".join(map(rows.__getitem__, ids)),
                _stored_dates(site.cables, month_of, ids),
                tuple(map(folder_of.__getitem__, ids)),
                site.tag_info.get(term.name) if key[0] == "tag" else None,
            )
            writer.put(key, dumps((TERMS_VERSION, key, stored)), kept[key])
    writer.close()
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
    save_pickle(folder / NOTES_FILE, (TERMS_VERSION, notes), "the term records")


def _months(cables: Mapping[str, CableMeta]) -> dict[str, int]:
    """Each dated cable's month as year * 12 + month - 1 (as site.month_counts counts them)."""
    return {
        cable_id: meta.created.year * 12 + meta.created.month - 1
        for cable_id, meta in cables.items()
        if meta.created is not None
    }


def _stored_dates(
    cables: Mapping[str, CableMeta], month_of: Mapping[str, int], ids: Sequence[str]
) -> StoredDates:
    """The TermDates of a term's cables (pages_context.term_dates), as kept."""
    counts: Counter[int] = Counter(map(month_of.__getitem__, filter(month_of.__contains__, ids)))
    first = next((cables[i].created for i in ids if i in month_of), None)
    last = cables[ids[-1]].created if ids else None
    if not counts:
        return first, last, 0, ()
    low, high = min(counts), max(counts)
    return first, last, low, tuple(map(counts.get, range(low, high + 1), repeat(0)))


def _dates(stored: StoredDates) -> TermDates:
    """TermDates from what is kept: its months as site.month_counts gives them."""
    first, last, low, counts = stored
    months = [
        (f"{month // 12:04d}-{month % 12 + 1:02d}", count)
        for month, count in enumerate(counts, start=low)
    ]
    return TermDates(first, last, months)


def _stored(record: TermRecord) -> tuple[object, ...]:
    """A TermRecord as kept (its dates as _stored_dates makes them)."""
    months = record.dates.months
    low = int(months[0][0][:-3]) * 12 + int(months[0][0][-2:]) - 1 if months else 0
    dates = (record.dates.first, record.dates.last, low, tuple(count for _, count in months))
    return (*record[:4], dates, *record[5:])


def save_terms(cache_dir: Path, terms: Mapping[tuple[str, str], TermRecord]) -> None:
    """Keep the patched term records (after the swap, as build_quick keeps its records)."""
    folder = cache_dir / TERMS_FOLDER
    notes = load_pickle(folder / NOTES_FILE, tuple)
    base = notes[1].base if notes and isinstance(notes[1], SiteNotes) else None
    writer = PackWriter(Pack(folder, TERMS_VERSION), fresh=False)
    dumps = record_pickler()
    for key, record in terms.items():
        note = _record_key(base, record) if base is not None else b""
        writer.put(key, dumps((TERMS_VERSION, key, _stored(record))), note)
    writer.close()


def _record_key(base: bytes, record: TermRecord) -> bytes:
    """What the index keeps of a record: the global digest and the digest of the term's page 1."""
    return hash_parts(base, term_page_digest(record.head, record.slices[0], 1, record.every))


def _urls(site: Site, kind: str) -> dict[str, str]:
    index = site.indexes.get(kind)
    return {} if index is None else {name: term.url for name, term in index.terms.items()}


class TermRecords:
    """The term records of the last full build (and of the quick builds since), for lookups."""

    def __init__(self, cache_dir: Path) -> None:
        self._pack = Pack(cache_dir / TERMS_FOLDER, TERMS_VERSION)

    def load(self, key: tuple[str, str]) -> TermRecord | None:
        """The TermRecord of one term, or None (no such term, or not readable)."""
        data = self._pack.load(key)
        if not isinstance(data, tuple) or len(data) != 3 or data[:2] != (TERMS_VERSION, key):
            return None
        stored = data[2]
        if not isinstance(stored, tuple) or len(stored) != len(TermRecord._fields):
            return None
        term, slices, head, every, dates, folders, tag_info = stored
        return TermRecord(term, slices, head, every, _dates(dates), folders, tag_info)
