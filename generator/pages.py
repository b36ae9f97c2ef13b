"""What is rendered where: one PageSpec per output file, with a digest of its inputs.

`plan_pages(site)` decides every output file of the site (cable HTML and
JSON, term pages with their pagination, listings, feeds, sitemaps, home,
robots, 404) and gives each a digest of the data it shows, so the build can
skip every page whose digest (plus its templates') did not change. The
contexts themselves are built later, one page at a time, by the functions
of pages_context.py: a worker is handed page descriptions, not big contexts.

Term pages are paginated in date order and bucketed by date (see
pages_paginate.py), so adding one cable to PREL changes the pages of its
month, not all 600 pages of the tag. What a cable page shows of the rest of
the archive, and the digests standing for it, are in pages_links.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from generator.pages_links import (
    CableLinks,
    CablePageData,
    RowDigests,
    cable_page_data,
    digest_of,
    hash_parts,
    url_for_json,
)
from generator.pages_paginate import PageSlice, paginate
from generator.site import Site, Term
from generator.urls import feed_url, output_relpath

__all__ = [
    "CablePageData",
    "PageSlice",
    "PageSpec",
    "Plan",
    "cable_json_digest",
    "cable_page_data",
    "cable_page_digest",
    "digest_of",
    "paginate",
    "plan_pages",
    "url_for_json",
]

SITEMAP_CHUNK = 40_000  # the protocol allows 50,000 URLs per file


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
    # what the digests of term pages and feeds are made of: every cable's row digest and
    # each term's head (_term_head), kept by build_retitle.py for a build that changes a row
    row_digests: Mapping[str, bytes] = field(default_factory=dict)
    term_heads: Mapping[tuple[str, str], bytes] = field(default_factory=dict)


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
    links_of = CableLinks(site, rows.digests)
    json_urls = _json_urls(site)
    cable_parts: dict[str, tuple[bytes, bytes]] = {}
    term_heads: dict[tuple[str, str], bytes] = {}
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
            head = term_heads[(kind, term.name)] = _term_head(site, term, slices)
            every = rows.join(term.cable_ids)
            for number, page in enumerate(slices, start=1):
                pages.append(
                    _spec(
                        "term",
                        page.url,
                        "term.html",
                        term_kind=kind,
                        name=term.name,
                        number=number,
                        digest=term_page_digest(head, page, number, every),
                    )
                )
            pages.append(
                _spec(
                    "feed",
                    feed_url(term.url),
                    "feed.xml",
                    term_kind=kind,
                    name=term.name,
                    digest=term_feed_digest(head, every, site.config.feed_size),
                )
            )
    latest_ids = tuple(site.cables)[-site.config.feed_size :] if site.config.feed_size else ()
    pages.append(_spec("feed", feed_url("/"), "feed.xml", digest=hash_parts(rows.join(latest_ids))))
    pages.append(_spec("not_found", "/404.html", "404.html", digest=digest_of("404")))
    pages.append(_spec("robots", "/robots.txt", "robots.txt", digest=digest_of("robots")))
    if site.config.search:  # the page; search.py writes the index after the render
        search_digest = digest_of(search_data(site))
        pages.append(_spec("search", "/search/", "search.html", digest=search_digest))
    sitemap_pages, sitemaps = _sitemaps(site, pages)
    pages.extend(sitemap_pages)
    return Plan(
        pages=pages,
        pagination=pagination,
        sitemaps=sitemaps,
        cable_parts=cable_parts,
        row_digests=rows.digests,
        term_heads=term_heads,
    )


def cable_page_digest(source_key: str, row: bytes, links: bytes) -> bytes:
    """The digest of a cable page: its files, its own row, what it shows of other cables."""
    return hash_parts(source_key.encode("utf-8", "surrogatepass"), row, links)


def term_page_digest(head: bytes, page: PageSlice, number: int, every: bytes) -> bytes:
    """A term page's digest: the term's head, its slice, the rows it shows (page 1: all rows).

    `every` is the row digests of all the term's cables, 16 bytes each, in order.
    """
    shown = every if number == 1 else every[page.start * 16 : page.stop * 16]
    return hash_parts(head, repr(page).encode("utf-8", "surrogatepass"), shown)


def term_feed_digest(head: bytes, every: bytes, feed_size: int) -> bytes:
    """A term feed's digest: the term's head and the rows of its latest feed_size cables."""
    return hash_parts(head, every[-feed_size * 16 :] if feed_size else b"")


def cable_json_digest(source_key: str) -> bytes:
    """The digest of a cable's JSON page: its files alone."""
    return hash_parts(source_key.encode("utf-8", "surrogatepass"))


def _term_head(site: Site, term: Term, slices: Sequence[PageSlice]) -> bytes:
    """What every page of a term shows of the whole term: title, count, dates, its pages."""
    cables = site.cables
    ids = term.cable_ids
    first = next((cables[i].created for i in ids if cables[i].created is not None), None)
    last = cables[ids[-1]].created if ids else None
    data = (term.title, term.url, len(ids), str(first), str(last), [tuple(s) for s in slices])
    return repr(data).encode("utf-8", "surrogatepass")


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


def _json_urls(site: Site) -> dict[str, str]:
    """url_for_json of every cable, derived from the page URLs when the patterns allow it."""
    permalinks = site.config.permalinks
    if permalinks.cable_json == permalinks.cable.removesuffix(".html") + ".json":
        return {cable_id: url[:-5] + ".json" for cable_id, url in site.urls.items()}
    return {cable_id: url_for_json(site, meta) for cable_id, meta in site.cables.items()}


def home_data(site: Site) -> tuple[object, ...]:
    """What the home page shows from the archive (also its digest input)."""
    from generator.pages_context import home_context_data

    return home_context_data(site)


def search_data(site: Site) -> tuple[object, ...]:
    """What the search page shows from the archive (also its digest input)."""
    from generator.pages_context import search_context

    return tuple(search_context(site).items())


def listing_data(site: Site, kind: str) -> tuple[object, ...]:
    """Rows of a listing page: (name, url, count) per term, plus the tag meanings shown.

    The dates page (kind 'year') also lists every month with its count.
    """
    from generator.pages_context import listing_rows

    kinds = (kind, "month") if kind == "year" and "month" in site.indexes else (kind,)
    return tuple(tuple(sorted(row.items())) for name in kinds for row in listing_rows(site, name))


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
