"""The search index (generator/search.py): what is indexed, shards, incremental, reproducible."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from generator import search
from generator.build import build
from generator.config import load_config
from generator.search import find_pagefind, pagefind_version, plan_shards
from generator.search_bundle import canonicalise_bundle, decode, encode

SITES = Path(__file__).resolve().parent / "sites"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A private copy of tests/sites/minimal (six cables of 2006, 2008 and 2009)."""
    target = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", target)
    return target


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def unpack(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    assert raw.startswith(b"pagefind_dcd")
    return raw[len(b"pagefind_dcd") :]


def fragments(public: Path) -> dict[str, dict[str, object]]:
    """Every page Pagefind indexed, by URL: its text, metadata and filters."""
    found = {}
    for path in sorted((public / "pagefind").glob("*/fragment/*.pf_fragment")):
        fragment = json.loads(unpack(path.read_bytes()))
        found[fragment["url"]] = fragment
    return found


def shard_names(public: Path) -> list[str]:
    return list(json.loads((public / "pagefind/shards.json").read_text())["shards"])


def reindexed(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The shards the last build indexed again, from search.py's summary line."""
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("search: ")]
    assert lines, "the build did not update the search index"
    names = lines[-1].split("indexed again: ", 1)[1].split(" (", 1)[0]
    return [] if names == "none" else names.split(", ")


def day(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, 12, 0)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs mounted for this test: it lists a folder in the order its files were made.

    (ext4, where tmp_path is, lists in the order of a hash of the names,
    seeded per file system: the same on every run of one machine.)
    """
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def run_pagefind(site_dir: Path, bundle_dir: Path) -> None:
    command = [str(find_pagefind()), "--site", str(site_dir), "--output-path", str(bundle_dir)]
    subprocess.run([*command, "--quiet"], check=True, capture_output=True)


def urls_by_word(bundle_dir: Path) -> dict[str, set[str]]:
    """What the index says: every word (and variant) and the URLs of the pages that have it."""
    meta_path = next(bundle_dir.glob("*.pf_meta"))
    meta, _ = decode(unpack(meta_path.read_bytes()), 0)
    assert isinstance(meta, list)
    urls = []
    for page_hash, _ in meta[1]:
        fragment_path = bundle_dir / "fragment" / f"{page_hash}.pf_fragment"
        urls.append(json.loads(unpack(fragment_path.read_bytes()))["url"])
    found: dict[str, set[str]] = {}
    for _, _, chunk_hash in meta[2]:
        index_path = bundle_dir / "index" / f"{chunk_hash}.pf_index"
        chunk, _ = decode(unpack(index_path.read_bytes()), 0)
        assert isinstance(chunk, list)
        for word, postings, variants in chunk[0]:
            for name, entries in [(word, postings), *variants]:
                page = 0
                for delta, _, _ in entries:
                    page += delta
                    found.setdefault(name, set()).add(urls[page])
    for name, chunk_hash in meta[3]:
        filter_path = bundle_dir / "filter" / f"{chunk_hash}.pf_filter"
        chunk, _ = decode(unpack(filter_path.read_bytes()), 0)
        assert isinstance(chunk, list)
        for value, pages in chunk[1]:
            found[f"filter {name}:{value}"] = {urls[page] for page in pages}
    return found


def test_plan_shards_packs_small_years_and_cuts_a_big_year_at_months() -> None:
    pages = [(f"cable/1990/{n}.html", day(1990)) for n in range(2)]
    pages += [(f"cable/2003/{n}.html", day(2003)) for n in range(3)]
    pages += [(f"cable/2009/a{n}.html", day(2009, 1 + n % 3)) for n in range(9)]
    pages += [("cable/undated/X.html", None)]
    shards = plan_shards(pages, limit=5)
    assert [s.name for s in shards] == ["1990-2003", "2009-01", "2009-02", "2009-03", "undated"]
    assert [len(s.relpaths) for s in shards] == [5, 3, 3, 3, 1]
    months = plan_shards(pages, limit=6)
    assert [s.name for s in months] == ["1990-2003", "2009-01-2009-02", "2009-03", "undated"]
    assert sorted(p for s in months for p in s.relpaths) == sorted(p for p, _ in pages)


def test_plan_shards_cuts_a_month_over_the_limit_into_numbered_runs() -> None:
    pages = [(f"cable/2009/11/{n:02d}.html", day(2009, 11, 1 + n)) for n in range(7)]
    shards = plan_shards(pages, limit=3)
    assert [(s.name, len(s.relpaths)) for s in shards] == [
        ("2009-11.1", 3),
        ("2009-11.2", 3),
        ("2009-11.3", 1),
    ]


def test_adding_a_cable_changes_only_the_shard_of_its_date() -> None:
    pages = [
        (f"cable/{y}/{n}.html", day(y, 1 + n % 12)) for y in range(2000, 2010) for n in range(40)
    ]
    before = {s.name: s.relpaths for s in plan_shards(pages, limit=100)}
    after = {
        s.name: s.relpaths
        for s in plan_shards([*pages, ("cable/2005/new.html", day(2005, 6))], limit=100)
    }
    assert list(after) == ["2000-2001", "2002-2003", "2004-2005", "2006-2007", "2008-2009"]
    assert {name for name in after if after[name] != before.get(name)} == {"2004-2005"}


def test_the_pagefind_binary_comes_with_the_package() -> None:
    binary = find_pagefind()
    assert binary.is_file()
    assert pagefind_version(binary).startswith("pagefind 1.")


def test_only_cable_pages_are_indexed_with_text_metadata_and_filters(archive: Path) -> None:
    build(load_config(archive / "site.yaml"), jobs=1)
    public = archive / "public"
    indexed = fragments(public)
    cables = sorted(p.relative_to(public).as_posix() for p in public.glob("cable/*/*/*.html"))
    assert sorted(url.lstrip("/") for url in indexed) == cables  # no index or listing page
    rome = indexed["/cable/2009/11/09ROME1240.html"]
    assert rome["meta"] == {
        "title": "G-8 NONPROLIFERATION DIRECTORS GROUP MEETING",
        "id": "09ROME1240",
        "date": "10 November 2009, 16:42 UTC",
        "origin": "Embassy Rome",
        "classification": "CONFIDENTIAL",
    }
    assert rome["filters"] == {
        "tag": ["PREL", "PARM", "KNNP"],
        "origin": ["Embassy Rome"],
        "classification": ["CONFIDENTIAL"],
        "year": ["2009"],
    }
    text = str(rome["content"])
    for wanted in ("09ROME1240", "NONPROLIFERATION DIRECTORS", "Liam Wasley", "THORNE", "KNNP"):
        assert wanted in text
    # the body is indexed, the original telegram, addressee lists and links to others are not
    assert "Nonproliferation Directors Group (NPDG)" in text
    for unwanted in ("VZCZC", "SECSTATE WASHDC", "UN SECURITY COUNCIL", "Cited by", "Original"):
        assert unwanted not in text
    assert (public / "search/index.html").is_file()
    assert shard_names(public) == ["2006-2009"]


def test_every_page_has_the_search_box_and_without_javascript_it_links_the_indexes(
    archive: Path,
) -> None:
    build(load_config(archive / "site.yaml"), jobs=1)
    page = (archive / "public/search/index.html").read_text()
    noscript = page.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert "Search needs JavaScript" in noscript
    for url in ("/tag/", "/origin/", "/classification/", "/date/"):
        assert f'href="{url}"' in noscript
    assert 'data-bundle="/pagefind/"' in page and '"PREL": "External Political Relations"' in page
    html_pages = sorted((archive / "public").rglob("*.html"))
    assert len(html_pages) > 20
    for path in html_pages:  # every page, 404 and term pages included, has the header box
        text = path.read_text()
        box = '<form class="site-search" role="search" action="/search/" method="get">'
        assert box in text and 'name="q"' in text, path


def test_search_false_leaves_out_the_page_the_form_and_the_index(archive: Path) -> None:
    config_path = archive / "site.yaml"
    build(load_config(config_path), jobs=1)
    assert (archive / "public/pagefind/shards.json").is_file()
    config_path.write_text(config_path.read_text() + "search: false\n")
    build(load_config(config_path), jobs=1)
    public = archive / "public"
    assert not (public / "pagefind").exists() and not (public / "search").exists()
    assert 'class="site-search"' not in (public / "cable/2009/11/09ROME1240.html").read_text()
    assert "/search/" not in (public / "sitemap-pages.xml").read_text()


def test_the_search_files_are_the_same_bytes_every_build(archive: Path, tmp_path: Path) -> None:
    config = load_config(archive / "site.yaml")
    trees = []
    for name in ("one", "two", "three"):
        build(config, tmp_path / name, clean=True, jobs=1)
        trees.append(files_under(tmp_path / name / "pagefind"))
    assert trees[0] == trees[1] == trees[2]
    assert any(path.startswith("2006-2009/filter/") for path in trees[0])


def test_the_search_files_do_not_depend_on_the_order_the_pages_were_made(
    archive: Path, tmpfs: Path
) -> None:
    """Pagefind numbers pages in the order a folder lists them: the bundle must not show it."""
    build(load_config(archive / "site.yaml"), jobs=1)
    public = archive / "public"
    pages = sorted(p.relative_to(public) for p in public.glob("cable/*/*/*.html"))
    bundles = []
    for name, order in (("sorted", pages), ("reversed", pages[::-1])):
        for relpath in order:  # the tmpfs lists a folder in (reverse) creation order
            target = tmpfs / name / "site" / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(archive / "public" / relpath, target)
        run_pagefind(tmpfs / name / "site", tmpfs / name / "bundle")
        shutil.copytree(tmpfs / name / "bundle", tmpfs / name / "as-written")
        assert canonicalise_bundle(tmpfs / name / "bundle")
        bundles.append(tmpfs / name)
    first, second = bundles
    # Pagefind's own output differs: the pages were listed in other orders
    assert files_under(first / "as-written") != files_under(second / "as-written")
    assert files_under(first / "bundle") == files_under(second / "bundle")
    # and the rewrite keeps what the index says
    for bundle in bundles:
        before = urls_by_word(bundle / "as-written")
        assert urls_by_word(bundle / "bundle") == before
        assert "/cable/2009/11/09ROME1240.html" in before["filter tag:KNNP"]
        assert set().union(*before.values()) == {f"/{relpath.as_posix()}" for relpath in pages}


def test_a_build_on_ext4_and_one_on_tmpfs_give_the_same_search_files(
    archive: Path, tmpfs: Path
) -> None:
    config = load_config(archive / "site.yaml")
    build(config, archive / "public", clean=True, jobs=1)
    build(config, tmpfs / "public", clean=True, jobs=1)
    assert files_under(tmpfs / "public") == files_under(archive / "public")


def test_a_build_without_cable_changes_does_not_index_again(
    archive: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="generator.search")
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    assert reindexed(caplog) == ["2006-2009"]
    before = files_under(archive / "public/pagefind")
    (archive / "templates").mkdir()
    (archive / "templates/term.html").write_text(
        "{% extends 'theme/term.html' %}{% block title %}changed{% endblock %}"
    )
    caplog.clear()
    report = build(config, jobs=1)
    assert report.rendered > 0 and reindexed(caplog) == []
    assert files_under(archive / "public/pagefind") == before
    caplog.clear()
    report = build(config, jobs=1)  # nothing changed at all: no search stage
    assert "search" not in report.timings
    assert files_under(archive / "public/pagefind") == before


def test_editing_a_cable_indexes_only_its_shard_again(
    archive: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    caplog.set_level(logging.INFO, logger="generator.search")
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    public = archive / "public"
    assert shard_names(public) == ["2006", "2008", "2009-10-2009-11", "2009-12"]
    md = archive / "content/cables/2009/10/09ROME1111.md"
    md.write_text(md.read_text().replace("Energy paragraph one.", "Energy paragraph one, edited."))
    caplog.clear()
    build(config, jobs=1)
    assert reindexed(caplog) == ["2009-10-2009-11"]
    assert "paragraph one, edited" in str(fragments(public)["/cable/2009/10/09ROME1111.html"])
    assert len(fragments(public)) == 6
    for tree in (public, archive / ".public.cablesite/back"):  # live and back trees both whole
        for shard in shard_names(public):
            entry = json.loads((tree / f"pagefind/{shard}/pagefind-entry.json").read_text())
            meta = entry["languages"]["en"]["hash"]
            assert (tree / f"pagefind/{shard}/pagefind.{meta}.pf_meta").is_file()


def test_the_preview_keeps_the_index_of_an_edited_cable_until_a_build_without_it(
    archive: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    caplog.set_level(logging.INFO, logger="generator.search")
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    public = archive / "public"
    before = files_under(public / "pagefind")
    md = archive / "content/cables/2009/10/09ROME1111.md"
    text = md.read_text()
    md.write_text(text.replace("Energy paragraph one.", "Energy paragraph one, edited."))
    caplog.clear()
    report = build(config, jobs=1, search_stale=True)  # what cablesite serve does after its first
    assert report.rendered >= 1 and reindexed(caplog) == []
    assert "paragraph one, edited" in (public / "cable/2009/10/09ROME1111.html").read_text()
    assert files_under(public / "pagefind") == before
    md.write_text(text.replace("Energy paragraph one.", "Energy paragraph one, edited twice."))
    build(config, jobs=1, search_stale=True)  # a full build this time (the subject index too)
    assert files_under(public / "pagefind") == before
    caplog.clear()
    build(config, jobs=1)  # cablesite build: the stale shard is indexed again, only it
    assert reindexed(caplog) == ["2009-10-2009-11"]
    assert "edited twice" in str(fragments(public)["/cable/2009/10/09ROME1111.html"])


def test_removing_the_cables_of_a_shard_removes_its_files(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    (archive / "content/cables/2006/03/06STATE5.md").unlink()
    build(config, jobs=1)
    public = archive / "public"
    assert shard_names(public) == ["2008", "2009-10-2009-11", "2009-12"]
    assert not (public / "pagefind/2006").exists()
    assert "/cable/2006/03/06STATE5.html" not in fragments(public)


def test_canonicalise_sorts_filter_values_and_renames_by_content(archive: Path) -> None:
    build(load_config(archive / "site.yaml"), jobs=1)
    bundle = archive / "public/pagefind/2006-2009"
    work = archive.parent / "bundle"
    shutil.copytree(bundle, work)
    meta_path = next(work.glob("*.pf_meta"))
    meta, _ = decode(unpack(meta_path.read_bytes()), 0)
    assert isinstance(meta, list)
    assert [name for name, _ in meta[3]] == ["classification", "origin", "tag", "year"]
    chunk_hash = dict(meta[3])["tag"]
    chunk_path = work / "filter" / f"{chunk_hash}.pf_filter"
    chunk, _ = decode(unpack(chunk_path.read_bytes()), 0)
    assert isinstance(chunk, list)
    values = [value[0] for value in chunk[1]]
    assert values == sorted(values) and "KNNP" in values
    # shuffled as Pagefind would write it: canonicalising gives back the same files
    chunk_path.write_bytes(gzip.compress(b"pagefind_dcd" + encode([chunk[0], chunk[1][::-1]])))
    assert canonicalise_bundle(work)
    assert files_under(work) == files_under(bundle)


def test_canonicalise_leaves_an_unknown_format_as_it_is(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "pagefind-entry.json").write_text('{"languages": {"en": {"hash": "en_1"}}}')
    (bundle / "pagefind.en_1.pf_meta").write_bytes(gzip.compress(b"something else"))
    before = files_under(bundle)
    assert canonicalise_bundle(bundle) is False
    assert files_under(bundle) == before
