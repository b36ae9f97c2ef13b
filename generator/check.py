"""`cablesite check`: verify a built site against the archive it was built from.

Checks that every internal link and asset of every HTML page and feed
resolves (fragments too: '#p5' must be an id on the target page), that every
cable has its page and its JSON, that every cable appears on the pages of each
of its index terms, and that the sitemap lists every page. Pages are read one
at a time, so checking 250,000 cables needs no more memory than building them.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from generator.errors import Problem
from generator.pages import Plan, plan_pages
from generator.site import Site
from generator.urls import INDEX_FILE, url_of_relpath

_LINK = re.compile(r"""\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LOC = re.compile(r"<loc>([^<]*)</loc>")
_FEED_LINK = re.compile(r"""<link\b[^>]*\shref="([^"]*)\"""")
PROBLEM_LIMIT = 1000


@dataclass(slots=True)
class CheckReport:
    """Problems found, and how much was looked at."""

    out_dir: Path
    pages: int = 0
    links: int = 0
    cables: int = 0
    problems: list[Problem] = field(default_factory=list)
    omitted: int = 0

    def add(self, path: str, message: str) -> None:
        if len(self.problems) < PROBLEM_LIMIT:
            self.problems.append(Problem(path, None, message))
        else:
            self.omitted += 1

    def summary(self) -> str:
        found = len(self.problems) + self.omitted
        verdict = "no problems" if not found else f"{found} problem(s)"
        return (
            f"checked {self.pages} files, {self.links} internal links, {self.cables} cables "
            f"in {self.out_dir}: {verdict}"
        )


def check_site(out_dir: Path, site: Site) -> CheckReport:
    """Verify the built site in out_dir against the Site it should hold."""
    report = CheckReport(out_dir=out_dir)
    if not (out_dir / INDEX_FILE).is_file():
        report.add(str(out_dir), "no index.html: this is not a built site (run cablesite build)")
        return report
    checker = _LinkChecker(out_dir, site.config.base_path, site.config.base_url, report)
    plan = plan_pages(site)
    term_pages = _check_terms(site, plan, checker)
    for relpath in _iter_files(out_dir):
        if relpath in term_pages:
            continue
        if relpath.endswith(".html"):
            checker.check_page(relpath)
        elif relpath.endswith(".xml") and not relpath.startswith("sitemap"):
            checker.check_feed(relpath)
    checker.check_fragments()
    _check_cables(site, out_dir, report)
    _check_sitemap(out_dir, checker, report)
    return report


class _LinkChecker:
    """Resolves the links of one page after another; remembers only fragments to verify."""

    def __init__(self, out_dir: Path, base_path: str, base_url: str, report: CheckReport) -> None:
        self.out_dir = out_dir
        self.base_path = base_path
        self.base_url = base_url
        self.report = report
        self.pending: dict[str, set[tuple[str, str]]] = {}  # target -> {(fragment, from page)}
        self.exists: dict[str, bool] = {}

    def check_page(self, relpath: str) -> set[str]:
        """Check one HTML page; return the site URLs it links to."""
        text = self._read(relpath)
        self.report.pages += 1
        ids = {a or b for a, b in _ID.findall(text)}
        page_url = url_of_relpath(relpath)
        targets: set[str] = set()
        for first, second in _LINK.findall(text):
            found = self._resolve(relpath, page_url, html.unescape(first or second), ids)
            if found:
                targets.add(found)
        return targets

    def check_feed(self, relpath: str) -> None:
        text = self._read(relpath)
        self.report.pages += 1
        for href in _FEED_LINK.findall(text):
            self._resolve(relpath, url_of_relpath(relpath), html.unescape(href), set())

    def _read(self, relpath: str) -> str:
        return (self.out_dir / relpath).read_text(encoding="utf-8", errors="replace")

    def site_url(self, link: str, page_url: str) -> tuple[str, str] | None:
        """(site URL, fragment) of an internal link, or None for another host or scheme."""
        if self.base_url and link.startswith(self.base_url):
            link = link[len(self.base_url) :] or "/"
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            return None
        path = unquote(parts.path)
        if path.startswith("/") and self.base_path:
            if not (path == self.base_path or path.startswith(self.base_path + "/")):
                return ("\0outside", parts.fragment)
            path = path[len(self.base_path) :] or "/"
        absolute = urljoin(page_url, path) if path else page_url
        return absolute, unquote(parts.fragment)

    def _resolve(self, relpath: str, page_url: str, link: str, ids: set[str]) -> str | None:
        resolved = self.site_url(link, page_url)
        if resolved is None:
            return None
        url, fragment = resolved
        self.report.links += 1
        if url == "\0outside":
            self.report.add(
                relpath, f"link {link!r} leaves the site's base path {self.base_path!r}"
            )
            return None
        target = _target_relpath(url)
        if target is None or not self._exists(target):
            self.report.add(relpath, f"broken link {link!r}: nothing at {url}")
            return None
        if fragment:
            if url == page_url:
                if fragment not in ids:
                    self.report.add(
                        relpath, f"broken fragment {link!r}: no id {fragment!r} on this page"
                    )
            else:
                self.pending.setdefault(target, set()).add((fragment, relpath))
        return url

    def _exists(self, target: str) -> bool:
        known = self.exists.get(target)
        if known is None:
            known = (self.out_dir / target).is_file()
            self.exists[target] = known
        return known

    def check_fragments(self) -> None:
        for target, wanted in sorted(self.pending.items()):
            ids = {a or b for a, b in _ID.findall(self._read(target))}
            for fragment, source in sorted(wanted):
                if fragment not in ids:
                    self.report.add(source, f"broken fragment: no id {fragment!r} in {target}")


