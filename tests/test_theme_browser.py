"""The default theme in Debian's Chromium (Playwright): phones, keyboard, dark and print.

Never downloads a browser: /usr/bin/chromium is installed by .ci/run. A
missing Chromium or Playwright fails these tests; it does not skip them. The
stress archive (tests/sites/theme) is served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from theme_support import STRESS_URL, build_archives

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")


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
    """The stress archive's public/ over HTTP on 127.0.0.1 (its links start with /)."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    public = build_archives(tmp_path_factory, "theme")["theme"]
    handler = partial(Quiet, directory=str(public))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def open_page(browser: Any, url: str, width: int, scheme: str = "light") -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": 800}, color_scheme=scheme, is_mobile=width < 500,
        has_touch=width < 500,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(90_000)  # CI machines can be very busy
    page.goto(url)
    return page


def sideways(page: Any) -> int:
    return int(page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    ))  # fmt: skip


@pytest.mark.parametrize("width", [320, 375])
def test_a_phone_never_scrolls_sideways_on_the_stress_pages(
    browser: Any, served: str, width: int
) -> None:
    for url in [STRESS_URL, "/", "/tag/", "/addressee/", "/tag/prel/", "/origin/", "/date/"]:
        page = open_page(browser, served + url, width)
        for summary in page.locator("details summary").all():
            summary.click()  # 25 addressees and the original text, opened
        assert sideways(page) <= 0, f"{url} scrolls sideways at {width} px"
        if url == STRESS_URL:
            pre = page.locator("pre.original-text")
            assert pre.evaluate("pre => pre.scrollWidth > pre.clientWidth")  # scrolls in its box
            title = page.locator("h1#cable-title")
            assert title.evaluate("h => h.scrollWidth <= h.clientWidth")
        page.context.close()


def test_the_first_tab_shows_the_skip_link_and_focus_is_visible(
    browser: Any, served: str
) -> None:
    page = open_page(browser, served + STRESS_URL, 1280)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " const r = e.getBoundingClientRect();"
        " return [e.className, s.outlineStyle, parseFloat(s.outlineWidth),"
        " r.top >= 0 && r.height > 0]; }"
    )
    assert focused == ["skip-link", "solid", 3, True]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")
    page.context.close()


def test_dark_scheme_and_print_change_the_page(browser: Any, served: str) -> None:
    light = open_page(browser, served + STRESS_URL, 1280)
    dark = open_page(browser, served + STRESS_URL, 1280, scheme="dark")
    script = "() => getComputedStyle(document.body).backgroundColor"
    assert light.evaluate(script) == "rgb(251, 250, 247)"
    assert dark.evaluate(script) == "rgb(20, 22, 25)"
    badge = "() => getComputedStyle(document.querySelector('.portion-s')).backgroundColor"
    assert light.evaluate(badge) != dark.evaluate(badge)
    light.emulate_media(media="print")
    hidden = light.evaluate(
        "() => ['.site-header', '.site-footer', '.post-nav', 'section.original']"
        ".map(s => getComputedStyle(document.querySelector(s)).display)"
    )
    assert hidden == ["none", "none", "none", "none"]  # the original prints only when opened
    after = light.evaluate(
        "() => getComputedStyle(document.querySelector('.ref-list a'), '::after').content"
    )
    assert after == '" </cable/2010/02/10USUNNEWYORK100.html>"'  # where the link leads, on paper
    light.context.close()
    dark.context.close()
