"""Incremental builds after changes that reach other pages: always the site a clean build makes.

Each test builds tests/sites/minimal (six cables, page_size 2, so terms have
several pages), changes its content the way a user would, builds again, and
compares every file of public/ byte for byte with a clean build of the same
content in a fresh copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build
from generator.config import load_config
from generator.output import _load_manifest, state_dir_for

SITES = Path(__file__).resolve().parent / "sites"
ROME1111 = "content/cables/2009/10/09ROME1111.md"
ROME1240 = "content/cables/2009/11/09ROME1240.md"
PARIS101 = "content/cables/2008/01/08PARIS101.md"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A private copy of tests/sites/minimal, built once."""
    target = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", target)
    build(load_config(target / "site.yaml"), jobs=1)
    return target


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def clean_build_of(archive: Path, tmp_path: Path, name: str = "clean") -> dict[str, bytes]:
    """The site a clean build of the same content makes (in a copy, with no caches)."""
    copy = tmp_path / name
    shutil.copytree(archive, copy, ignore=shutil.ignore_patterns("public", ".*"))
    build(load_config(copy / "site.yaml"), clean=True, jobs=1)
    return tree(copy / "public")


def edit(archive: Path, relpath: str, old: str, new: str) -> None:
    path = archive / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rebuild_and_compare(archive: Path, tmp_path: Path, name: str = "clean") -> dict[str, bytes]:
    """Build incrementally; assert the result is a clean build's, byte for byte; return it."""
    report = build(load_config(archive / "site.yaml"), jobs=1)
    assert report.swapped and not report.failed
    built = tree(archive / "public")
    clean = clean_build_of(archive, tmp_path, name)
    assert built.keys() == clean.keys()
    assert [p for p in built if built[p] != clean[p]] == []
    return built


def test_a_subject_change_reaches_term_pages_feeds_and_citing_cables(
    archive: Path, tmp_path: Path
) -> None:
    before = tree(archive / "public")
    edit(archive, ROME1111, "ITALY: ENERGY SECURITY", "ITALY: GAS SUPPLIES")
    after = rebuild_and_compare(archive, tmp_path)
    changed = {p for p in after if before.get(p) != after[p]}
    # its own page, a page citing it (09ROME1240), its tag pages and the feeds that list it
    assert "cable/2009/10/09ROME1111.html" in changed
    assert "cable/2009/11/09ROME1240.html" in changed
    assert any(p.startswith("tag/enrg/") for p in changed)
    assert "feed.xml" in changed
    assert all("ITALY: GAS SUPPLIES" in after[p].decode() for p in changed if p.endswith(".html"))


def test_two_subject_changes_in_a_row_stay_equal_to_a_clean_build(
    archive: Path, tmp_path: Path
) -> None:
    edit(archive, ROME1111, "ITALY: ENERGY SECURITY", "ITALY: FIRST")
    rebuild_and_compare(archive, tmp_path, "clean1")
    edit(archive, ROME1111, "ITALY: FIRST", "ITALY: SECOND, LONGER")
    rebuild_and_compare(archive, tmp_path, "clean2")
    assert build(load_config(archive / "site.yaml"), jobs=1).rendered == 0


def test_a_tag_added_and_then_removed(archive: Path, tmp_path: Path) -> None:
    edit(archive, PARIS101, "tags: [ECON, FR]", "tags: [ECON, FR, PREL]")
    after = rebuild_and_compare(archive, tmp_path, "clean1")
    assert "08PARIS101" in after["tag/prel/index.html"].decode() or any(
        "08PARIS101" in after[p].decode() for p in after if p.startswith("tag/prel/page/")
    )
    edit(archive, PARIS101, "tags: [ECON, FR, PREL]", "tags: [ECON, FR]")
    rebuild_and_compare(archive, tmp_path, "clean2")


def test_a_new_tag_makes_a_new_term(archive: Path, tmp_path: Path) -> None:
    edit(archive, PARIS101, "tags: [ECON, FR]", "tags: [ECON, FR, KNEW]")
    after = rebuild_and_compare(archive, tmp_path)
    assert "tag/knew/index.html" in after


def test_a_date_change_moves_the_cable_between_month_pages(archive: Path, tmp_path: Path) -> None:
    # 09ROME1111 moves from October 2009 to December 2009, in the same content folder
    edit(archive, ROME1111, "created: '2009-10-02T09:00:00'", "created: '2009-12-03T09:00:00'")
    after = rebuild_and_compare(archive, tmp_path)
    assert "date/2009/10/index.html" not in after
    assert "09ROME1111" in after["date/2009/12/index.html"].decode()


