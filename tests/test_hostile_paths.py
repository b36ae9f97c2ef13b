"""Hostile ids, terms and base URLs: nothing is written outside content/ or the output folder.

Cable ids and index terms such as '../../x', '/etc/passwd', 'CON', 300-character
names, mixed case, Unicode look-alikes and names whose slugs collide; a base_url
with a path. The whole temporary tree is snapshotted before and after each
import and build, so a file written anywhere else is caught. Colliding slugs get
distinct URLs that are the same on every build and whatever the input order.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hostile_support import parse_html

from generator.build import build
from generator.config import load_config

SITES = Path(__file__).resolve().parent / "sites"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=300,
    )


def minimal_archive(tmp_path: Path, base_url: str) -> Path:
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive, ignore=shutil.ignore_patterns(".cablesite-cache"))
    config = archive / "site.yaml"
    config.write_text(
        re.sub(r"(?m)^base_url: .*$", f"base_url: {base_url}", config.read_text()),
        encoding="utf-8",
    )
    return archive


# ---------------------------------------------------------------- base_url with a path


@pytest.mark.parametrize("base_url", ["https://example.org/cables", "https://example.org"])
def test_absolute_urls_in_sitemaps_feeds_and_robots_are_not_doubled(
    tmp_path: Path, base_url: str
) -> None:
    archive = minimal_archive(tmp_path, base_url)
    report = build(load_config(archive / "site.yaml"), jobs=1)
    assert not report.problems
    public = archive / "public"
    absolute: list[str] = []
    for path in public.rglob("*.xml"):
        root = ET.fromstring(path.read_bytes())
        absolute += [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
        absolute += [link.get("href", "") for link in root.iter(f"{ATOM}link")]
        absolute += [e.text or "" for e in root.iter(f"{ATOM}id")]
    robots = (public / "robots.txt").read_text()
    absolute += re.findall(r"(?m)^Sitemap: (\S+)$", robots)
    assert len(absolute) > 50
    for url in absolute:
        assert url.startswith(base_url + "/"), url
        relative = url[len(base_url) :]
        assert not relative.startswith("/cables/"), f"base path doubled: {url}"
        target = public / relative.lstrip("/")
        assert (target / "index.html" if relative.endswith("/") else target).is_file(), url
    sitemap_index = ET.fromstring((public / "sitemap.xml").read_bytes())
    assert [loc.text for loc in sitemap_index.iter(f"{SITEMAP}loc")] == [
        f"{base_url}/sitemap-cables-2006.xml",
        f"{base_url}/sitemap-cables-2008.xml",
        f"{base_url}/sitemap-cables-2009.xml",
        f"{base_url}/sitemap-pages.xml",
    ]


def test_links_of_pages_below_a_base_path_stay_below_it(tmp_path: Path) -> None:
    archive = minimal_archive(tmp_path, "https://example.org/cables")
    build(load_config(archive / "site.yaml"), jobs=1)
    public = archive / "public"
    page = parse_html((public / "cable/2009/11/09ROME1240.html").read_bytes())
    internal = [link for link in page.links if link.startswith("/")]
    assert internal and all(link.startswith("/cables/") for link in internal)
    for link in internal:
        relative = link.split("#")[0][len("/cables/") :]
        target = public / relative
        assert (target / "index.html" if link.endswith("/") or not relative else target).exists()
