"""The template context of each page: view objects (plain dicts) built from the Site.

Templates show what these functions give them and decide nothing: lists sorted, links
resolved, counts counted. Each function is pure; the cable page alone needs more than
the Site: the cable's full front matter (read by the build, one at a time).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from generator.cable import Cable
from generator.pages import PageSpec, Plan
from generator.pages_links import CablePageData, Row, rows
from generator.pages_view import letter_groups, level_view, tag_groups, timeline, timeline_chart
from generator.site import MONTH_NAMES, Site, month_counts
from generator.urls import feed_url

NAV_TITLES = {
    "tag": "Tags",
    "origin": "Posts",
    "addressee": "Addressees",
    "classification": "Classifications",
    "year": "Dates",
}
KIND_TITLES = {
    "tag": "Tag",
    "origin": "Post",
    "addressee": "Addressee",
    "classification": "Classification",
    "year": "Year",
    "month": "Month",
}
TOP_TAGS = 24

Context = dict[str, Any]


def site_context(site: Site) -> Context:
    """What every page shows of the archive itself: title, navigation, feed."""
    config = site.config
    nav = [
        {"kind": kind, "title": NAV_TITLES[kind], "url": index.listing_url}
        for kind, index in site.indexes.items()
        if index.listing_url and kind in NAV_TITLES
    ]
    return {
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "author": config.author or config.title,
        "base_url": config.base_url,
        "feed_url": feed_url("/"),
        "nav": nav,
        "extra": dict(config.extra),
        "search": config.search,
    }


def home_context(site: Site) -> Context:
    """Counts, date range, latest cables, entry points and the timeline of the archive."""
    metas = list(site.cables.values())
    dated = [m.created for m in metas if m.created is not None]
    latest = rows(site, reversed(metas[-site.config.latest_size :]))
    counts = {kind: len(index.terms) for kind, index in site.indexes.items()}
    tags = site.indexes.get("tag")
    top_tags = []
    if tags is not None:
        ranked = sorted(tags.terms.values(), key=lambda t: (-len(t.cable_ids), t.name))[:TOP_TAGS]
        top_tags = [_term_row(site, term) for term in ranked]
    classifications = []
    if "classification" in site.indexes:
        classifications = [
            _term_row(site, t)
            for t in sorted(
                site.indexes["classification"].terms.values(),
                key=lambda t: (-len(t.cable_ids), t.name),
            )
        ]
    years = (
        [_term_row(site, t) for t in site.indexes["year"].terms.values()]
        if "year" in site.indexes
        else []
    )
    return {
        "count": len(metas),
        "counts": counts,
        "first": min(dated) if dated else None,
        "last": max(dated) if dated else None,
        "latest": latest,
        "top_tags": top_tags,
        "classifications": classifications,
        "years": years,
        "timeline": timeline([m.created for m in metas], plot_height=150),
    }


def home_context_data(site: Site) -> tuple[object, ...]:
    return tuple(home_context(site).items())


def _term_row(site: Site, term: Any) -> Context:
    data: Context = {
        "name": term.name,
        "title": term.title,
        "url": term.url,
        "count": len(term.cable_ids),
    }
    if term.kind == "tag":
        info = site.tag_info.get(term.name)
        data["meaning"] = info.meaning if info else None
        data["verified"] = info.verified if info else True
        data["kind"] = info.kind if info else "unknown"
    elif term.kind == "classification":
        data["level"] = level_view(term.name)
    return data


def listing_rows(site: Site, kind: str) -> list[Context]:
    """Every term of one index with its count (and a tag's meaning), in name order."""
    return [_term_row(site, term) for term in site.indexes[kind].terms.values()]


def listing_context(site: Site, spec: PageSpec) -> Context:
    kind = spec.term_kind
    rows = listing_rows(site, kind)
    context: Context = {
        "index": {
            "kind": kind,
            "title": NAV_TITLES.get(kind, kind),
            "url": spec.url,
            "count": len(rows),
        },
        "terms": rows,
        "groups": tag_groups(rows) if kind == "tag" else letter_groups(rows),
    }
    if kind == "year" and "month" in site.indexes:
        months: dict[str, list[Context]] = {}
        for term in site.indexes["month"].terms.values():
            months.setdefault(term.name[:4], []).append(
                {**_term_row(site, term), "short": MONTH_NAMES[int(term.name[5:]) - 1][:3]}
            )
        context["months"] = months
    return context


class TermDates(NamedTuple):
    """What a term page shows of the dates of all the term's cables: first, last, per month."""

    first: datetime | None
    last: datetime | None
    months: list[tuple[str, int]]  # month_counts


def term_dates(site: Site, term: Any) -> TermDates:
    """The TermDates of a term (build_retitle.py keeps them, to render a page without the Site)."""
    created = [site.cables[cable_id].created for cable_id in term.cable_ids]
    first = next((when for when in created if when is not None), None)
    return TermDates(first, created[-1] if created else None, month_counts(created))


def term_context(
    site: Site,
    plan: Plan,
    spec: PageSpec,
    dates: TermDates | None = None,
    known: dict[str, Row] | None = None,
) -> Context:
    """One page of a term: header (page 1: count, date range, chart, page list), its cables.

    `dates` (term_dates) may be given when `site.cables` does not hold all the
    term's cables, only those of the page. `known`: the rows met so far (rows()).
    """
    term = site.indexes[spec.term_kind].terms[spec.name]
    slices = plan.pagination[(spec.term_kind, spec.name)]
    page = slices[spec.number - 1]
    cables = site.cables
    ids = term.cable_ids
    if dates is not None:
        first, last = dates.first, dates.last
    else:
        first = next((cables[i].created for i in ids if cables[i].created is not None), None)
        last = cables[ids[-1]].created if ids else None
    info = site.tag_info.get(term.name) if term.kind == "tag" else None
    listing = (
        site.indexes[term.kind].listing_url
        or site.indexes.get("year", site.indexes[term.kind]).listing_url
    )
    context: Context = {
        "term": {
            "kind": term.kind,
            "kind_title": KIND_TITLES[term.kind],
            "name": term.name,
            "title": term.title,
            "url": term.url,
            "count": len(ids),
            "feed_url": feed_url(term.url),
            "listing_url": listing,
            "listing_title": NAV_TITLES.get(term.kind, NAV_TITLES["year"]),
            "first": first,
            "last": last,
            "meaning": info.meaning if info else None,
            "verified": info.verified if info else True,
        },
        "page": {
            "number": spec.number,
            "count": len(slices),
            "label": page.label,
            "previous_url": slices[spec.number - 2].url if spec.number > 1 else None,
            "next_url": slices[spec.number].url if spec.number < len(slices) else None,
            "first_url": term.url,
            "last_url": slices[-1].url,
        },
        "cables": rows(site, [cables[i] for i in ids[page.start : page.stop]], known),
        "pages": None,
        "chart": None,
    }
    if spec.number == 1:
        context["pages"] = [
            {"number": n, "label": s.label, "url": s.url, "count": s.stop - s.start}
            for n, s in enumerate(slices, start=1)
        ]
        context["chart"] = (
            timeline([cables[i].created for i in ids])
            if dates is None
            else timeline_chart(dates.months, plot_height=64)
        )
    return context


def feed_context(site: Site, spec: PageSpec, known: dict[str, Row] | None = None) -> Context:
    """An Atom feed: the latest cables of the archive or of one term, newest first."""
    if spec.term_kind:
        term = site.indexes[spec.term_kind].terms[spec.name]
        ids = term.cable_ids[-site.config.feed_size :]
        title, page_url = (
            f"{site.config.title}: {KIND_TITLES[term.kind].lower()} {term.title}",
            term.url,
        )
    else:
        ids = tuple(site.cables)[-site.config.feed_size :]
        title, page_url = site.config.title, "/"
    entries = rows(site, [site.cables[cable_id] for cable_id in reversed(ids)], known)
    dated = [e.created for e in entries if e.created is not None]
    return {
        "feed": {
            "title": title,
            "url": spec.url,
            "page_url": page_url,
            "updated": max(dated) if dated else datetime(1970, 1, 1),
        },
        "entries": entries,
    }


def cable_context(data: CablePageData, spec: PageSpec, cable: Cable) -> Context:
    """The cable page without its body: metadata panel with every link, references, cited by.

    `data` is what the planner decided from the archive (pages.cable_page_data);
    `cable` is the cable's own front matter, read by the render worker.
    """
    links: Any = data.links
    (tags, origin, to, info, classification, year, month, refs, cited, previous, following) = links
    meanings = data.meanings

    def link(pair: Any) -> Context | None:
        return None if pair is None else {"name": pair[0], "url": pair[1]}

    def cable_ref(found: Any) -> Context | None:
        if found is None:
            return None
        keys = (
            "id",
            "url",
            "subject",
            "created",
            "origin",
            "classification",
            "origin_url",
            "classification_url",
        )
        view = dict(zip(keys, found, strict=True))
        view["classification_level"] = level_view(view["classification"])
        return view

    addressee_urls = {pair[0]: pair[1] for pair in (*to, *info) if pair}

    def addressees(items: Any) -> list[Context]:
        return [
            {
                "name": a.name,
                "url": addressee_urls.get(" ".join(a.name.split())),
                "route": a.route,
                "precedence": a.precedence,
                "serial": a.serial,
            }
            for a in items
        ]

    view: Context = {
        "id": cable.id,
        "url": spec.url,
        "json_url": data.json_url,
        "subject": cable.subject or data.subject,
        "created": cable.created,
        "released": cable.released,
        "classification": link(classification),
        "classification_level": level_view(cable.classification),
        "origin": link(origin),
        "tags": [
            {
                **(link(t) or {}),
                "meaning": meanings[t[0]].meaning if t[0] in meanings else None,
                "verified": meanings[t[0]].verified if t[0] in meanings else True,
            }
            for t in tags
            if t
        ],
        "year": link(year),
        "month": link(month),
        "month_title": f"{MONTH_NAMES[cable.created.month - 1]} {cable.created.year}"
        if cable.created
        else None,
        "precedence": cable.precedence,
        "dtg": cable.dtg,
        "sender": cable.sender,
        "to": addressees(cable.to),
        "info": addressees(cable.info),
        "classified_by": cable.classified_by,
        "reasons": cable.reasons,
        "declassify_on": cable.declassify_on,
        "handling": list(cable.handling),
        "signer": cable.signer,
        "sections": cable.sections,
        "summary": cable.summary,
        "source": None
        if cable.source is None
        else {
            "format": cable.source.format,
            "file": cable.source.file,
            "sha256": cable.source.sha256,
        },
        "warnings": list(cable.warnings),
        "extra": dict(cable.extra),
    }
    return {
        "cable": view,
        "references": [
            cable_ref(r) if r[1] else {"id": r[0], "url": None, "subject": None, "created": None}
            for r in refs
        ],  # a reference outside the archive is named, not linked
        "cited_by": [cable_ref(c) for c in cited if c],
        "previous": cable_ref(previous),
        "next": cable_ref(following),
    }


def search_context(site: Site) -> Context:
    """The search page: where the index is, what each tag means, the browse pages."""
    tags = site.indexes.get("tag")
    meanings = {
        name: info.title
        for name, info in sorted(site.tag_info.items())
        if tags is not None and name in tags.terms
    }
    return {"search": {"bundle_url": "/pagefind/", "tag_meanings": meanings}}


def page_context(
    site: Site, plan: Plan, spec: PageSpec, known: dict[str, Row] | None = None
) -> Context:
    """The context of any page but a cable page; `known`: the rows met so far (rows())."""
    kind = spec.kind
    if kind == "home":
        return {"home": home_context(site)}
    if kind == "term":
        return term_context(site, plan, spec, known=known)
    if kind in {"listing", "dates"}:
        return listing_context(site, spec)
    if kind == "feed":
        return feed_context(site, spec, known)
    if kind == "sitemap":
        return {"urls": plan.sitemaps[spec.name]}
    if kind == "sitemap_index":
        return {"sitemaps": [page.url for page in plan.pages if page.kind == "sitemap"]}
    if kind == "search":
        return search_context(site)
    if kind in {"robots", "not_found"}:
        return {}
    raise ValueError(f"no context for a page of kind {kind!r}")


def common_context(site_view: Context, spec: PageSpec, context: Mapping[str, Any]) -> Context:
    """The context a template receives: the page's own, `site` (site_context) and `page_url`."""
    return {"site": site_view, "page_url": spec.url, "page_kind": spec.kind, **context}