def test_a_cable_deleted(archive: Path, tmp_path: Path) -> None:
    (archive / ROME1111).unlink()
    (archive / ROME1111).with_suffix(".txt").unlink()
    after = rebuild_and_compare(archive, tmp_path)
    assert "cable/2009/10/09ROME1111.html" not in after
    assert "tag/enrg/index.html" not in after


def test_a_cable_added(archive: Path, tmp_path: Path) -> None:
    source = archive / ROME1240
    text = source.read_text(encoding="utf-8").replace("09ROME1240", "09ROME1241")
    text = text.replace("G-8 NONPROLIFERATION", "A NEW CABLE ON G-8 NONPROLIFERATION")
    (source.parent / "09ROME1241.md").write_text(text, encoding="utf-8")
    after = rebuild_and_compare(archive, tmp_path)
    assert "cable/2009/11/09ROME1241.html" in after


def test_a_reference_added_changes_the_cited_cables_page(archive: Path, tmp_path: Path) -> None:
    edit(archive, PARIS101, "references: []", "references: [06STATE5]")
    after = rebuild_and_compare(archive, tmp_path)
    assert "08PARIS101" in after["cable/2006/03/06STATE5.html"].decode()


def test_a_subject_change_then_a_body_edit(archive: Path, tmp_path: Path) -> None:
    edit(archive, ROME1240, "G-8 NONPROLIFERATION", "G-20 NONPROLIFERATION")
    rebuild_and_compare(archive, tmp_path, "clean1")
    edit(archive, ROME1240, "\n\n", "\n\nA sentence added by hand.\n\n")
    rebuild_and_compare(archive, tmp_path, "clean2")


# Subject edits that change no list take the short way of build_retitle.py: the pages that show
# the cable's row are rendered again from records, without planning. On a six-cable archive every
# cable is on the home page and in the site feed (which rule that way out), so these tests show
# one cable there and one entry per feed.
ROME1300 = "content/cables/2009/12/09ROME1300.md"
PARIS100 = "content/cables/2008/01/08PARIS100.md"


@pytest.fixture
def short_lists(tmp_path: Path) -> Path:
    """tests/sites/minimal with one cable on the home page and one entry per feed, built once."""
    target = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", target)
    site_yaml = target / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8").replace("feed_size: 3\n", "")
    site_yaml.write_text(text + "feed_size: 1\nlatest_size: 1\nsearch: false\n", encoding="utf-8")
    build(load_config(site_yaml), jobs=1)
    return target


def live_manifest(out_dir: Path) -> dict[str, tuple[bytes, bytes]]:
    return _load_manifest(state_dir_for(out_dir) / "manifests", out_dir)


def quick_rebuild_and_compare(
    archive: Path, tmp_path: Path, name: str = "clean", *, quick: bool = True
) -> dict[str, bytes]:
    """rebuild_and_compare, and the build went the short way (or not); its manifest is right.

    The manifest (input and output digest of every file) must be the one a clean build with
    the same configuration records, or the next full build would render pages again.
    """
    before = tree(archive / "public")
    report = build(load_config(archive / "site.yaml"), jobs=1)
    assert report.swapped and not report.failed
    assert ("plan" not in report.timings) is quick, report.summary()
    built = tree(archive / "public")
    clean = clean_build_of(archive, tmp_path, name)
    assert built.keys() == clean.keys()
    assert [p for p in built if built[p] != clean[p]] == []
    fresh = tmp_path / f"{name}-fresh"
    build(load_config(archive / "site.yaml"), out_dir=fresh, clean=True, jobs=1)
    assert live_manifest(archive / "public") == live_manifest(fresh)
    shutil.rmtree(archive / ".cablesite-cache")  # the clean build above kept its own records
    build(load_config(archive / "site.yaml"), jobs=1, clean=True)
    assert tree(archive / "public") == built
    changed = {p for p in built if before.get(p) != built[p]}
    assert changed or not quick
    return {p: built[p] for p in changed}


