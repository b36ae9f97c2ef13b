"""The served demo archive in a real browser: Debian's Chromium driven by Playwright.

Never downloads a browser: Chromium is /usr/bin/chromium (`apt-get install
chromium`, done by .ci/run). A missing Chromium or Playwright fails these
tests; it does not skip them. Screenshots (phone and desktop) go to
$CABLESITE_SCREENSHOTS, or to a temporary folder named in the test output.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import REPO_DIR, ServerProcess, copy_archive, set_subject

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
ROME_URL = "/cable/2009/11/09ROME1240.html"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium; the tests fail (not skip) when it or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`cablesite serve` on a private copy of the demo archive (site.yaml and content/)."""
    archive = tmp_path_factory.mktemp("demo") / "archive"
    archive.mkdir()
    shutil.copy(REPO_DIR / "site.yaml", archive / "site.yaml")
    shutil.copytree(REPO_DIR / "content", archive / "content")
    assert list((archive / "content" / "cables").rglob("09ROME1240.md")), "no demo archive"
    server = ServerProcess(archive, startup_seconds=900)  # the first build of ~1,000 cables
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go."""
    folder = os.environ.get("CABLESITE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {path}")
    return path


def new_page(browser: Any, viewport: dict[str, int], *, phone: bool = False) -> Any:
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    page.set_default_timeout(90_000)  # CI machines can be very busy
    return page


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no horizontal scrolling)."""
    return int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )


def longest_line_cable(archive_dir: Path) -> str:
    """The URL of the cable whose original text has the longest line (the hardest for a phone)."""
    best = (0, "")
    for txt in sorted((archive_dir / "content" / "cables").rglob("*.txt")):
        width = max((len(line) for line in txt.read_text(encoding="utf-8").splitlines()), default=0)
        if width > best[0]:
            year, month = txt.parent.parent.name, txt.parent.name
            best = (width, f"/cable/{year}/{month}/{txt.stem}.html")
    return best[1]


def test_home_tag_and_cable_pages_link_up_in_a_browser(
    browser: Any, demo: ServerProcess, shots: Path
) -> None:
    page = new_page(browser, DESKTOP)
    page.goto(demo.base_url + "/")
    assert page.title() == "Cablegate demo archive"
    page.screenshot(path=str(shots / "desktop-home.png"))
    page.locator("a[href='/tag/']").first.click()  # the site's navigation
    page.wait_for_url("**/tag/")
    page.locator("main a[href='/tag/prel/']").first.click()
    page.wait_for_url("**/tag/prel/")
    assert page.inner_text("main h1").strip() == "PREL"
    page.screenshot(path=str(shots / "desktop-tag.png"))
    first = page.locator("main a[href^='/cable/'][href$='.html']").first
    link_text = first.inner_text().strip()
    first.click()
    page.wait_for_url("**/cable/*/*/*.html")
    json_url = page.url.removesuffix(".html") + ".json"
    data = json.loads(page.request.get(json_url).text())
    assert page.inner_text("main h1").strip() == (data["subject"] or data["id"])
    assert link_text in {data["subject"], data["id"]}
    assert page.locator("main a[href='/tag/prel/']").count() >= 1  # and back to its tag
    page.screenshot(path=str(shots / "desktop-cable.png"), full_page=True)
    page.context.close()


def test_a_paragraph_anchor_scrolls_to_and_targets_the_paragraph(
    browser: Any, demo: ServerProcess
) -> None:
    page = new_page(browser, PHONE, phone=True)
    page.goto(demo.base_url + ROME_URL + "#p3")
    target = page.evaluate("() => document.querySelector(':target')?.id")
    assert target == "p3"
    assert page.evaluate("() => window.scrollY") > 0
    top = page.evaluate("() => document.getElementById('p3').getBoundingClientRect().top")
    assert -2 <= top < PHONE["height"] / 2  # sub-pixel rounding
    page.click("#p5 a[href='#p5']")  # the paragraph's own number links to it
    page.wait_for_url("**#p5")
    assert page.evaluate("() => document.querySelector(':target').id") == "p5"
    top = page.evaluate("() => document.getElementById('p5').getBoundingClientRect().top")
    assert -2 <= top < PHONE["height"] / 2  # sub-pixel rounding
    assert page.inner_text("#p5").startswith("5.")
    page.context.close()


def test_the_original_text_view_shows_the_telegram_byte_for_byte(
    browser: Any, demo: ServerProcess, shots: Path
) -> None:
    page = new_page(browser, DESKTOP)
    page.goto(demo.base_url + ROME_URL)
    original = page.locator("details pre").first
    assert not original.is_visible()  # folded until asked for
    page.click("details:has(pre) > summary")
    original.wait_for(state="visible")
    expected = (
        demo.archive_dir / "content/cables/2009/11/09ROME1240.txt"
    ).read_bytes().decode("utf-8")
    assert original.evaluate("pre => pre.textContent") == expected
    original.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "desktop-original.png"))
    page.context.close()


def test_a_phone_never_scrolls_sideways(browser: Any, demo: ServerProcess, shots: Path) -> None:
    widest = longest_line_cable(demo.archive_dir)
    page = new_page(browser, PHONE, phone=True)
    for name, url in [
        ("home", "/"),
        ("tags", "/tag/"),
        ("tag", "/tag/prel/"),
        ("addressees", "/addressee/"),
        ("cable", ROME_URL),
        ("widest-cable", widest),
    ]:
        page.goto(demo.base_url + url)
        page.screenshot(path=str(shots / f"phone-{name}.png"))
        assert horizontal_overflow(page) <= 0, f"{url} scrolls sideways on a 375 px phone"
        if name.endswith("cable"):
            page.click("details:has(pre) > summary")  # the telegram's long lines too
            page.locator("details pre").first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / f"phone-{name}-original.png"))
            assert horizontal_overflow(page) <= 0, f"{url}: the original text scrolls sideways"
    page.context.close()


def test_an_open_page_reloads_itself_after_an_edit_and_shows_build_errors(
    browser: Any, tmp_path: Path, shots: Path
) -> None:
    archive = copy_archive(tmp_path / "archive")
    server = ServerProcess(archive)
    try:
        page = new_page(browser, DESKTOP)
        page.goto(server.base_url + ROME_URL)
        page.wait_for_function("() => window.LiveReload !== undefined")  # livereload.js connected
        set_subject(archive / "content/cables/2009/11/09ROME1240.md", "RELOADED BY ITSELF")
        page.wait_for_function(
            "() => document.querySelector('main h1').textContent.trim() === 'RELOADED BY ITSELF'"
        )
        templates = archive / "templates"
        templates.mkdir()
        broken = '{% extends "default/cable.html" %}{% block main %}{{'
        (templates / "cable.html").write_text(broken)
        banner = page.wait_for_selector("#cablesite-build-error")
        assert "syntax error" in banner.inner_text()
        box = banner.bounding_box()
        assert box is not None and -1 <= box["y"] <= 1  # in sight, though the reload kept scroll
        page.screenshot(path=str(shots / "desktop-build-error.png"))
        (templates / "cable.html").unlink()
        page.wait_for_selector("#cablesite-build-error", state="detached")
        assert page.inner_text("main h1").strip() == "RELOADED BY ITSELF"
        page.context.close()
    finally:
        assert server.stop() == 0
