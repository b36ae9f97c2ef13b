"""Fragments drawn once per build (`cached`) still show each page its own text."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from generator.build import build
from generator.config import config_from_data, load_config
from generator.render import Page, load_theme, make_environment, nav_here, render_page

SITES = Path(__file__).resolve().parent / "sites"
NAV = [
    {"kind": "tag", "title": "Tags", "url": "/tag/"},
    {"kind": "origin", "title": "Posts", "url": "/origin/"},
    {"kind": "year", "title": "Dates", "url": "/date/"},
]


def test_nav_here_says_where_the_page_sits_for_each_item() -> None:
    assert nav_here(NAV, "/tag/") == ((True, True), (False, False), (False, False))
    assert nav_here(NAV, "/tag/prel/page/2/") == ((True, False), (False, False), (False, False))
    assert nav_here(NAV, "/") == ((False, False),) * 3
    assert nav_here([], "/tag/") == ()


def test_the_header_marks_the_section_of_each_page_in_one_environment(tmp_path: Path) -> None:
    config = config_from_data({"title": "T"}, tmp_path)
    env = make_environment(load_theme(config), config)
    site = {
        "title": "Cables & more",
        "description": "",
        "language": "en",
        "feed_url": "/feed.xml",
        "nav": NAV,
        "search": False,
    }

    def current(page_url: str) -> list[tuple[str, str]]:
        context = {"site": site, "page_url": page_url, "page_kind": "not_found"}
        html = render_page(env, Page(page_url, "404.html", "404.html", context)).decode()
        header = html[html.index("<header") : html.index("</header>")]
        assert "<title>Not found · Cables &amp; more</title>" in html
        return re.findall(r'href="([^"]+)" aria-current="(\w+)"', header)

    # the same pages again after others: each still gets its own header
    for _ in range(2):
        assert current("/tag/") == [("/tag/", "page")]
        assert current("/tag/prel/") == [("/tag/", "true")]
        assert current("/origin/") == [("/origin/", "page")]
        assert current("/date/2009/11/") == [("/date/", "true")]
        assert current("/") == []


def test_tags_references_and_badges_of_each_cable_page_are_its_own(tmp_path: Path) -> None:
    """The minimal archive: PREL on five cables, 09ROME1240 cited by two, one process."""
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive)
    out = tmp_path / "public"
    build(load_config(archive / "site.yaml"), out, clean=True, jobs=1)
    pages = sorted(out.glob("cable/*/*/*.html"))
    assert len(pages) == 6
    tags_seen: set[str] = set()
    for page in pages:
        html = page.read_text()
        twin = json.loads(page.with_suffix(".json").read_text())
        tags = re.findall(r'class="tag-code"[^>]*>([^<]+)<', html)
        assert tags == twin["tags"], page.name
        tags_seen.update(tags)
        refs = html[
            html.index('<section class="references"') : html.index(
                "</section>", html.index('<section class="references"')
            )
        ]
        assert re.findall(r'class="ref-id[^"]*">(?:<a [^>]+>)?([^<]+)<', refs) == twin["references"]
        badges = re.findall(r'<a class="level[^"]*" href="[^"]+">(.*?)</a>', html)
        assert badges == [twin["classification"].replace("//", "//<wbr>")] * 2, page.name
    assert {"PREL", "FR", "KNNP"} <= tags_seen