def test_a_subject_edit_of_a_cited_cable_takes_the_short_way(
    short_lists: Path, tmp_path: Path
) -> None:
    edit(short_lists, ROME1111, "ITALY: ENERGY SECURITY", "ITALY: GAS <SUPPLIES> & MORE")
    changed = quick_rebuild_and_compare(short_lists, tmp_path)
    # its page and JSON, the page citing it and its neighbour from Rome (09ROME1240), the
    # term pages that list it (tags ENRG, PREL, IT; post; classification; year; month) and
    # the feeds of the terms whose latest cable it is (ENRG, IT, the month)
    assert "cable/2009/10/09ROME1111.html" in changed
    assert "cable/2009/10/09ROME1111.json" in changed
    assert "cable/2009/11/09ROME1240.html" in changed
    assert "tag/enrg/index.html" in changed and "tag/enrg/feed.xml" in changed
    assert any(p.startswith("tag/prel/") and p.endswith(".html") for p in changed)
    assert "date/2009/10/index.html" in changed
    assert "feed.xml" not in changed and "index.html" not in changed
    assert all(
        "ITALY: GAS &lt;SUPPLIES&gt; &amp; MORE" in changed[p].decode()
        for p in changed
        if p.endswith(".html")
    )


def test_a_subject_edit_of_a_cable_at_a_page_boundary(short_lists: Path, tmp_path: Path) -> None:
    # 08PARIS100 ends page 1 of PREL (2006, 2008 | Oct-Nov 2009 | Dec 2009) and cites 09ROME1240
    edit(short_lists, PARIS100, "'FRANCE: <b>BOLD</b> & \"QUOTES\"'", "'FRANCE: PLAIN NOW'")
    changed = quick_rebuild_and_compare(short_lists, tmp_path)
    assert "tag/prel/index.html" in changed
    assert "cable/2009/11/09ROME1240.html" in changed  # cited by 08PARIS100
    assert "cable/2008/01/08PARIS101.html" in changed  # its next neighbour from Paris


def test_subject_edits_of_two_cables_at_once_and_in_a_row(
    short_lists: Path, tmp_path: Path
) -> None:
    edit(short_lists, ROME1111, "ITALY: ENERGY SECURITY", "ITALY: ONE")
    edit(short_lists, ROME1240, "G-8 NONPROLIFERATION", "G-20 NONPROLIFERATION")
    quick_rebuild_and_compare(short_lists, tmp_path, "clean1")
    edit(short_lists, ROME1111, "ITALY: ONE", "ITALY: TWO")
    quick_rebuild_and_compare(short_lists, tmp_path, "clean2")
    assert build(load_config(short_lists / "site.yaml"), jobs=1).rendered == 0


def test_a_subject_edit_after_a_full_build_and_before_one(
    short_lists: Path, tmp_path: Path
) -> None:
    edit(short_lists, ROME1240, "G-8 NONPROLIFERATION", "G-7 NONPROLIFERATION")
    quick_rebuild_and_compare(short_lists, tmp_path, "clean1")
    edit(short_lists, PARIS101, "tags: [ECON, FR]", "tags: [ECON, FR, PREL]")
    quick_rebuild_and_compare(short_lists, tmp_path, "clean2", quick=False)
    edit(short_lists, ROME1240, "G-7 NONPROLIFERATION", "G-9 NONPROLIFERATION")
    quick_rebuild_and_compare(short_lists, tmp_path, "clean3")
    edit(short_lists, PARIS101, "tags: [ECON, FR, PREL]", "tags: [ECON, FR]")
    quick_rebuild_and_compare(short_lists, tmp_path, "clean4", quick=False)


def test_a_subject_edit_of_the_newest_cable_goes_the_full_way(
    short_lists: Path, tmp_path: Path
) -> None:
    # 09ROME1300 is on the home page and in the site feed: the full build redraws them
    edit(short_lists, ROME1300, "ITALY: FOLLOW-UP ON NPDG", "ITALY: FOLLOW-UP")
    quick_rebuild_and_compare(short_lists, tmp_path, quick=False)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("signer: null", "signer: SPOGLI"),
        ("summary: null", "summary: A summary added by hand."),
        ("sender: null", "sender: AMEMBASSY ROME"),
    ],
)
def test_an_edit_of_other_front_matter_takes_the_short_way(
    short_lists: Path, tmp_path: Path, old: str, new: str
) -> None:
    edit(short_lists, ROME1111, old, new)
    changed = quick_rebuild_and_compare(short_lists, tmp_path)
    assert set(changed) == {"cable/2009/10/09ROME1111.html", "cable/2009/10/09ROME1111.json"}
