"""cablesite check finds broken links, missing cables, cables missing from indexes, sitemap gaps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build
from generator.build_cache import scan_content
from generator.check import check_site
from generator.config import load_config
from generator.site import Site, build_site

SITES = Path(__file__).resolve().parent / "sites"


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Site]:
    """The minimal archive, built into a plain copy that the tests may damage."""
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive)
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    out = tmp_path / "copy"
    shutil.copytree(archive / "public", out)
    return out, build_site(config, scan_content(config.content_dir, config.cache_dir).cables)


def messages(out: Path, site: Site) -> str:
    return "\n".join(str(p) for p in check_site(out, site).problems)


def test_a_fresh_build_has_no_problems(built: tuple[Path, Site]) -> None:
    out, site = built
    report = check_site(out, site)
    assert report.problems == []
    assert report.cables == 6 and report.links > 300


def test_a_missing_page_is_a_broken_link(built: tuple[Path, Site]) -> None:
    out, site = built
    (out / "cable/2009/10/09ROME1111.html").unlink()
    found = messages(out, site)
    assert "broken link '/cable/2009/10/09ROME1111.html'" in found
    assert "cable 09ROME1111 has no page" in found


def test_a_broken_fragment_is_found(built: tuple[Path, Site]) -> None:
    out, site = built
    page = out / "cable/2009/11/09ROME1240.html"
    page.write_text(page.read_text().replace('<p id="p2"', '<p id="px"'))
    assert "no id 'p2' on this page" in messages(out, site)


def test_a_cable_missing_from_its_tag_page_is_found(built: tuple[Path, Site]) -> None:
    out, site = built
    page = out / "tag/enrg/index.html"
    page.write_text(page.read_text().replace('href="/cable/2009/10/09ROME1111.html"', 'href="/"'))
    assert "cable 09ROME1111 is not listed on the tag pages of 'ENRG'" in messages(out, site)


def test_a_page_missing_from_the_sitemap_is_found(built: tuple[Path, Site]) -> None:
    out, site = built
    part = out / "sitemap-pages.xml"
    part.write_text(part.read_text().replace("<loc>https://example.org/tag/</loc>", ""))
    assert "tag/index.html: not listed in the sitemap" in messages(out, site)


def test_a_missing_asset_is_found(built: tuple[Path, Site]) -> None:
    out, site = built
    (out / "assets/site.css").unlink()
    assert "broken link '/assets/site.css'" in messages(out, site)
