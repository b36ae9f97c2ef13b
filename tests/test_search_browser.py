"""Search in Debian's Chromium (Playwright), on the demo archive built with its Pagefind index.

Never downloads a browser: /usr/bin/chromium is installed by .ci/run; a
missing Chromium or Playwright fails these tests, it does not skip them. The
built site is served over HTTP on 127.0.0.1, and every request the page makes
is checked to stay there (the search works offline, from the static files).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator.build import build
from generator.config import load_config
from generator.search import SHARD_PAGES_VARIABLE

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium; the tests fail (not skip) when it or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo archive (content/, site.yaml) built with its search index, served on 127.0.0.1."""
    with serve_demo(tmp_path_factory.mktemp("demo")) as (url, _):
        yield url


@pytest.fixture(scope="module")
def served_in_shards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The demo built with search shards of at most 150 pages (URL, public/)."""
    with serve_demo(tmp_path_factory.mktemp("demo-shards"), shard_pages="150") as served:
        yield served


@contextmanager
def serve_demo(archive: Path, *, shard_pages: str = "") -> Iterator[tuple[str, Path]]:
    """Build the demo archive in `archive` and serve its public/ over HTTP: (URL, public/)."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    shutil.copytree(REPO / "content", archive / "content")
    shutil.copy(REPO / "site.yaml", archive / "site.yaml")
    config = load_config(archive / "site.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(SHARD_PAGES_VARIABLE, raising=False)
        if shard_pages:
            patch.setenv(SHARD_PAGES_VARIABLE, shard_pages)
        report = build(config, jobs=2)
    assert not report.failed and config.search
    handler = partial(Quiet, directory=str(config.output_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", config.output_dir
    finally:
        server.shutdown()
        server.server_close()


def open_page(browser: Any, url: str, *, width: int = 1280, script: bool = True) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=script, is_mobile=width < 500
    )
    page = context.new_page()
    page.set_default_timeout(90_000)  # CI machines can be very busy
    page.requested = []
    page.errors = []
    page.on("request", lambda request: page.requested.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(url)
    return page


def result_ids(page: Any) -> list[str]:
    return [str(text) for text in page.locator("#search-list .cable-item-id").all_inner_texts()]


def status_count(page: Any) -> int:
    text = page.locator("#search-status").inner_text()
    match = re.match(r"([\d,]+) cables?\b", text)
    assert match, text
    return int(match.group(1).replace(",", ""))


def test_typing_nonproliferation_directors_finds_09rome1240(browser: Any, served: str) -> None:
    page = open_page(browser, f"{served}/search/")
    page.locator("#search-q").fill("Nonproliferation Directors")
    page.locator("#search-q").press("Enter")
    page.wait_for_selector("#search-list .cable-item")
    assert "09ROME1240" in result_ids(page)
    item = page.locator("#search-list .cable-item", has_text="09ROME1240").first
    link = item.locator("a.cable-item-subject")
    assert link.inner_text() == "G-8 NONPROLIFERATION DIRECTORS GROUP MEETING"
    assert link.get_attribute("href") == "/cable/2009/11/09ROME1240.html"
    meta = item.locator(".cable-item-meta").inner_text()
    assert "10 November 2009" in meta and "Embassy Rome" in meta and "CONFIDENTIAL" in meta
    marks = [m.lower() for m in item.locator(".search-excerpt mark").all_inner_texts()]
    assert any(m.startswith(("nonproliferation", "directors")) for m in marks), marks
    assert "q=Nonproliferation+Directors" in page.url  # the search is a link
    link.click()
    page.wait_for_url("**/cable/2009/11/09ROME1240.html")
    assert not page.errors
    assert all(url.startswith(served) for url in page.requested), "a request left the site"


def test_a_tag_filter_narrows_the_results_and_is_kept_in_the_link(
    browser: Any, served: str
) -> None:
    page = open_page(browser, f"{served}/search/?q=nonproliferation")
    page.wait_for_selector("#search-list .cable-item")
    before = status_count(page)
    tag_box = page.locator('.search-filter[data-filter="tag"] input[value="KNNP"]')
    knnp = int(tag_box.locator("xpath=..").locator(".count").inner_text().replace(",", ""))
    assert 0 < knnp < before
    tag_box.check()
    page.wait_for_function(
        "count => { const text = document.getElementById('search-status').textContent;"
        " return /^[0-9]/.test(text) && !text.startsWith(count); }",
        arg=f"{before:,} ",
    )
    after = status_count(page)
    assert after == knnp < before
    assert "tag=KNNP" in page.url
    shown = page.locator("#search-list .cable-item").count()
    assert shown == min(after, 20)
    # the same link opened afresh gives the same narrowed results
    again = open_page(browser, page.url)
    again.wait_for_selector("#search-list .cable-item")
    assert status_count(again) == after
    assert again.locator('.search-filter[data-filter="tag"] input[value="KNNP"]').is_checked()
    assert not page.errors and not again.errors


def test_words_typed_while_the_index_loads_are_searched_not_lost(browser: Any, served: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    held: list[Any] = []  # the index list is held back until the words are typed
    page.route("**/pagefind/shards.json", lambda route: held.append(route))
    page.goto(f"{served}/search/")
    page.locator("#search-q").fill("Nonproliferation Directors")
    page.locator("#search-q").press("Enter")
    page.wait_for_timeout(1_000)  # past the 250 ms typing pause: nothing can search yet
    while not held:
        page.wait_for_timeout(50)
    assert page.locator("#search-status").inner_text().startswith("Loading")
    held[0].continue_()
    page.wait_for_selector("#search-list .cable-item")
    assert "09ROME1240" in result_ids(page)
    assert page.locator("#search-q").input_value() == "Nonproliferation Directors"
    assert "q=Nonproliferation+Directors" in page.url
    context.close()


def test_the_header_box_on_a_cable_page_leads_to_the_results(browser: Any, served: str) -> None:
    page = open_page(browser, f"{served}/cable/2009/11/09ROME1240.html", width=390)
    page.locator("#site-search-q").fill("09ROME1240")
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url("**/search/?q=09ROME1240")
    page.wait_for_selector("#search-list .cable-item")
    assert result_ids(page)[0] == "09ROME1240"


def test_without_javascript_the_page_says_so_and_links_the_indexes(
    browser: Any, served: str
) -> None:
    page = open_page(browser, f"{served}/search/?q=rome", script=False)
    message = page.locator(".search-noscript")
    assert message.is_visible()
    assert "Search needs JavaScript" in message.inner_text()
    hrefs = message.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {"/tag/", "/origin/", "/classification/", "/date/"} <= set(hrefs)


def shard_urls(public: Path) -> dict[str, list[str]]:
    """The cable URLs each shard's bundle indexed, from its fragments."""
    found: dict[str, list[str]] = {}
    for name in json.loads((public / "pagefind/shards.json").read_text())["shards"]:
        urls = []
        for path in (public / "pagefind" / name / "fragment").iterdir():
            raw = gzip.decompress(path.read_bytes())
            urls.append(json.loads(raw[len(b"pagefind_dcd") :])["url"])
        found[name] = sorted(urls)
    return found


def test_in_small_shards_the_first_and_last_cable_of_every_shard_is_found(
    browser: Any, served_in_shards: tuple[str, Path]
) -> None:
    served, public = served_in_shards
    shards = shard_urls(public)
    assert len(shards) >= 6 and max(len(urls) for urls in shards.values()) <= 150
    assert sum(len(urls) for urls in shards.values()) == len(list(public.glob("cable/*/*/*.html")))
    page = open_page(browser, f"{served}/search/")
    for name, urls in shards.items():
        for url in (urls[0], urls[-1]):
            cable_id = url.rsplit("/", 1)[1].removesuffix(".html")
            page.locator("#search-q").fill(cable_id)
            page.locator("#search-q").press("Enter")
            page.wait_for_function(
                "id => document.getElementById('search-status').textContent.includes(id)",
                arg=cable_id,
            )
            page.wait_for_selector("#search-list .cable-item")
            found = result_ids(page)
            assert cable_id in found[:3], (name, cable_id, found)
    assert not page.errors
    assert all(url.startswith(served) for url in page.requested), "a request left the site"


def test_small_shards_give_the_same_counts_and_filters_as_one_index(
    browser: Any, served: str, served_in_shards: tuple[str, Path]
) -> None:
    assert len(shard_urls(served_in_shards[1])) >= 6
    figures = []
    for base in (served, served_in_shards[0]):
        page = open_page(browser, f"{base}/search/?q=nonproliferation")
        page.wait_for_selector("#search-list .cable-item")
        words = status_count(page)
        knnp = page.locator('.search-filter[data-filter="tag"] input[value="KNNP"]')
        knnp_count = knnp.locator("xpath=..").locator(".count").inner_text()
        years = page.locator('.search-filter[data-filter="year"] label').all_inner_texts()
        filtered = open_page(browser, f"{base}/search/?q=nonproliferation&tag=KNNP&year=2009")
        filtered.wait_for_function(
            "() => /with the filters/.test(document.getElementById('search-status').textContent)"
        )
        figures.append((words, knnp_count, years, status_count(filtered)))
        assert not page.errors and not filtered.errors
    assert figures[0] == figures[1]
    assert 0 < figures[1][3] < figures[1][0]
