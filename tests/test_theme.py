"""The default theme: accessible, self-contained, readable on a phone and a desktop, light and dark.

Two archives are built once: tests/sites/minimal and tests/sites/theme, the
stress archive (a long id, 25 + 25 addressees, 60-character unbroken tokens,
every portion-marking level, a 150-character line in the original). The HTML
checks read every built page. The same archives in a browser: test_theme_browser.py;
the view helpers behind the pages: test_pages_view.py.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from theme_support import STRESS_URL, build_archives

SITES = Path(__file__).resolve().parent / "sites"
CSS_PATH = Path(__file__).resolve().parent.parent / "themes/default/static/assets/site.css"
LANDMARKS = ("header", "nav", "main", "footer")


# ---- building and reading the archives ----------------------------------------------------


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The public/ folders of the minimal and the stress archive, built once."""
    return build_archives(tmp_path_factory, "minimal", "theme")


class Page(HTMLParser):
    """What the checks need of one HTML page: elements in order, headings, ids, text by id."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "wbr", "source", "area", "col"})

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.headings: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.text_of: dict[str, str] = {}
        self._open: list[tuple[str, str | None, int | None]] = []  # tag, id, heading level
        self._chunks: dict[str, list[str]] = {}
        self._heading_text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        self.elements.append((tag, values))
        if "id" in values:
            self.ids.add(values["id"])
        if tag in self.VOID:
            return
        level = int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else None
        if level is not None:
            self._heading_text = []
        element_id = values.get("id")
        if element_id:
            self._chunks[element_id] = []
        self._open.append((tag, element_id, level))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, element_id, level = self._open.pop()
            if element_id:
                self.text_of[element_id] = " ".join("".join(self._chunks[element_id]).split())
            if level is not None:
                self.headings.append((level, " ".join("".join(self._heading_text).split())))
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id, _ in self._open:
            if element_id:
                self._chunks[element_id].append(data)
        if any(level is not None for _, _, level in self._open):
            self._heading_text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        """Elements of a tag whose attributes contain the given values ('class_' for class)."""
        found = []
        for name, values in self.elements:
            if name != tag:
                continue
            wanted = {key.rstrip("_"): value for key, value in attrs.items()}
            if all(
                value in values.get(key, "").split() if key == "class" else values.get(key) == value
                for key, value in wanted.items()
            ):
                found.append(values)
        return found


def html_pages(public: Path) -> Iterator[tuple[str, Page]]:
    for path in sorted(public.rglob("*.html")):
        yield path.relative_to(public).as_posix(), Page(path.read_text(encoding="utf-8"))


def page_at(public: Path, url: str) -> Page:
    relpath = url.lstrip("/")
    relpath = relpath + "index.html" if relpath.endswith("/") or not relpath else relpath
    return Page((public / relpath).read_text(encoding="utf-8"))


def resolves(public: Path, url: str) -> bool:
    path = url.split("#")[0].lstrip("/")
    target = public / path / "index.html" if url.endswith("/") else public / path
    return target.is_file()


# ---- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["minimal", "theme"])
def test_every_page_has_lang_skip_link_landmarks_and_one_h1(
    sites: dict[str, Path], name: str
) -> None:
    pages = list(html_pages(sites[name]))
    assert len(pages) > 20
    for relpath, page in pages:
        html_tag = page.find("html")[0]
        assert html_tag.get("lang") == "en", relpath
        body_links = [values for tag, values in page.elements if tag in {"a", "input", "button"}]
        first = body_links[0]
        assert first.get("class") == "skip-link" and first["href"] == "#main", relpath
        assert page.find("main", id="main"), relpath
        for landmark in LANDMARKS:
            assert page.find(landmark), f"{relpath} has no <{landmark}>"
        assert len([h for h in page.headings if h[0] == 1]) == 1, relpath
        navs = page.find("nav")
        assert all(nav.get("aria-label") or nav.get("aria-labelledby") for nav in navs), relpath
        assert page.find("form", role="search", action="/search/"), relpath
        assert page.find("input", name="q", id="site-search-q"), relpath
        assert page.find("label", for_="site-search-q"), relpath


@pytest.mark.parametrize("name", ["minimal", "theme"])
def test_headings_start_at_h1_and_never_skip_a_level(sites: dict[str, Path], name: str) -> None:
    for relpath, page in html_pages(sites[name]):
        levels = [level for level, _ in page.headings]
        assert levels[0] == 1, relpath
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, f"{relpath}: h{before} then h{after} ({page.headings})"
        assert all(text for _, text in page.headings), f"{relpath}: an empty heading"


SEARCH_FILES = {"search/index.html", "assets/search.js"}


@pytest.mark.parametrize("name", ["minimal", "theme"])
def test_no_built_file_requests_another_host_or_needs_javascript(
    sites: dict[str, Path], name: str
) -> None:
    external = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
    for path in sorted(sites[name].rglob("*")):
        if path.suffix not in {".html", ".css", ".svg", ".js"}:
            continue
        text = path.read_text(encoding="utf-8")
        relpath = path.relative_to(sites[name]).as_posix()
        if relpath not in SEARCH_FILES and not relpath.startswith("pagefind/"):
            # only the search page runs a script; every other page works without one
            assert "<script" not in text and path.suffix != ".js", f"{path}: JavaScript"
        assert "@import" not in text, path
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            assert not external.match(url), f"{path}: url({url})"
        if path.suffix == ".html":
            page = Page(text)
            for tag, values in page.elements:
                loaded = values.get("src") or (values.get("href") if tag == "link" else None)
                assert not (loaded and external.match(loaded)), f"{path}: <{tag}> loads {loaded}"


def test_stylesheet_uses_system_fonts_and_has_dark_and_print_rules() -> None:
    css = CSS_PATH.read_text(encoding="utf-8")
    assert "@font-face" not in css
    assert re.search(r"--sans:\s*system-ui", css) and "--mono: ui-monospace" in css
    dark = css_block(css, "@media (prefers-color-scheme: dark)")
    for variable in ("--bg", "--fg", "--link", "--muted", "--lv-s", "--lv-ink"):
        assert re.search(rf"{variable}:\s*#", dark), f"dark mode does not set {variable}"
    printing = css_block(css, "@media print")
    hidden = re.search(r"([^{}]*)\{\s*display:\s*none\s*!important", printing)
    assert hidden is not None
    for selector in (".site-header", ".site-footer", ".post-nav", ".pager", ".skip-link"):
        assert selector in hidden.group(1), f"print shows {selector}"
    assert 'content: " <" attr(href) ">"' in printing  # where a cable's links lead, on paper
    assert re.search(r"\.original-text\s*\{[^}]*white-space:\s*pre-wrap", printing)
    assert re.search(r":focus-visible\s*\{\s*outline:\s*3px solid", css)


def css_block(css: str, head: str) -> str:
    """The text inside the braces of the first block that starts with `head`."""
    start = css.index(head)
    depth, position = 0, css.index("{", start)
    for index in range(position, len(css)):
        depth += {"{": 1, "}": -1}.get(css[index], 0)
        if depth == 0:
            return css[position + 1 : index]
    raise AssertionError(f"unclosed {head}")


def palette(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-fA-F]{6})\b", block))


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def tint(colour: str, background: str, share: float) -> str:
    """color-mix(in srgb, colour share, background)."""
    mixed = [
        round(int(colour[i : i + 2], 16) * share + int(background[i : i + 2], 16) * (1 - share))
        for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{c:02x}" for c in mixed)


@pytest.mark.parametrize("scheme", ["light", "dark", "print"])
def test_text_colours_meet_wcag_aa(scheme: str) -> None:
    css = CSS_PATH.read_text(encoding="utf-8")
    colours = palette(css_block(css, ":root"))
    if scheme != "light":
        head = "@media (prefers-color-scheme: dark)" if scheme == "dark" else "@media print"
        colours |= palette(css_block(css, head))
    levels = ("--lv-u", "--lv-sbu", "--lv-c", "--lv-s", "--lv-ts")
    for text in ("--fg", "--muted", "--link", "--link-visited", "--accent", *levels):
        for background in ("--bg", "--panel", "--target"):  # target: a linked paragraph
            ratio = contrast(colours[text], colours[background])
            assert ratio >= 4.5, f"{scheme}: {text} on {background} is {ratio:.2f}:1"
    for level in levels:
        badge = contrast(colours["--lv-ink"], colours[level])
        assert badge >= 4.5, f"{scheme}: a {level} portion badge is {badge:.2f}:1"
        label = contrast(colours[level], tint(colours[level], colours["--bg"], 0.12))
        assert label >= 4.5, f"{scheme}: a {level} classification label is {label:.2f}:1"
    assert len({colours[level] for level in levels}) == len(levels)  # one colour per level
    if scheme != "print":
        assert contrast(colours["--focus"], colours["--bg"]) >= 3  # focus ring, WCAG 1.4.11
        assert contrast(colours["--bar"], colours["--bg"]) >= 3  # chart bars


# ---- home, index pages and listings -------------------------------------------------------------


def test_home_shows_counts_latest_cables_entry_points_and_a_labelled_timeline(
    sites: dict[str, Path],
) -> None:
    page = page_at(sites["minimal"], "/")
    text = (sites["minimal"] / "index.html").read_text(encoding="utf-8")
    assert "<dt>Cables</dt><dd>6</dd>" in text
    assert '<time datetime="2006-03-01T00:00:00">1 March 2006</time>' in text
    for url in ("/tag/", "/origin/", "/addressee/", "/classification/", "/date/"):
        assert page.find("a", href=url), url
    assert len(page.find("li", class_="cable-item")) == 6
    svg = page.find("svg", role="img")[0]
    title_id, desc_id = svg["aria-labelledby"].split()
    assert page.text_of[title_id] == "Cables per month, March 2006 to December 2009"
    assert page.text_of[desc_id].startswith("6 cables from March 2006 to December 2009;")
    assert "left out: Apr 2006–Dec 2007, Feb 2008–Sep 2009" in page.text_of[desc_id]
    assert len(page.find("rect", class_="chart-bar")) == 5  # five months have cables
    assert [y for y in page.find("text", class_="chart-year")]


def test_term_page_has_meaning_count_range_chart_and_a_pager(sites: dict[str, Path]) -> None:
    public = sites["minimal"]
    first = page_at(public, "/tag/prel/")
    text = (public / "tag/prel/index.html").read_text(encoding="utf-8")
    assert "Political Affairs: External Political Relations" in text
    assert "<strong>5</strong> cables" in text
    svg = first.find("svg", role="img")[0]
    assert all(part in first.text_of for part in svg["aria-labelledby"].split())
    assert [p["href"] for p in first.find("a") if p.get("href", "").startswith("/tag/prel/page/")]
    assert first.find("a", href="/tag/prel/page/3/")  # last
    middle = page_at(public, "/tag/prel/page/2/")
    for href, rel in (("/tag/prel/", "prev"), ("/tag/prel/page/3/", "next")):
        assert middle.find("a", href=href, rel=rel), href
    assert middle.find("a", href="/tag/prel/#pages")
    last = (public / "tag/prel/page/3/index.html").read_text(encoding="utf-8")
    assert '<span aria-disabled="true">Later ›</span>' in last


def test_tag_listing_groups_tags_by_kind_and_its_jump_list_resolves(sites: dict[str, Path]) -> None:
    page = page_at(sites["theme"], "/tag/")
    sections = [values["id"] for values in page.find("section", class_="term-group")]
    assert sections == ["kind-subject", "kind-program", "kind-organization", "kind-geography",
                        "kind-unknown"]  # fmt: skip
    jumps = [a["href"] for a in page.find("a") if a.get("href", "").startswith("#kind-")]
    assert jumps == [f"#{section}" for section in sections]
    assert "CLINTON, HILLARY" in page.text_of["kind-unknown"]
    assert "IR 1 Iran" in page.text_of["kind-geography"]


def test_addressee_listing_has_an_a_to_z_jump_list(sites: dict[str, Path]) -> None:
    page = page_at(sites["theme"], "/addressee/")
    letters = [a["href"] for a in page.find("a") if a.get("href", "").startswith("#letter-")]
    assert letters == ["#letter-a", "#letter-s"]
    assert all(href[1:] in page.ids for href in letters)
    assert len(page.find("a", href="/addressee/amembassy-buenos-aires/")) == 1


# ---- a cable -------------------------------------------------------------------------------------


def test_cable_metadata_links_every_tag_post_addressee_class_and_date(
    sites: dict[str, Path],
) -> None:
    public = sites["theme"]
    page = page_at(public, STRESS_URL)
    text = (public / STRESS_URL.lstrip("/")).read_text(encoding="utf-8")
    tags = [a["href"] for a in page.find("a", class_="tag-code")]
    assert len(tags) == 12 and "/tag/clinton-hillary/" in tags
    meaning = "Political Affairs: External Political Relations"
    assert re.search(f'<span class="tag-meaning"[^>]*>{meaning}</span>', text)
    addressees = [a["href"] for a in page.find("a") if a.get("href", "").startswith("/addressee/a")]
    assert len(addressees) == 50
    for href in [*tags, *addressees, "/origin/us-mission-usun-new-york/", "/date/2010/02/",
                 "/date/2010/", "/classification/secret-noforn/"]:  # fmt: skip
        assert page.find("a", href=href), href
        assert resolves(public, href), href
    assert page.text_of["cable-title"].startswith("IRAN SANCTIONS: XXXXXXXX")
    assert page.find("details", class_="more")  # 25 names fold away


def test_paragraph_numbers_link_to_their_anchor_and_badges_show_each_level(
    sites: dict[str, Path],
) -> None:
    page = page_at(sites["theme"], STRESS_URL)
    numbers = [a["href"] for a in page.find("a", class_="para-number")]
    assert numbers == [f"#p{n}" for n in range(1, 10)]
    assert all(href[1:] in page.ids for href in numbers)
    badges = [a["class"] for a in page.find("abbr", class_="portion")]
    assert badges == [
        "portion portion-nf portion-s", "portion portion-u", "portion portion-sbu",
        "portion portion-c", "portion portion-s", "portion portion-nf portion-c",
        "portion portion-nf portion-sbu", "portion portion-c", "portion portion-ts",
    ]  # fmt: skip


def test_original_text_is_a_focusable_pre_that_needs_no_javascript(sites: dict[str, Path]) -> None:
    public = sites["theme"]
    text = (public / STRESS_URL.lstrip("/")).read_text(encoding="utf-8")
    original = (SITES / "theme/content/cables/2010/02/10USUNNEWYORK123.txt").read_text()
    match = re.search(r'<details>\s*<summary>[^<]+</summary>\s*<pre class="original-text" '
                      r'tabindex="0" aria-label="[^"]+">\n(.*?)</pre>', text, re.S)  # fmt: skip
    assert match is not None
    assert match.group(1).replace("&#39;", "'") == original
    assert max(len(line) for line in original.splitlines()) >= 150
