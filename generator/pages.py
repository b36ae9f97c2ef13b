"""What is rendered where: one PageSpec per output file, with a digest of its inputs.

`plan_pages(site)` decides every output file of the site (cable HTML and
JSON, term pages with their pagination, listings, feeds, sitemaps, home,
robots, 404) and gives each a digest of the data it shows, so the build can
skip every page whose digest (plus its templates') did not change. The
contexts themselves are built later, one page at a time, by the functions
of pages_context.py: a worker is handed page descriptions, not big contexts.

Term pages are paginated in date order and bucketed by date (see
`paginate`), so adding one cable to PREL changes the pages of its month, not
all 600 pages of the tag.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from generator.reference_tags import TagInfo
from generator.site import CableMeta, Site, Term
from generator.urls import cable_url, feed_url, output_relpath, term_url

SITEMAP_CHUNK = 40_000  # the protocol allows 50,000 URLs per file
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class PageSpec(NamedTuple):
    """One output file, described without its context (cheap to keep 600,000 of them).

    `kind` is cable, cable_json, term, listing, dates, home, feed, sitemap,
    sitemap_index, robots or not_found; `term_kind` and `name` say which term or
    cable ('tag', 'PREL'; '', '09ROME1240'); `number` is the page number of a
    term page. `digest` covers every piece of site data the page shows, but not
    the templates, which the build adds.
    """

    kind: str
    url: str
    relpath: str
    template: str
    term_kind: str
    name: str
    number: int
    digest: bytes


class PageSlice(NamedTuple):
    """One page of a term: cable_ids[start:stop], with a label such as 'Nov 2009' or '1975–1989'."""

    start: int
    stop: int
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Plan:
    """Every page of the site, plus the pagination of every term (shared by its pages)."""

    pages: Sequence[PageSpec]
    pagination: Mapping[tuple[str, str], Sequence[PageSlice]]
    sitemaps: Mapping[str, tuple[str, ...]]  # sitemap part name -> the URLs it lists
    # cable id -> (row digest, links digest): a cable page's digest is
    # cable_page_digest(source key, *these), so a build that changes only the
    # cable's own file can compute it again without planning (build_quick.py)
    cable_parts: Mapping[str, tuple[bytes, bytes]] = field(default_factory=dict)


def digest_of(*parts: object) -> bytes:
    """A 16-byte digest of small plain data (strings, numbers, None; tuples of them)."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def plan_pages(site: Site) -> Plan:
    """Decide every page of the site, in a stable order, with its input digest.

    Digests are built from bytes, not from objects: each cable's listing row is
    hashed once (RowDigests), and a page that lists cables hashes the
    concatenation of their row digests, so planning 600,000 pages costs one
    short hash per page.
    """
    rows = RowDigests(site)
    pages: list[PageSpec] = []
    pagination: dict[tuple[str, str], list[PageSlice]] = {}
    pages.append(_spec("home", "/", "home.html", digest=digest_of(home_data(site))))
    links_of = CableLinks(site, rows)
    json_urls = _json_urls(site)
    cable_parts: dict[str, tuple[bytes, bytes]] = {}
    for cable_id, meta in site.cables.items():
        parts = cable_parts[cable_id] = (rows.get(cable_id), links_of.digest(meta))
        pages.append(
            _spec(
                "cable",
                site.urls[cable_id],
                "cable.html",
                name=cable_id,
                digest=cable_page_digest(meta.source_key, *parts),
            )
        )
        pages.append(
            _spec(
                "cable_json",
                json_urls[cable_id],
                "",
                name=cable_id,
                digest=cable_json_digest(meta.source_key),
            )
        )
    for kind, index in site.indexes.items():
        if index.listing_url is not None:
            listing_kind, template = (
                ("dates", "dates.html") if kind == "year" else ("listing", "terms.html")
            )
            pages.append(
                _spec(
                    listing_kind,
                    index.listing_url,
                    template,
                    term_kind=kind,
                    digest=digest_of(listing_data(site, kind)),
                )
            )
        for term in index.terms.values():
            slices = paginate(site, term)
            pagination[(kind, term.name)] = slices
            head = _term_head(site, term, slices)
            every = rows.join(term.cable_ids)
            for number, page in enumerate(slices, start=1):
                shown = every if number == 1 else every[page.start * 16 : page.stop * 16]
                pages.append(
                    _spec(
                        "term",
                        page.url,
                        "term.html",
                        term_kind=kind,
                        name=term.name,
                        number=number,
                        digest=_hash(head, repr(page).encode("utf-8", "surrogatepass"), shown),
                    )
                )
            feed_size = site.config.feed_size
            latest = every[-feed_size * 16 :] if feed_size else b""
            pages.append(
                _spec(
                    "feed",
                    feed_url(term.url),
                    "feed.xml",
                    term_kind=kind,
                    name=term.name,
                    digest=_hash(head, latest),
                )
            )
    latest_ids = tuple(site.cables)[-site.config.feed_size :] if site.config.feed_size else ()
    pages.append(_spec("feed", feed_url("/"), "feed.xml", digest=_hash(rows.join(latest_ids))))
    pages.append(_spec("not_found", "/404.html", "404.html", digest=digest_of("404")))
    pages.append(_spec("robots", "/robots.txt", "robots.txt", digest=digest_of("robots")))
    if site.config.search:  # the page; search.py writes the index after the render
        search_digest = digest_of(search_data(site))
        pages.append(_spec("search", "/search/", "search.html", digest=search_digest))
    sitemap_pages, sitemaps = _sitemaps(site, pages)
    pages.extend(sitemap_pages)
    return Plan(pages=pages, pagination=pagination, sitemaps=sitemaps, cable_parts=cable_parts)


