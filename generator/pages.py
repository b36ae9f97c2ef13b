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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

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


def digest_of(*parts: object) -> bytes:
    """A 16-byte digest of the repr of plain data (tuples, strings, numbers, datetimes, bytes)."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def plan_pages(site: Site) -> Plan:
    """Decide every page of the site, in a stable order, with its input digest."""
    rows = RowDigests(site)
    pages: list[PageSpec] = []
    pagination: dict[tuple[str, str], list[PageSlice]] = {}
    pages.append(_spec("home", "/", "home.html", digest=digest_of(home_data(site))))
    for cable_id, meta in site.cables.items():
        url = site.urls[cable_id]
        links = cable_links(site, meta)
        pages.append(
            _spec(
                "cable", url, "cable.html", name=cable_id, digest=digest_of(meta.source_key, links)
            )
        )
        json_url = url_for_json(site, meta)
        pages.append(
            _spec("cable_json", json_url, "", name=cable_id, digest=digest_of(meta.source_key))
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
            summary = [(s.label, s.url) for s in slices]
            for number, page in enumerate(slices, start=1):
                ids = term.cable_ids if number == 1 else term.cable_ids[page.start : page.stop]
                shown = rows.join(ids)
                pages.append(
                    _spec(
                        "term",
                        page.url,
                        "term.html",
                        term_kind=kind,
                        name=term.name,
                        number=number,
                        digest=digest_of(
                            term.title,
                            term.url,
                            page,
                            summary if number == 1 else len(slices),
                            shown,
                        ),
                    )
                )
            latest = term.cable_ids[-site.config.feed_size :]
            pages.append(
                _spec(
                    "feed",
                    feed_url(term.url),
                    "feed.xml",
                    term_kind=kind,
                    name=term.name,
                    digest=digest_of(term.title, term.url, rows.join(latest)),
                )
            )
    latest = tuple(site.cables)[-site.config.feed_size :]
    pages.append(_spec("feed", feed_url("/"), "feed.xml", digest=digest_of(rows.join(latest))))
    pages.append(_spec("not_found", "/404.html", "404.html", digest=digest_of("404")))
    pages.append(_spec("robots", "/robots.txt", "robots.txt", digest=digest_of("robots")))
    if site.config.search:  # the page; search.py writes the index after the render
        search = digest_of(search_data(site))
        pages.append(_spec("search", "/search/", "search.html", digest=search))
    sitemap_pages, sitemaps = _sitemaps(site, pages)
    pages.extend(sitemap_pages)
    return Plan(pages=pages, pagination=pagination, sitemaps=sitemaps)


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


class RowDigests:
    """Per-cable digests of what a listing row shows, computed once and joined per page."""

    def __init__(self, site: Site) -> None:
        self._site = site
        self._digests: dict[str, bytes] = {}

    def get(self, cable_id: str) -> bytes:
        found = self._digests.get(cable_id)
        if found is None:
            found = digest_of(listing_row_data(self._site, self._site.cables[cable_id]))
            self._digests[cable_id] = found
        return found

    def join(self, cable_ids: Iterable[str]) -> bytes:
        return b"".join(self.get(cable_id) for cable_id in cable_ids)


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


def cable_links(site: Site, meta: CableMeta) -> tuple[object, ...]:
    """Everything a cable page shows that comes from the rest of the archive.

    Term URLs of its tags, post, addressees, classification and dates;
    references (linked when in the archive); cited-by; previous and next cable
    from the same post. Used both for the page's digest and for its context.
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
    created = [site.cables[cable_id].created for cable_id in ids]
    if len(ids) <= size:
        return [PageSlice(0, len(ids), _label(created, 0, len(ids)), term.url)]
    buckets: list[tuple[int, int, bool]] = []  # (start, stop, may share a page)
    for year_start, year_stop in _runs(created, 0, len(ids), lambda d: d.year if d else 0):
        if year_stop - year_start <= size:
            buckets.append((year_start, year_stop, True))
            continue
        for month_start, month_stop in _runs(
            created, year_start, year_stop, lambda d: d.month if d else 0
        ):
            count = month_stop - month_start
            if count <= size:
                buckets.append((month_start, month_stop, True))
            else:
                for chunk in range(month_start, month_stop, size):
                    buckets.append((chunk, min(chunk + size, month_stop), False))
    slices: list[tuple[int, int]] = []
    for start, stop, shareable in buckets:
        if (
            slices
            and shareable
            and stop - slices[-1][0] <= size
            and slices[-1][1] == start
            and (_shareable_end(buckets, slices[-1][1]))
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


def _shareable_end(buckets: list[tuple[int, int, bool]], stop: int) -> bool:
    return any(b[1] == stop and b[2] for b in buckets)


def _runs(
    created: Sequence[datetime | None], start: int, stop: int, key: Callable[[datetime | None], int]
) -> Iterable[tuple[int, int]]:
    run_start = start
    for position in range(start + 1, stop + 1):
        if position == stop or key(created[position]) != key(created[run_start]):
            yield run_start, position
            run_start = position


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
