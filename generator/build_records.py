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
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from generator.build_pack import Pack, PackWriter, load_pickle, record_pickler, save_pickle
from generator.output import Manifest
from generator.pages import Plan
from generator.pages_links import CableLinks, CablePageData, cable_page_data, listing_row_data
from generator.site import CableMeta, Site
from generator.urls import output_relpath

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
    """Keep the record of the live pages of the given cables (None: of every cable).

    A folder whose records are updated loses the records of cables it no
    longer holds; with every cable, the folders that hold none lose theirs.
    """
    for old in _OLD_FOLDERS:
        if (cache_dir / old).is_dir():
            shutil.rmtree(cache_dir / old, ignore_errors=True)
    root = f"{content_dir}{os.sep}"
    folder_of = {
        cable_id: os.path.dirname(meta.content_path[len(root) :])
        for cable_id, meta in site.cables.items()
        if meta.content_path.startswith(root)
    }
    by_folder: dict[str, list[str]] = {}
    links_of = CableLinks(site, plan.row_digests)
    for cable_id in site.cables if cable_ids is None else cable_ids:
        if cable_id in folder_of:
            by_folder.setdefault(folder_of[cable_id], []).append(cable_id)
    pack = Pack(cache_dir / RECORDS_FOLDER, RECORDS_VERSION)
    # most folders written again (a template edit renders every cable): a new pack
    writer = PackWriter(pack, fresh=cable_ids is None or 2 * len(by_folder) > len(pack.entries))
    dumps = record_pickler()
    if cable_ids is None:
        for gone in pack.entries.keys() - by_folder.keys():
            writer.drop(gone)
    for folder, ids in by_folder.items():
        kept = {} if cable_ids is None else (_load(pack, folder) or {})
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
            shown = _shown_cables(data)
            folder_records[cable_id] = CableRecord(
                meta.source_key,
                index_view(meta),
                row,
                links,
                entry[0],
                url,
                data.json_url,
                data,
                listing_row_data(site, meta),
                links_of.parts(meta),
                {shown_id: folder_of[shown_id] for shown_id in shown if shown_id in folder_of},
            )
        writer.put(folder, dumps((RECORDS_VERSION, folder, folder_records)))
    writer.close()


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
