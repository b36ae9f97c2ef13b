"""The records a full build keeps of each cable page, for the short ways of later builds.

One record per content folder, in one pack in .cablesite-cache/cable-records/
(build_pack.py): for each cable,
what its live page was built from (CableRecord): the index view of its
metadata, the digests of its row and links with the parts of the links digest,
the CablePageData the page was rendered with, its own listing row and the
content folders of the cables its page shows. build_quick.py renders a
cable's page again from it; build_retitle.py patches the records of the
pages that show a retitled cable. Also the (path, date) of every cable page
for the search update of a quick build.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from generator.build_pack import Pack, PackWriter, load_pickle, record_pickler, save_pickle
from generator.output import Manifest
from generator.pages import Plan
from generator.pages_links import CableLinks, CablePageData, cable_page_data, listing_row_data
from generator.site import CableMeta, Site
from generator.urls import output_relpath

if TYPE_CHECKING:
    from generator.build_plan import Decisions

log = logging.getLogger(__name__)

# a new name for a new format, so that all are written again: "pages" (version 1),
# "page-records" (2: one file per content folder)
RECORDS_FOLDER = "cable-records"
RECORDS_VERSION = 3
_OLD_FOLDERS = ("pages", "page-records")


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
    row_data: tuple[object, ...]  # its own listing row (listing_row_data)
    link_parts: tuple[bytes, ...]  # CableLinks.parts: `links` is hash_parts(*link_parts)
    link_folders: dict[str, str]  # content folder of each cable its page shows


def index_view(meta: CableMeta) -> tuple[object, ...]:
    """Everything of a CableMeta but where its file is and what its bytes were."""
    return tuple(meta[:9])


def record_cable_pages(
    cache_dir: Path,
    content_dir: Path,
    site: Site,
    plan: Plan,
    manifest: Manifest,
    cable_ids: Iterable[str] | None = None,
) -> None:
    """Keep the record of the live pages of the given cables (None: of every cable)."""
    CableRecorder(cache_dir, content_dir, site, plan, cable_ids).finish(manifest)


def cables_to_record(todo: Decisions, live: Manifest) -> set[str]:
    """The cables whose page in a build is not the live one: rendered, or taken back from
    the back tree (site A, B, A again renders nothing, yet the pages are A's again)."""
    return {
        spec.name
        for spec, digest, _ in todo.by_path.values()
        if spec.kind == "cable" and (live.get(spec.relpath) or (b"",))[0] != digest
    }


MAX_PENDING = 10_000  # cables whose page data waits for the rest of their folder (~4 KB each)


class CableRecorder:
    """Keeps the records of the given cables' pages (None: of every cable) and of every cable
    of the given content `folders` (those that changed: a cable may have left one).

    A build hands it the CablePageData of each cable page as the page goes to
    be rendered (`seen`), so the data is computed once, not again after the
    render: pages go in date order and a content folder holds a month, so a
    folder's records are written as soon as its last page went by, with only
    a few folders' data held at a time (at most MAX_PENDING cables: past that
    the fullest folder's data is dropped and computed again at the end).
    `finish` writes the folders whose pages were not all rendered (their
    other cables' data computed there), and writes again the few folders of
    pages whose render failed, which have no record.

    A folder whose records are updated loses the records of cables it no
    longer holds; with every cable, the folders that hold none lose theirs.
    """

    def __init__(
        self,
        cache_dir: Path,
        content_dir: Path,
        site: Site,
        plan: Plan,
        cable_ids: Iterable[str] | None = None,
        folders: Collection[str] = (),
    ) -> None:
        for old in _OLD_FOLDERS:
            if (cache_dir / old).is_dir():
                shutil.rmtree(cache_dir / old, ignore_errors=True)
        root = f"{content_dir}{os.sep}"
        self._site, self._plan, self._every = site, plan, cable_ids is None
        names: dict[str, str] = {}  # one string per folder, not one per cable
        self._folder_of = {
            cable_id: names.setdefault(name, name)
            for cable_id, meta in site.cables.items()
            if meta.content_path.startswith(root)
            for name in (os.path.dirname(meta.content_path[len(root) :]),)
        }
        self._by_folder: dict[str, list[str]] = {}
        chosen = None if cable_ids is None else set(cable_ids)
        for cable_id, folder in self._folder_of.items():
            if chosen is None or cable_id in chosen or folder in folders:
                self._by_folder.setdefault(folder, []).append(cable_id)
        self._links_of = CableLinks(site, plan.row_digests)
        self._pack = Pack(cache_dir / RECORDS_FOLDER, RECORDS_VERSION)
        # most folders written again (a template edit renders every cable): a new pack
        fresh = cable_ids is None or 2 * len(self._by_folder) > len(self._pack.entries)
        self._writer = PackWriter(self._pack, fresh=fresh)
        self._dumps = record_pickler()
        self._pending: dict[str, dict[str, tuple[bytes, CablePageData]]] = {}
        self._held = 0
        # folder -> the input digests of its records, joined in _by_folder order: written as
        # seen (b"" when written by finish, against the manifest)
        self._written: dict[str, bytes] = {}

    def seen(self, cable_id: str, input_digest: bytes, data: CablePageData) -> None:
        """The page of cable_id goes to be rendered with this input digest and data."""
        folder = self._folder_of.get(cable_id)
        expected = self._by_folder.get(folder or "")
        if folder is None or expected is None or folder in self._written:
            return
        pending = self._pending.setdefault(folder, {})
        if cable_id not in pending:
            self._held += 1
        pending[cable_id] = (input_digest, data)
        if len(pending) == len(expected):
            self._write(folder, self._pending.pop(folder))
            self._held -= len(pending)
        elif self._held > MAX_PENDING:
            fullest = max(self._pending, key=lambda name: len(self._pending[name]))
            self._held -= len(self._pending.pop(fullest))

    def finish(self, manifest: Manifest) -> None:
        """Write every folder not written yet, and again those of pages that were not made."""
        if self._every:
            for gone in self._pack.entries.keys() - self._by_folder.keys():
                self._writer.drop(gone)
        urls = self._site.urls
        failed = {
            folder
            for folder, digests in self._written.items()
            if digests
            and digests
            != b"".join(
                (manifest.get(output_relpath(urls[cable_id])) or (b"",))[0]
                for cable_id in self._by_folder[folder]
            )
        }
        for folder in self._by_folder:
            if folder not in self._written or folder in failed:
                self._write(folder, self._pending.pop(folder, {}), manifest)
        self._writer.close()

    def _write(
        self,
        folder: str,
        seen: dict[str, tuple[bytes, CablePageData]],
        manifest: Manifest | None = None,
    ) -> None:
        """One folder's records: from what was seen, the rest computed (and checked) here."""
        site, folder_of = self._site, self._folder_of
        kept = {} if self._every else (_load(self._pack, folder) or {})
        folder_records = {k: v for k, v in kept.items() if folder_of.get(k) == folder}
        digests: list[bytes] = []
        for cable_id in self._by_folder[folder]:
            meta = site.cables[cable_id]
            url = site.urls[cable_id]
            if manifest is None:
                input_digest, data = seen[cable_id]
            else:
                entry = manifest.get(output_relpath(url))
                if entry is None:
                    folder_records.pop(cable_id, None)
                    continue
                input_digest = entry[0]
                data = seen[cable_id][1] if cable_id in seen else cable_page_data(site, meta)
            row, links = self._plan.cable_parts[cable_id]
            shown = _shown_cables(data)
            digests.append(input_digest)
            folder_records[cable_id] = CableRecord(
                meta.source_key,
                index_view(meta),
                row,
                links,
                input_digest,
                url,
                data.json_url,
                data,
                listing_row_data(site, meta),
                self._links_of.parts(meta),
                {shown_id: folder_of[shown_id] for shown_id in shown if shown_id in folder_of},
            )
        self._writer.put(folder, self._dumps((RECORDS_VERSION, folder, folder_records)))
        self._written[folder] = b"".join(digests) if manifest is None else b""


def _shown_cables(data: CablePageData) -> set[str]:
    """The ids of the archive's cables a cable page shows (references, cited by, neighbours)."""
    links: tuple[Any, ...] = data.links
    refs, cited, previous, following = links[7:11]
    rows = [*refs, *cited, previous, following]
    return {row[0] for row in rows if row is not None and len(row) > 2}


def load_records(cache_dir: Path, folder: str) -> dict[str, CableRecord] | None:
    """The records of one content folder, or None if there are none (or they are unreadable)."""
    return _load(Pack(cache_dir / RECORDS_FOLDER, RECORDS_VERSION), folder)


def _load(pack: Pack, folder: str) -> dict[str, CableRecord] | None:
    data = pack.load(folder)
    if not isinstance(data, tuple) or len(data) != 3 or data[:2] != (RECORDS_VERSION, folder):
        return None
    records: dict[str, CableRecord] = data[2]
    return records


def save_records(cache_dir: Path, records: Mapping[str, dict[str, CableRecord]]) -> None:
    """Keep the records of the given content folders (folder -> its records)."""
    writer = PackWriter(Pack(cache_dir / RECORDS_FOLDER, RECORDS_VERSION), fresh=False)
    dumps = record_pickler()
    for folder, folder_records in records.items():
        writer.put(folder, dumps((RECORDS_VERSION, folder, folder_records)))
    writer.close()


SEARCH_PAGES_FILE = "search-pages.pickle"


def save_search_pages(cache_dir: Path, pages: list[tuple[str, datetime | None]]) -> None:
    """Keep the (path, date) of every cable page: a quick build gives them to search.py."""
    save_pickle(cache_dir / SEARCH_PAGES_FILE, (RECORDS_VERSION, pages), "the list of cable pages")


def load_search_pages(cache_dir: Path) -> list[tuple[str, datetime | None]] | None:
    """What save_search_pages kept, or None."""
    data = load_pickle(cache_dir / SEARCH_PAGES_FILE, tuple)
    if data is None or len(data) != 2 or data[0] != RECORDS_VERSION:
        return None
    pages: list[tuple[str, datetime | None]] = data[1]
    return pages
