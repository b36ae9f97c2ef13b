"""The archive in memory: cables by id and every index; pure, no files, no templates.

A Site holds only what indexes and listings need (CableMeta: id, subject,
date, classification, origin, tags, addressee names, references), never a
body: 251,287 cables fit in a few hundred megabytes. Bodies and original texts
are read one cable at a time when its page is rendered.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from generator.cable import Cable
from generator.config import SiteConfig
from generator.reference_tags import TagInfo
from generator.urls import cable_url, is_clean_slug, listing_url, short_hash, slugify, term_url

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class CableMeta(NamedTuple):
    """What the indexes know of one cable (09ROME1240: 'G-8 NONPROLIFERATION ...', Embassy Rome).

    A NamedTuple rather than a dataclass because a build keeps 251,287 of them
    and the front-matter cache stores them as plain tuples: building one is a
    single C call. `to` and `info` are addressee names, whitespace collapsed.
    `source_key` identifies the bytes of the cable's files (size and mtime of
    the .md and .txt), so a page digest changes when a file does.
    """

    id: str
    subject: str
    created: datetime | None
    classification: str | None
    origin: str | None
    tags: tuple[str, ...]
    to: tuple[str, ...]
    info: tuple[str, ...]
    references: tuple[str, ...]
    content_path: str
    source_key: str


def cable_meta(cable: Cable, source_key: str = "") -> CableMeta:
    """The index view of a loaded Cable."""
    return CableMeta(
        id=cable.id,
        subject=" ".join((cable.subject or "").split()),
        created=cable.created,
        classification=_clean(cable.classification),
        origin=_clean(cable.origin),
        tags=tuple(dict.fromkeys(t for t in (_clean(tag) for tag in cable.tags) if t)),
        to=tuple(dict.fromkeys(n for n in (_clean(a.name) for a in cable.to) if n)),
        info=tuple(dict.fromkeys(n for n in (_clean(a.name) for a in cable.info) if n)),
        references=tuple(dict.fromkeys(cable.references)),
        content_path=str(cable.content_path or ""),
        source_key=source_key,
    )


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return cleaned or None


@dataclass(frozen=True, slots=True)
class Term:
    """One entry of an index: the tag PREL, the post Embassy Rome, the month 2009-11.

    `cable_ids` are in date order (ties by id). `url` is the first page of the
    term; `title` is what a page heading shows ('November 2009' for '2009-11').
    """

    kind: str
    name: str
    slug: str
    url: str
    title: str
    cable_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Index:
    """All terms of one kind ('tag', 'origin', 'addressee', 'classification', 'year', 'month')."""

    kind: str
    terms: Mapping[str, Term]  # by name, in name order
    listing_url: str | None  # '/tag/'; None for indexes without a listing page


@dataclass(frozen=True, slots=True)
class Site:
    """The archive: cables in date order, indexes, and the links between cables."""

    config: SiteConfig
    cables: Mapping[str, CableMeta]  # by id, in (created, id) order
    urls: Mapping[str, str]  # cable id -> page URL
    indexes: Mapping[str, Index]  # kind -> Index (only the configured ones)
    cited_by: Mapping[str, tuple[str, ...]]  # id -> ids of cables citing it, date order
    neighbours: Mapping[str, tuple[str | None, str | None]]  # id -> (previous, next) from its post
    tag_info: Mapping[str, TagInfo] = field(default_factory=dict)

    def term_of(self, kind: str, name: str | None) -> Term | None:
        """The Term for a name in an index, or None (index not built, or no such name)."""
        index = self.indexes.get(kind)
        if index is None or name is None:
            return None
        return index.terms.get(name)


def cable_order_key(meta: CableMeta) -> tuple[datetime, str]:
    """Chronological order, ties broken by id; undated cables first."""
    return (meta.created or datetime.min, meta.id)


def build_site(
    config: SiteConfig,
    cables: Iterable[CableMeta],
    tag_info: Mapping[str, TagInfo] | None = None,
    known_slugs: Mapping[str, Mapping[str, str]] | None = None,
) -> Site:
    """Index the archive. Reads no files, so tests pass cables built in memory.

    `known_slugs` (kind -> term name -> slug) are the slugs earlier builds
    published (content/slugs.json, see cable_slugs.py): a term keeps its slug,
    so its URL stays the same when a name that slugs alike joins the archive.
    """
    ordered = sorted(cables, key=cable_order_key)
    by_id = {meta.id: meta for meta in ordered}
    permalinks = config.permalinks
    urls = {meta.id: cable_url(permalinks, meta.id, meta.created) for meta in ordered}
    members = _index_members(_index_kinds(config), ordered)
    cited: dict[str, list[str]] = defaultdict(list)
    for meta in ordered:
        for ref in meta.references:
            if ref in by_id and ref != meta.id:
                cited[ref].append(meta.id)
    known = known_slugs or {}
    indexes = {
        kind: _make_index(config, kind, names, known.get(kind, {}))
        for kind, names in members.items()
    }
    return Site(
        config=config,
        cables=by_id,
        urls=urls,
        indexes=indexes,
        cited_by={key: tuple(ids) for key, ids in cited.items()},
        neighbours=_post_neighbours(ordered),
        tag_info=tag_info or {},
    )


def _index_kinds(config: SiteConfig) -> list[str]:
    kinds: list[str] = []
    for kind in config.indexes:
        kinds.extend(("year", "month") if kind == "date" else (kind,))
    return kinds


def _index_members(kinds: list[str], ordered: list[CableMeta]) -> dict[str, dict[str, list[str]]]:
    """For each index kind, term name -> ids of its cables in date order.

    One loop per kind rather than a generator per cable: this runs over every
    cable on every build (3.5 million term memberships in the release).
    """
    members: dict[str, dict[str, list[str]]] = {}
    for kind in kinds:
        bucket: defaultdict[str, list[str]] = defaultdict(list)
        if kind == "tag":
            for meta in ordered:
                for name in meta.tags:
                    bucket[name].append(meta.id)
        elif kind == "addressee":
            for meta in ordered:
                names = meta.to + meta.info if meta.info else meta.to
                if len(names) > 1:
                    names = tuple(dict.fromkeys(names))
                for name in names:
                    bucket[name].append(meta.id)
        elif kind in {"origin", "classification"}:
            for meta in ordered:
                term = meta.origin if kind == "origin" else meta.classification
                if term:
                    bucket[term].append(meta.id)
        elif kind in {"year", "month"}:
            names_by_key: dict[tuple[int, int], str] = {}
            for meta in ordered:
                when = meta.created
                if when is None:
                    continue
                key = (when.year, when.month if kind == "month" else 0)
                date_name = names_by_key.get(key)
                if date_name is None:
                    date_name = f"{key[0]:04d}-{key[1]:02d}" if kind == "month" else f"{key[0]:04d}"
                    names_by_key[key] = date_name
                bucket[date_name].append(meta.id)
        members[kind] = bucket
    return members


def _make_index(
    config: SiteConfig, kind: str, members: Mapping[str, list[str]], known: Mapping[str, str]
) -> Index:
    permalinks = config.permalinks
    pattern: str = getattr(permalinks, kind)
    slugs = (
        assign_slugs({name: len(ids) for name, ids in members.items()}, known)
        if kind not in {"year", "month"}
        else {name: name for name in members}
    )
    terms: dict[str, Term] = {}
    for name in sorted(members):
        if kind == "year":
            url, title = term_url(pattern, year=name), name
        elif kind == "month":
            year, month = name.split("-")
            url, title = (
                term_url(pattern, year=year, month=month),
                f"{MONTH_NAMES[int(month) - 1]} {year}",
            )
        else:
            url, title = term_url(pattern, slug=slugs[name]), name
        terms[name] = Term(kind, name, slugs[name], url, title, tuple(members[name]))
    listing = None if kind == "month" else listing_url(pattern)
    return Index(kind=kind, terms=terms, listing_url=listing)


def assign_slugs(
    counts: Mapping[str, int], known: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Give every name of one index a distinct slug that it keeps for good.

    A name that an earlier build published (`known`: name -> slug) keeps its
    slug, and no other name ever gets one of the known slugs, so a URL once
    published stays with its term: 'PREL' keeps /tag/prel/ when 'prel' or
    'Prel' turns up later, whatever their counts. Among new names whose slugs
    collide ('SECSTATE WASHDC' and 'SECSTATE  WASHDC.'), the one with the most
    cables (ties: the first in sort order) gets the plain slug if it is free,
    and the others the slug plus a hash of the name. Known slugs that are not
    clean slugs (a hand-edited slugs.json) are ignored.
    """
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name, slug in sorted((known or {}).items()):
        if is_clean_slug(slug) and slug not in taken:
            taken.add(slug)
            if name in counts:
                slugs[name] = slug
    groups: dict[str, list[str]] = defaultdict(list)
    for name in counts:
        if name not in slugs:
            groups[slugify(name)].append(name)
    plain = set(groups)
    for slug in sorted(groups):
        names = sorted(groups[slug], key=lambda n: (-counts[n], n))
        if slug not in taken:
            slugs[names[0]] = slug
            taken.add(slug)
            names = names[1:]
        for name in names:
            candidate = f"{slug}-{short_hash(name)}"
            while candidate in taken or candidate in plain:
                candidate = f"{candidate}-{short_hash(candidate)}"
            taken.add(candidate)
            slugs[name] = candidate
    return slugs