def cable_page_digest(source_key: str, row: bytes, links: bytes) -> bytes:
    """The digest of a cable page: its files, its own row, what it shows of other cables."""
    return _hash(source_key.encode("utf-8", "surrogatepass"), row, links)


def cable_json_digest(source_key: str) -> bytes:
    """The digest of a cable's JSON page: its files alone."""
    return _hash(source_key.encode("utf-8", "surrogatepass"))


def _term_head(site: Site, term: Term, slices: Sequence[PageSlice]) -> bytes:
    """What every page of a term shows of the whole term: title, count, dates, its pages."""
    cables = site.cables
    ids = term.cable_ids
    first = next((cables[i].created for i in ids if cables[i].created is not None), None)
    last = cables[ids[-1]].created if ids else None
    data = (term.title, term.url, len(ids), str(first), str(last), [tuple(s) for s in slices])
    return repr(data).encode("utf-8", "surrogatepass")


def _hash(*parts: bytes) -> bytes:
    """16 bytes standing for the concatenated parts (fixed-size digests or self-delimited bytes)."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(len(part).to_bytes(4, "little"))
        hasher.update(part)
    return hasher.digest()


def _spec(
    kind: str,
    url: str,
    template: str,
    *,
    term_kind: str = "",
    name: str = "",
    number: int = 1,
    digest: bytes = b"",
) -> PageSpec:
    return PageSpec(kind, url, output_relpath(url), template, term_kind, name, number, digest)


def url_for_json(site: Site, meta: CableMeta) -> str:
    """'/cable/2009/11/09ROME1240.json'."""
    return cable_url(site.config.permalinks, meta.id, meta.created, json=True)


def _json_urls(site: Site) -> dict[str, str]:
    """url_for_json of every cable, derived from the page URLs when the patterns allow it."""
    permalinks = site.config.permalinks
    if permalinks.cable_json == permalinks.cable.removesuffix(".html") + ".json":
        return {cable_id: url[:-5] + ".json" for cable_id, url in site.urls.items()}
    return {cable_id: url_for_json(site, meta) for cable_id, meta in site.cables.items()}


class RowDigests:
    """The digest of each cable's listing row (listing_row_data), all computed in one pass."""

    def __init__(self, site: Site) -> None:
        origin_urls = term_urls(site, "origin")
        classification_urls = term_urls(site, "classification")
        urls = site.urls
        self._digests: dict[str, bytes] = {
            cable_id: hashlib.blake2b(
                repr(
                    (
                        cable_id,
                        urls[cable_id],
                        meta.subject,
                        str(meta.created),
                        meta.origin,
                        meta.classification,
                        origin_urls.get(meta.origin),  # type: ignore[arg-type]
                        classification_urls.get(meta.classification),  # type: ignore[arg-type]
                    )
                ).encode("utf-8", "surrogatepass"),
                digest_size=16,
            ).digest()
            for cable_id, meta in site.cables.items()
        }

    def get(self, cable_id: str) -> bytes:
        return self._digests[cable_id]

    def join(self, cable_ids: Iterable[str]) -> bytes:
        """The row digests of the cables, 16 bytes each, in order."""
        digests = self._digests
        return b"".join([digests[cable_id] for cable_id in cable_ids])


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

    def __init__(self, site: Site, rows: RowDigests) -> None:
        self._site = site
        self._rows = rows._digests
        self.slugs = digest_of(
            [
                (kind, [(term.name, term.url) for term in index.terms.values()])
                for kind, index in site.indexes.items()
            ]
        )

    def digest(self, meta: CableMeta) -> bytes:
        rows = self._rows
        previous, following = self._site.neighbours.get(meta.id, (None, None))
        return _hash(
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


def paginate(site: Site, term: Term) -> list[PageSlice]:
    """Split a term's cables (date order) into pages of at most page_size, bucketed by date.

    A term that fits on one page has one page. Otherwise each year is a bucket;
    a year with more than page_size cables is split into months, and a month
    with more than page_size into runs of page_size. Neighbouring small buckets
    share a page while they fit. Adding a cable therefore changes the pages of
    its own year or month (and rarely the packing of its neighbours), never the
    whole index. Page 1 is the earliest.
    """
    size = site.config.page_size
    ids = term.cable_ids
    cables = site.cables
    created = [cables[cable_id].created for cable_id in ids]
    if len(ids) <= size:
        return [PageSlice(0, len(ids), _label(created, 0, len(ids)), term.url)]
    years = [d.year if d else 0 for d in created]
    buckets: list[tuple[int, int, bool]] = []  # (start, stop, may share a page)
    for year_start, year_stop in _runs(years, 0, len(ids)):
        if year_stop - year_start <= size:
            buckets.append((year_start, year_stop, True))
            continue
        months = [d.month if d else 0 for d in created[year_start:year_stop]]
        for month_start, month_stop in _runs(months, 0, len(months)):
            month_start += year_start
            month_stop += year_start
            count = month_stop - month_start
            if count <= size:
                buckets.append((month_start, month_stop, True))
            else:
                for chunk in range(month_start, month_stop, size):
                    buckets.append((chunk, min(chunk + size, month_stop), False))
    shareable_ends = {stop for _, stop, shareable in buckets if shareable}
    slices: list[tuple[int, int]] = []
    for start, stop, shareable in buckets:
        if (
            slices
            and shareable
            and stop - slices[-1][0] <= size
            and slices[-1][1] == start
            and slices[-1][1] in shareable_ends
        ):
            slices[-1] = (slices[-1][0], stop)
        else:
            slices.append((start, stop))
    return [
        PageSlice(
            start, stop, _label(created, start, stop), term.url if n == 1 else term_url(term.url, n)
        )
        for n, (start, stop) in enumerate(slices, start=1)
    ]


def _runs(keys: Sequence[int], start: int, stop: int) -> Iterable[tuple[int, int]]:
    """(start, stop) of each run of equal keys in keys[start:stop]."""
    run_start = start
    for position in range(start + 1, stop):
        if keys[position] != keys[run_start]:
            yield run_start, position
            run_start = position
    if run_start < stop:
        yield run_start, stop


def _label(created: Sequence[datetime | None], start: int, stop: int) -> str:
    """'1975–1989', 'Mar–Jun 2009', '2–9 Nov 2009' or '10 Nov 2009' for the dates on one page."""
    dated = [d for d in created[start:stop] if d is not None]
    if not dated:
        return "undated"
    first, last = dated[0], dated[-1]
    if first.year != last.year:
        return f"{first.year}–{last.year}"
    if first.month != last.month:
        return f"{MONTH_ABBR[first.month - 1]}–{MONTH_ABBR[last.month - 1]} {first.year}"
    month = f"{MONTH_ABBR[first.month - 1]} {first.year}"
    if first.day != last.day:
        return f"{first.day}–{last.day} {month}"
    return f"{first.day} {month}"


def home_data(site: Site) -> tuple[object, ...]:
    """What the home page shows from the archive (also its digest input)."""
    from generator.pages_context import home_context_data

    return home_context_data(site)


def search_data(site: Site) -> tuple[object, ...]:
    """What the search page shows from the archive (also its digest input)."""
    from generator.pages_context import search_context

    return tuple(search_context(site).items())


def listing_data(site: Site, kind: str) -> tuple[object, ...]:
    """Rows of a listing page: (name, url, count) per term, plus the tag meanings shown."""
    from generator.pages_context import listing_rows

    return tuple(tuple(sorted(row.items())) for row in listing_rows(site, kind))


def _sitemaps(
    site: Site, pages: Sequence[PageSpec]
) -> tuple[list[PageSpec], dict[str, tuple[str, ...]]]:
    """sitemap.xml (an index) and its parts: cables per year, then all other pages."""
    groups: dict[str, list[str]] = {}
    for page in pages:
        if not page.relpath.endswith(".html") or page.kind == "not_found":
            continue
        if page.kind == "cable":
            created = site.cables[page.name].created
            group = f"cables-{created.year:04d}" if created else "cables-undated"
        else:
            group = "pages"
        groups.setdefault(group, []).append(page.url)
    parts: list[PageSpec] = []
    contents: dict[str, tuple[str, ...]] = {}
    for group in sorted(groups):
        urls = groups[group]
        for offset in range(0, len(urls), SITEMAP_CHUNK):
            chunk = tuple(urls[offset : offset + SITEMAP_CHUNK])
            name = group if offset == 0 else f"{group}-{offset // SITEMAP_CHUNK + 1}"
            contents[name] = chunk
            parts.append(
                _spec(
                    "sitemap",
                    f"/sitemap-{name}.xml",
                    "sitemap.xml",
                    name=name,
                    digest=digest_of(chunk),
                )
            )
    index = _spec(
        "sitemap_index",
        "/sitemap.xml",
        "sitemap-index.xml",
        digest=digest_of([part.url for part in parts]),
    )
    return [*parts, index], contents