def _target_relpath(url: str) -> str | None:
    if not url.startswith("/") or "/../" in url or url.endswith("/.."):
        return None
    relative = url[1:]
    return relative + INDEX_FILE if relative == "" or relative.endswith("/") else relative


def _iter_files(out_dir: Path) -> Iterator[str]:
    root = str(out_dir)
    for dirpath, dirnames, filenames in os.walk(out_dir):
        dirnames.sort()
        relative = dirpath[len(root) :].strip(os.sep).replace(os.sep, "/")
        for name in sorted(filenames):
            yield f"{relative}/{name}" if relative else name


def _check_terms(site: Site, plan: Plan, checker: _LinkChecker) -> set[str]:
    """Every cable appears on the pages of each of its terms; returns the term pages read."""
    read: set[str] = set()
    for (kind, name), slices in plan.pagination.items():
        term = site.indexes[kind].terms[name]
        linked: set[str] = set()
        for page in slices:
            relpath = _target_relpath(page.url)
            assert relpath is not None
            if not (checker.out_dir / relpath).is_file():
                checker.report.add(relpath, f"the {kind} page of {name!r} is missing ({page.url})")
                continue
            read.add(relpath)
            linked |= checker.check_page(relpath)
        missing = [cable_id for cable_id in term.cable_ids if site.urls[cable_id] not in linked]
        for cable_id in missing[:20]:
            checker.report.add(
                _target_relpath(term.url) or term.url,
                f"cable {cable_id} is not listed on the {kind} pages of {name!r}",
            )
    return read


def _check_cables(site: Site, out_dir: Path, report: CheckReport) -> None:
    """Every cable has its HTML page and its JSON."""
    from generator.pages import url_for_json

    for cable_id, meta in site.cables.items():
        report.cables += 1
        for url in (site.urls[cable_id], url_for_json(site, meta)):
            relpath = _target_relpath(url)
            if relpath is None or not (out_dir / relpath).is_file():
                report.add(str(out_dir), f"cable {cable_id} has no page at {url}")


def _check_sitemap(out_dir: Path, checker: _LinkChecker, report: CheckReport) -> None:
    """The sitemap (an index of parts, or one urlset) lists every HTML page but the 404 page."""
    index_path = out_dir / "sitemap.xml"
    if not index_path.is_file():
        report.add(str(out_dir), "no sitemap.xml")
        return
    listed: set[str] = set()
    for loc in _iter_locs(checker, "sitemap.xml", depth=0):
        listed.add(loc)
    for relpath in _iter_files(out_dir):
        is_page = relpath.endswith(".html") and relpath != "404.html"
        if is_page and url_of_relpath(relpath) not in listed:
            report.add(relpath, "not listed in the sitemap")


def _iter_locs(checker: _LinkChecker, relpath: str, depth: int) -> Iterable[str]:
    text = checker._read(relpath)
    is_index = "<sitemapindex" in text
    for loc in _LOC.findall(text):
        resolved = checker.site_url(html.unescape(loc), "/")
        if resolved is None:
            checker.report.add(relpath, f"sitemap entry {loc!r} is not on this site")
            continue
        url = resolved[0]
        if is_index and depth == 0:
            target = _target_relpath(url)
            if target is None or not (checker.out_dir / target).is_file():
                checker.report.add(relpath, f"sitemap part {loc!r} is missing")
                continue
            yield from _iter_locs(checker, target, depth + 1)
        else:
            yield url
