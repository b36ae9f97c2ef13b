"""The build: complete, deterministic, incremental, atomic; the minimal archive vs. its golden."""

from __future__ import annotations

import difflib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import build
from generator.config import load_config
from generator.errors import ThemeError

SITES = Path(__file__).resolve().parent / "sites"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A private copy of tests/sites/minimal (builds write caches beside site.yaml)."""
    target = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", target)
    return target


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_writes_every_kind_of_page(archive: Path) -> None:
    report = build(load_config(archive / "site.yaml"), jobs=1)
    files = tree(archive / "public")
    for path in [
        "index.html",
        "cable/2009/11/09ROME1240.html",
        "cable/2009/11/09ROME1240.json",
        "tag/index.html",
        "tag/prel/index.html",
        "tag/prel/feed.xml",
        "origin/embassy-rome/index.html",
        "addressee/index.html",
        "classification/secret-noforn/index.html",
        "date/index.html",
        "date/2009/11/index.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "assets/site.css",
    ]:
        assert path in files, path
    assert report.cables == 6 and not report.problems
    page = files["cable/2009/11/09ROME1240.html"].decode()
    assert '<a href="/cable/2009/10/09ROME1111.html">09ROME1111</a>' in page
    assert '09STATE9999</span> <span class="note">(not in this archive)' in page
    assert 'href="/cable/2008/01/08PARIS100.html"' in page  # cited by
    assert 'rel="next"' in page and 'rel="prev"' in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; {{ 7*7 }}" in page
    assert "&#13;\nVZCZCXRO1234&#13;" in page  # the original, CRs kept
    hostile = files["cable/2008/01/08PARIS100.html"].decode()
    assert (
        "<b>BOLD</b>" not in hostile and "<script>alert(1)" not in hostile and "<img" not in hostile
    )


def test_two_builds_are_byte_identical(archive: Path, tmp_path: Path) -> None:
    config = load_config(archive / "site.yaml")
    build(config, tmp_path / "one", clean=True, jobs=1)
    build(config, tmp_path / "two", clean=True, jobs=2)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_rebuild_without_changes_renders_and_writes_nothing(archive: Path) -> None:
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    report = build(config, jobs=1)
    assert report.rendered == 0 and report.written == 0 and not report.swapped
    assert report.parsed == 0


def test_editing_one_cable_rerenders_only_its_pages(archive: Path) -> None:
    config = load_config(archive / "site.yaml")
    first = build(config, jobs=1)
    md = archive / "content/cables/2009/10/09ROME1111.md"
    md.write_text(md.read_text().replace("ITALY: ENERGY SECURITY", "ITALY: GAS SECURITY"))
    report = build(config, jobs=1)
    assert report.parsed == 1 and report.swapped
    assert 0 < report.rendered < first.rendered / 2
    public = archive / "public"
    assert "ITALY: GAS SECURITY" in (public / "cable/2009/10/09ROME1111.html").read_text()
    assert (
        "ITALY: GAS SECURITY" in (public / "cable/2009/11/09ROME1240.html").read_text()
    )  # its reference
    assert "ITALY: GAS SECURITY" not in (public / "cable/2008/01/08PARIS101.html").read_text()
    report = build(config, jobs=1)
    assert report.rendered == 0


def test_a_template_change_rerenders_the_pages_using_it(archive: Path) -> None:
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    (archive / "templates").mkdir()
    (archive / "templates" / "feed.xml").write_text(
        (Path(__file__).resolve().parent.parent / "themes/default/templates/feed.xml")
        .read_text()
        .replace("<feed ", "<!-- custom -->\n<feed ")
    )
    report = build(config, jobs=1)
    feeds = [p for p in (archive / "public").rglob("feed.xml")]
    assert report.rendered == len(feeds)
    assert all("<!-- custom -->" in p.read_text() for p in feeds)


def test_a_failed_build_leaves_public_as_it_was(archive: Path) -> None:
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    before = tree(archive / "public")
    (archive / "templates").mkdir()
    (archive / "templates" / "cable.html").write_text(
        "{% extends 'theme/cable.html' %}{% block main %}{{ cable.nope.nope }}{% endblock %}"
    )
    md = archive / "content/cables/2009/10/09ROME1111.md"
    md.write_text(md.read_text().replace("ITALY: ENERGY SECURITY", "CHANGED"))
    with pytest.raises(ThemeError, match=r"templates/cable.html:1"):
        build(config, jobs=1)
    assert tree(archive / "public") == before
    (archive / "templates" / "cable.html").unlink()
    build(config, jobs=1)
    assert "CHANGED" in (archive / "public/cable/2009/10/09ROME1111.html").read_text()


def test_sigkill_at_any_moment_leaves_a_complete_public(archive: Path) -> None:
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    before = tree(archive / "public")
    md = archive / "content/cables/2009/10/09ROME1111.md"
    md.write_text(md.read_text().replace("ITALY: ENERGY SECURITY", "KILLED"))
    for delay in (0.05, 0.2, 0.4, 0.6, 0.8, 1.0):
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", "--jobs", "1"],
            cwd=archive,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = tree(archive / "public")
        assert after == before or "KILLED" in after["cable/2009/10/09ROME1111.html"].decode()
        assert pages(after) == pages(before) and search_is_whole(after)
    report = build(config, jobs=1)
    assert "KILLED" in (archive / "public/cable/2009/10/09ROME1111.html").read_text()
    assert pages(tree(archive / "public")) == pages(before) and not report.problems


def pages(files: dict[str, bytes]) -> set[str]:
    """The paths of a built tree but the search index (whose files are named by their content)."""
    return {relpath for relpath in files if not relpath.startswith("pagefind/")}


def search_is_whole(files: dict[str, bytes]) -> bool:
    """Every search shard listed has its entry file, and the metadata file that it names."""
    import json

    shards = json.loads(files["pagefind/shards.json"])["shards"]
    for shard in shards:
        entry = json.loads(files[f"pagefind/{shard}/pagefind-entry.json"])
        for language in entry["languages"].values():
            if f"pagefind/{shard}/pagefind.{language['hash']}.pf_meta" not in files:
                return False
    return bool(shards)


def test_broken_content_is_reported_and_the_rest_is_built(archive: Path) -> None:
    bad = archive / "content/cables/2009/11/BROKEN1.md"
    bad.write_text("---\nid: [unclosed\n---\nbody\n")
    other = archive / "content/cables/2009/11/09OTHER1.md"
    other.write_text("---\nid: 09SOMETHINGELSE\n---\nbody\n")
    report = build(load_config(archive / "site.yaml"), jobs=1)
    messages = "\n".join(str(p) for p in report.problems)
    assert "BROKEN1.md" in messages and "disagrees with the file name" in messages
    assert report.failed and report.cables == 6


def test_minimal_archive_matches_golden(archive: Path, request: pytest.FixtureRequest) -> None:
    build(load_config(archive / "site.yaml"), jobs=1)
    # the search index is Pagefind's binary format, checked by tests/test_search.py
    built = tree(archive / "public")
    actual = {path: data for path, data in built.items() if path in pages(built)}
    golden_dir = GOLDEN / "minimal"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(golden_dir, ignore_errors=True)
        for relpath, data in actual.items():
            (golden_dir / relpath).parent.mkdir(parents=True, exist_ok=True)
            (golden_dir / relpath).write_bytes(data)
    expected = tree(golden_dir)
    assert sorted(actual) == sorted(expected)
    for relpath in sorted(actual):
        if actual[relpath] != expected[relpath]:
            diff = difflib.unified_diff(
                expected[relpath].decode().splitlines(),
                actual[relpath].decode().splitlines(),
                f"golden/{relpath}",
                f"built/{relpath}",
                lineterm="",
            )
            pytest.fail("\n".join(list(diff)[:60]))
    assert os.path.isdir(golden_dir)


REPO = Path(__file__).resolve().parent.parent
CORPUS_RAW = REPO.parent / "shared" / "corpus" / "raw"


@pytest.mark.slow
def test_archive_of_the_whole_corpus_builds_and_checks_clean(tmp_path: Path) -> None:
    from generator.build_cache import scan_content
    from generator.check import check_site
    from generator.cli import main
    from generator.site import build_site

    archive = tmp_path / "corpus"
    assert main(["new", str(archive)]) == 0
    assert main(["import", str(CORPUS_RAW), "--into", str(archive / "content")]) == 0
    config = load_config(archive / "site.yaml")
    report = build(config, jobs=2)
    assert report.cables >= 50 and not report.failed
    site = build_site(config, scan_content(config.content_dir, config.cache_dir).cables)
    checked = check_site(config.output_dir, site)
    assert checked.problems == [] and checked.cables == report.cables
    rome = (config.output_dir / "cable/2009/11/09ROME1240.html").read_text()
    assert 'id="p1"' in rome and "Embassy Rome" in rome


@pytest.mark.slow
def test_the_demo_archive_builds_and_checks_clean(tmp_path: Path) -> None:
    from generator.build_cache import scan_content
    from generator.check import check_site
    from generator.site import build_site

    archive = tmp_path / "demo"
    shutil.copytree(REPO / "content", archive / "content")
    shutil.copy(REPO / "site.yaml", archive / "site.yaml")
    config = load_config(archive / "site.yaml")
    report = build(config, jobs=2)
    assert not report.failed
    site = build_site(config, scan_content(config.content_dir, config.cache_dir).cables)
    assert check_site(config.output_dir, site).problems == []
