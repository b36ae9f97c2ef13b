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
