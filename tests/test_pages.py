"""The page plan: one spec per file, digests that move only with their inputs, stable pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from generator.config import config_from_data
from generator.pages import paginate, plan_pages
from generator.site import CableMeta, build_site

START = datetime(2008, 1, 1)


def meta(n: int, when: datetime, subject: str = "S") -> CableMeta:
    return CableMeta(
        f"08X{n}",
        f"{subject}{n}",
        when,
        "SECRET",
        "Embassy X",
        ("PREL",),
        ("SECSTATE WASHDC",),
        (),
        (),
        "",
        f"key{n}",
    )


def site_of(metas: list[CableMeta], page_size: int = 10):  # type: ignore[no-untyped-def]
    config = config_from_data({"title": "t", "page_size": page_size}, Path("/tmp/site"))
    return build_site(config, metas)


def test_plan_has_every_kind_of_page_once() -> None:
    plan = plan_pages(site_of([meta(n, START + timedelta(days=n)) for n in range(5)]))
    urls = [page.url for page in plan.pages]
    assert len(urls) == len(set(urls))
    for url in [
        "/",
        "/cable/2008/01/08X1.html",
        "/cable/2008/01/08X1.json",
        "/tag/",
        "/tag/prel/",
        "/tag/prel/feed.xml",
        "/feed.xml",
        "/sitemap.xml",
        "/404.html",
        "/robots.txt",
        "/date/",
        "/date/2008/01/",
        "/classification/secret/",
        "/origin/embassy-x/",
        "/addressee/secstate-washdc/",
    ]:
        assert url in urls, url


def test_editing_one_subject_changes_only_the_pages_that_show_it() -> None:
    metas = [meta(n, START + timedelta(days=n)) for n in range(30)]
    before = {p.url: p.digest for p in plan_pages(site_of(metas)).pages}
    metas[3] = metas[3]._replace(subject="CHANGED", source_key="key3-edited")
    after = {p.url: p.digest for p in plan_pages(site_of(metas)).pages}
    changed = {url for url in before if before[url] != after[url]}
    assert "/cable/2008/01/08X3.html" in changed
    assert "/cable/2008/01/08X2.html" in changed  # its "next" link shows the subject
    assert "/cable/2008/01/08X10.html" not in changed
    assert "/tag/prel/" in changed
    assert "/tag/prel/page/3/" not in changed
    assert len(changed) < len(before) / 3


def test_pagination_is_bucketed_by_date_so_adding_a_cable_moves_few_pages() -> None:
    metas = [meta(n, datetime(2000 + n // 40, 1 + (n % 40) // 4, 1 + n % 4)) for n in range(400)]
    site = site_of(metas, page_size=25)
    term = site.indexes["tag"].terms["PREL"]
    before = paginate(site, term)
    assert all(s.stop - s.start <= 25 for s in before)
    assert next(s for s in before if s.start < s.stop).start == 0 and before[-1].stop == 400
    added = [*metas, meta(999, datetime(2003, 5, 2))]
    site2 = site_of(added, page_size=25)
    after = paginate(site2, site2.indexes["tag"].terms["PREL"])
    ids_before = [term.cable_ids[s.start : s.stop] for s in before]
    term2 = site2.indexes["tag"].terms["PREL"]
    ids_after = [term2.cable_ids[s.start : s.stop] for s in after]
    moved = sum(1 for a, b in zip(ids_before, ids_after, strict=False) if a != b)
    assert moved <= 3, moved


def test_sitemap_parts_list_every_html_page_but_404() -> None:
    plan = plan_pages(site_of([meta(n, START + timedelta(days=n)) for n in range(3)]))
    listed = {url for urls in plan.sitemaps.values() for url in urls}
    html = {p.url for p in plan.pages if p.relpath.endswith(".html") and p.url != "/404.html"}
    assert listed == html


def test_render_chunks_split_cable_pages_alone_but_never_a_page_from_its_json_twin() -> None:
    """A template edit renders cable pages without their JSON: they must still be split."""
    from generator.build_plan import CHUNK_COST, PAGE_COST, render_chunks

    site = site_of([meta(n, START + timedelta(days=n)) for n in range(200)])
    plan = plan_pages(site)
    cable_pages = [(p, b"d", None) for p in plan.pages if p.kind == "cable"]
    chunks = list(render_chunks(site, plan, cable_pages))
    assert len(chunks) >= len(cable_pages) * PAGE_COST["cable"] // CHUNK_COST
    assert sum(len(chunk) for chunk in chunks) == len(cable_pages)

    twins = {p.name: p for p in plan.pages if p.kind == "cable_json"}
    paired = [
        item
        for p in plan.pages
        if p.kind == "cable"
        for item in ((p, b"d", None), (twins[p.name], b"d", None))
    ]
    chunks = list(render_chunks(site, plan, paired))
    assert len(chunks) > 1
    for chunk in chunks:
        names = [task[0].name for task in chunk]
        assert names[0::2] == names[1::2]  # each cable page beside its twin, in one chunk


def test_render_chunks_give_each_cable_one_row_object_equal_to_a_fresh_one() -> None:
    """A cable listed on many pages is one Row for the whole render, the same as built alone."""
    from generator.build_plan import render_chunks
    from generator.pages_context import page_context

    site = site_of([meta(n, START + timedelta(days=n)) for n in range(30)], page_size=10)
    plan = plan_pages(site)
    listing = [(p, b"d", None) for p in plan.pages if p.kind in {"term", "feed", "home"}]
    seen: dict[str, object] = {}
    shown = 0
    for chunk in render_chunks(site, plan, listing):
        for spec, _, _, context in chunk:
            alone = page_context(site, plan, spec)  # its own rows, nothing kept
            assert context == alone
            listed = context.get("cables") or context.get("entries") or []
            for row in listed:
                assert seen.setdefault(row.id, row) is row
                shown += 1
    assert shown > 3 * len(seen) and len(seen) == 30  # each cable listed on several pages
