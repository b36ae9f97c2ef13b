"""The quick build: a change to a cable's text alone renders its two pages, same site as in full."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from generator.build import build
from generator.build_manifest import QuickManifests, _entry, _index, open_manifests
from generator.build_records import RECORDS_FOLDER
from generator.build_setup import JINJA_FOLDER, bytecode_cache
from generator.config import load_config
from generator.output import OutputTrees

SITES = Path(__file__).resolve().parent / "sites"
CABLE = "content/cables/2009/10/09ROME1111.md"


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


def clean_build_of(archive: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site a clean build of the same content makes (in a copy, with no caches)."""
    copy = tmp_path / "clean"
    shutil.copytree(archive, copy, ignore=shutil.ignore_patterns("public", ".*"))
    build(load_config(copy / "site.yaml"), clean=True, jobs=1)
    return tree(copy / "public")


def edit(archive: Path, old: str, new: str, relpath: str = CABLE) -> None:
    path = archive / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_body_edit_renders_only_the_cables_two_pages(archive: Path, tmp_path: Path) -> None:
    edit(archive, "\n\n", "\n\nA sentence added by hand.\n\n")
    report = build(load_config(archive / "site.yaml"), jobs=1)
    assert "quick" in report.timings and "plan" not in report.timings
    assert report.swapped and report.parsed == 1 and report.rendered == 2
    page = (archive / "public/cable/2009/10/09ROME1111.html").read_text(encoding="utf-8")
    assert "A sentence added by hand." in page
    assert tree(archive / "public") == clean_build_of(archive, tmp_path)


def test_two_quick_builds_in_a_row_stay_equal_to_a_clean_build(
    archive: Path, tmp_path: Path
) -> None:
    config = load_config(archive / "site.yaml")
    edit(archive, "\n\n", "\n\nFirst edit.\n\n")
    assert "quick" in build(config, jobs=1).timings
    edit(archive, "First edit.", "Second edit, longer than the first.")
    report = build(config, jobs=1)
    assert "plan" not in report.timings and report.rendered == 2
    assert build(config, jobs=1).rendered == 0  # and then nothing is left to do
    assert tree(archive / "public") == clean_build_of(archive, tmp_path)


def test_a_subject_edit_takes_the_full_way_and_updates_the_pages_that_show_it(
    archive: Path, tmp_path: Path
) -> None:
    edit(archive, "ITALY: ENERGY SECURITY", "ITALY: GAS SECURITY")
    report = build(load_config(archive / "site.yaml"), jobs=1)
    assert "plan" in report.timings and report.rendered > 2
    assert "ITALY: GAS SECURITY" in (archive / "public/cable/2009/11/09ROME1240.html").read_text(
        encoding="utf-8"
    )
    assert tree(archive / "public") == clean_build_of(archive, tmp_path)


def test_a_new_cable_takes_the_full_way(archive: Path, tmp_path: Path) -> None:
    source = archive / CABLE
    text = source.read_text(encoding="utf-8").replace("09ROME1111", "09ROME1112")
    (source.parent / "09ROME1112.md").write_text(text, encoding="utf-8")
    report = build(load_config(archive / "site.yaml"), jobs=1)
    assert "plan" in report.timings and report.cables == 7
    assert tree(archive / "public") == clean_build_of(archive, tmp_path)


def test_without_its_records_the_build_takes_the_full_way_and_writes_them(
    archive: Path, tmp_path: Path
) -> None:
    config = load_config(archive / "site.yaml")
    shutil.rmtree(config.cache_dir / RECORDS_FOLDER)
    edit(archive, "\n\n", "\n\nAn edit without records.\n\n")
    report = build(config, jobs=1)
    assert "plan" in report.timings and report.rendered == 2
    assert (config.cache_dir / RECORDS_FOLDER).is_dir()
    edit(archive, "An edit without records.", "And one with them.")
    assert "plan" not in build(config, jobs=1).timings
    assert tree(archive / "public") == clean_build_of(archive, tmp_path)


def test_a_broken_edit_takes_the_full_way_and_is_reported(archive: Path) -> None:
    edit(archive, "subject:", "subject: [unclosed\nx:")
    report = build(load_config(archive / "site.yaml"), jobs=1)
    assert "plan" in report.timings and report.failed
    assert any("09ROME1111.md" in problem.path for problem in report.problems)


def test_without_search_quick_builds_use_the_stored_manifests_and_match_a_clean_build(
    tmp_path: Path,
) -> None:
    target = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", target)
    with (target / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("search: false\n")
    config = load_config(target / "site.yaml")
    build(config, jobs=1)
    for number in range(3):  # the second and third find files the back tree must link
        edit(target, "\n\n", f"\n\nEdit number {number}.\n\n")
        report = build(config, jobs=1)
        assert "quick" in report.timings and "plan" not in report.timings
        # the back tree lacks the HTML page the build before changed (its JSON has no body)
        assert report.rendered == 2 and report.linked == (0 if number == 0 else 1)
        assert view_of(target).blobs is not None
    assert build(config, jobs=1).rendered == 0
    assert tree(target / "public") == clean_build_of(target, tmp_path)


def test_after_a_full_build_the_next_quick_build_reads_the_stored_manifests(
    tmp_path: Path,
) -> None:
    target = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", target)
    with (target / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("search: false\n")
    config = load_config(target / "site.yaml")
    build(config, jobs=1)
    edit(target, "ITALY: ENERGY SECURITY", "ITALY: GAS SECURITY")
    assert "plan" in build(config, jobs=1).timings
    assert view_of(target).blobs is not None  # both trees' manifests list the paths in order


def view_of(archive: Path) -> QuickManifests:
    return open_manifests(archive / "public", compact=True)


def test_a_path_is_found_in_the_stored_manifest_wherever_it_is() -> None:
    paths = "a.html\nb/index.html\nc.json"
    digests = bytes(range(96))
    for index, path in enumerate(paths.split("\n")):
        assert _entry((paths, digests), _index(paths, path)) == (
            digests[32 * index : 32 * index + 16],
            digests[32 * index + 16 : 32 * index + 32],
        )
    assert _index(paths, "b") is None
    assert _index(paths, "index.html") is None
    assert _index(paths, "a.html\nb") is None
    # many lookups (a subject edit) go through a dict of positions: the same answers
    trees = OutputTrees(Path("out"), Path("back"), Path("manifests"), {}, {})
    view = QuickManifests(trees, ((paths, digests), (paths, digests[::-1])))
    for _ in range(4):
        for index, path in enumerate(paths.split("\n")):
            assert view.live_entry(path) == _entry((paths, digests), index)
            assert view.back_output(path) == digests[::-1][32 * index + 16 : 32 * index + 32]
        assert view.live_entry("b") is None and view.back_output("index.html") is None
    assert view._positions is not None


def test_compiled_templates_are_kept_and_a_lost_cache_folder_does_not_stop_a_build(
    archive: Path,
) -> None:
    config = load_config(archive / "site.yaml")
    kept = config.cache_dir / JINJA_FOLDER
    assert any(path.is_file() for path in kept.rglob("*"))  # the first build compiled them
    cache = bytecode_cache(config)
    assert cache is not None
    shutil.rmtree(kept)  # e.g. removed by hand, or by a build of another cablesite
    env = jinja2.Environment(loader=jinja2.DictLoader({"page": "{{ 6 * 7 }}"}))
    env.bytecode_cache = cache
    assert env.get_template("page").render() == "42"
