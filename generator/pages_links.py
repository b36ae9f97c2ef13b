"""What a cable page shows of the rest of the archive, and the digests that stand for it.

A cable page links its terms, the cables it cites and that cite it, and its
neighbours from the same post. `cable_page_data` gathers that for the render
worker (CablePageData); `RowDigests` and `CableLinks` give the same data as
bytes for the page's input digest, at the cost of a few dict lookups and one
short hash per page, so planning 600,000 pages stays cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import NamedTuple

from generator.pages_view import level_view
from generator.reference_tags import TagInfo
from generator.site import CableMeta, Site
from generator.urls import cable_url


def digest_of(*parts: object) -> bytes:
    """A 16-byte digest of small plain data (strings, numbers, None; tuples of them)."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def hash_parts(*parts: bytes) -> bytes:
    """16 bytes standing for the concatenated parts (fixed-size digests or self-delimited bytes)."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(len(part).to_bytes(4, "little"))
        hasher.update(part)
    return hasher.digest()


def url_for_json(site: Site, meta: CableMeta) -> str:
    """'/cable/2009/11/09ROME1240.json'."""
    return cable_url(site.config.permalinks, meta.id, meta.created, json=True)


class RowDigests:
    """The digest of each cable's listing row (listing_row_data), all computed in one pass."""

    def __init__(self, site: Site) -> None:
        origin_urls = term_urls(site, "origin")
        classification_urls = term_urls(site, "classification")
        urls = site.urls
        self._digests: dict[str, bytes] = {
            cable_id: row_digest(
                (
                    cable_id,
                    urls[cable_id],
                    meta.subject,
                    meta.created,
                    meta.origin,
                    meta.classification,
                    origin_urls.get(meta.origin),  # type: ignore[arg-type]
                    classification_urls.get(meta.classification),  # type: ignore[arg-type]
                )
            )
            for cable_id, meta in site.cables.items()
        }

    @property
    def digests(self) -> Mapping[str, bytes]:
        """Cable id -> its row digest."""
        return self._digests

    def get(self, cable_id: str) -> bytes:
        return self._digests[cable_id]

    def join(self, cable_ids: Iterable[str]) -> bytes:
        """The row digests of the cables, 16 bytes each, in order."""
        digests = self._digests
        return b"".join([digests[cable_id] for cable_id in cable_ids])