def published_slugs(
    site: Site, known: Mapping[str, Mapping[str, str]]
) -> dict[str, dict[str, str]]:
    """What content/slugs.json records after this build: the known slugs and every term's."""
    register = {kind: dict(names) for kind, names in known.items()}
    for kind, index in site.indexes.items():
        if kind in {"year", "month"}:
            continue
        names = register.setdefault(kind, {})
        for name, term in index.terms.items():
            names[name] = term.slug
    return register


def _post_neighbours(ordered: list[CableMeta]) -> dict[str, tuple[str | None, str | None]]:
    by_post: dict[str, list[str]] = defaultdict(list)
    for meta in ordered:
        if meta.origin:
            by_post[meta.origin].append(meta.id)
    neighbours: dict[str, tuple[str | None, str | None]] = {}
    for ids in by_post.values():
        for position, cable_id in enumerate(ids):
            neighbours[cable_id] = (
                ids[position - 1] if position > 0 else None,
                ids[position + 1] if position + 1 < len(ids) else None,
            )
    return neighbours


def month_counts(created: Iterable[datetime | None]) -> list[tuple[str, int]]:
    """Cables per month from the first month to the last, zeros included: [('2009-11', 3), ...]."""
    # months counted as year * 12 + month - 1 by Counter's C loop: this runs for every term
    counts = Counter([when.year * 12 + when.month - 1 for when in created if when is not None])
    if not counts:
        return []
    get = counts.get
    return [(_month_label(month), get(month, 0)) for month in range(min(counts), max(counts) + 1)]


@functools.cache
def _month_label(month: int) -> str:
    """'2009-11' for 2009 * 12 + 10 (a few hundred labels, formatted once per process)."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"