def row_digest(row: tuple[object, ...]) -> bytes:
    """The digest of one listing row, as listing_row_data gives it (the date as its str())."""
    data = (*row[:3], str(row[3]), *row[4:])
    return hashlib.blake2b(repr(data).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def term_urls(site: Site, kind: str) -> dict[str, str]:
    """Name -> URL of every term of one index ({} when the index is not built)."""
    index = site.indexes.get(kind)
    return {} if index is None else {name: term.url for name, term in index.terms.items()}


def listing_row_data(site: Site, meta: CableMeta) -> tuple[object, ...]:
    """What one line of a cable list shows: id, link, subject, date, post, classification."""
    return (
        meta.id,
        site.urls[meta.id],
        meta.subject,
        meta.created,
        meta.origin,
        meta.classification,
        _term_url(site, "origin", meta.origin),
        _term_url(site, "classification", meta.classification),
    )


def _term_url(site: Site, kind: str, name: str | None) -> str | None:
    index = site.indexes.get(kind)
    if index is None or name is None:
        return None
    term = index.terms.get(name)
    return term.url if term is not None else None


class CableLinks:
    """The digest of what a cable page shows from the rest of the archive (see cable_links).

    The names of its terms come from its own file (covered by its source key)
    and their URLs from the slugs of every index (one digest for the whole
    site); the cables it names — references in the archive, cited-by, previous
    and next from its post — are represented by their row digests. So the
    digest of a cable page costs a few dict lookups and one hash.
    """

    def __init__(self, site: Site, rows: Mapping[str, bytes]) -> None:
        self._site = site
        self._rows = rows
        self.slugs = digest_of(
            [
                (kind, [(term.name, term.url) for term in index.terms.values()])
                for kind, index in site.indexes.items()
            ]
        )

    def digest(self, meta: CableMeta) -> bytes:
        return hash_parts(*self.parts(meta))

    def parts(self, meta: CableMeta) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        """What the digest is made of: slugs, rows of references, of cited-by, previous, next.

        A build that changes one cable's row replaces its 16 bytes in these
        (build_retitle.py) and hashes them again.
        """
        rows = self._rows
        previous, following = self._site.neighbours.get(meta.id, (None, None))
        return (
            self.slugs,
            b"".join([rows[r] for r in meta.references if r in rows]),
            b"".join([rows[c] for c in self._site.cited_by.get(meta.id, ())]),
            rows[previous] if previous is not None else b"",
            rows[following] if following is not None else b"",
        )


class CablePageData(NamedTuple):
    """What a cable page shows from the rest of the archive; the rest comes from its file.

    Decided by the planner in the parent process and handed to a render worker,
    which reads the cable's file itself (content_path).
    """

    links: tuple[object, ...]  # cable_links(site, meta)
    json_url: str
    subject: str  # the index's subject, shown when the front matter has none
    meanings: Mapping[str, TagInfo]  # what its tags mean (tags.yaml)
    content_path: str


def cable_page_data(site: Site, meta: CableMeta) -> CablePageData:
    """The CablePageData of one cable."""
    info = site.tag_info
    return CablePageData(
        links=cable_links(site, meta),
        json_url=url_for_json(site, meta),
        subject=meta.subject,
        meanings={tag: info[tag] for tag in meta.tags if tag in info},
        content_path=meta.content_path,
    )


def cable_links(site: Site, meta: CableMeta) -> tuple[object, ...]:
    """Everything a cable page shows that comes from the rest of the archive.

    Term URLs of its tags, post, addressees, classification and dates;
    references (linked when in the archive); cited-by; previous and next cable
    from the same post. Used for the page's context; CableLinks.digest covers
    the same data for the page's digest.
    """

    def term_link(kind: str, name: str | None) -> tuple[str, str | None] | None:
        return None if name is None else (name, _term_url(site, kind, name))

    def cable_ref(cable_id: str | None) -> tuple[object, ...] | None:
        if cable_id is None or cable_id not in site.cables:
            return None
        return listing_row_data(site, site.cables[cable_id])

    year = month = None
    if meta.created is not None:
        year = f"{meta.created.year:04d}"
        month = f"{year}-{meta.created.month:02d}"
    previous, following = site.neighbours.get(meta.id, (None, None))
    return (
        tuple(term_link("tag", tag) for tag in meta.tags),
        term_link("origin", meta.origin),
        tuple(term_link("addressee", name) for name in meta.to),
        tuple(term_link("addressee", name) for name in meta.info),
        term_link("classification", meta.classification),
        term_link("year", year),
        term_link("month", month),
        tuple(cable_ref(ref) or (ref, None) for ref in meta.references),
        tuple(cable_ref(citing) for citing in site.cited_by.get(meta.id, ())),
        cable_ref(previous),
        cable_ref(following),
    )


class Row(NamedTuple):
    """One line of a cable list, as templates read it (`cable.url`).

    A named tuple, not a dict: a term page ships 100 of them to a render
    process, and a tuple is built, pickled and unpickled in a fraction of
    the time of a dict with the same keys.
    """

    id: str
    url: str
    subject: str
    created: datetime | None
    origin: str | None
    origin_url: str | None
    classification: str | None
    classification_url: str | None
    classification_level: Mapping[str, object]


def rows(
    site: Site, metas: Iterable[CableMeta], known: dict[str, Row] | None = None
) -> list[Row]:
    """The lines of a cable list (a term page has 100: the lookups are done once per list).

    `known` keeps the Row of each cable met, for the next lists of the same
    build: a cable is listed on some twenty pages (render_chunks passes one).
    """
    if known is None:
        known = {}
    origins = site.indexes.get("origin")
    origin_terms = origins.terms if origins is not None else {}
    classifications = site.indexes.get("classification")
    classification_terms = classifications.terms if classifications is not None else {}
    urls = site.urls
    levels: dict[str | None, Mapping[str, object]] = {}
    views: list[Row] = []
    for meta in metas:
        row = known.get(meta.id)
        if row is None:
            origin = origin_terms.get(meta.origin) if meta.origin is not None else None
            classification = meta.classification
            term = classification_terms.get(classification) if classification is not None else None
            level = levels.get(classification)
            if level is None:
                level = levels[classification] = level_view(classification)
            row = known[meta.id] = Row(
                meta.id,
                urls[meta.id],
                meta.subject,
                meta.created,
                meta.origin,
                origin.url if origin else None,
                classification,
                term.url if term else None,
                level,
            )
        views.append(row)
    return views
