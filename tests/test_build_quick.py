"""The quick build: a change to a cable's text alone renders its two pages, same site as in full."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from generator.build import build
from generator.build_cache import load_cables, scan_folders
from generator.build_manifest import QuickManifests, open_manifests
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


@pytest.mark.parametrize(
    "paths",
    [
        "a.html\nb/index.html\nc.json",  # in path order, as every build stores them
        "c.json\na.html\nz/index.html\nb/index.html",  # in no order: still found
    ],
)
def test_a_path_is_found_in_the_stored_manifest_wherever_it_is(paths: str) -> None:
    names = paths.split("\n")
    digests = bytes(range(32 * len(names)))
    trees = OutputTrees(Path("out"), Path("back"), Path("manifests"), {}, {})
    view = QuickManifests(trees, ((paths, digests), (paths, digests[::-1])))
    for _ in range(2):
        for index, path in enumerate(names):
            assert view.live_entry(path) == (
                digests[32 * index : 32 * index + 16],
                digests[32 * index + 16 : 32 * index + 32],
            )
            assert view.back_output(path) == digests[::-1][32 * index + 16 : 32 * index + 32]
        for absent in ("b", "index.html", "a.html\nb", "", "zz.html"):
            assert view.live_entry(absent) is None and view.back_output(absent) is None
    # a change is written at its path's place, whatever the order
    view.changes[names[-1]] = (b"i" * 16, b"o" * 16)
    manifest = view.manifest(None)
    assert isinstance(manifest, tuple) and manifest[0] == paths
    assert manifest[1][-32:] == b"i" * 16 + b"o" * 16 and manifest[1][:-32] == digests[:-32]


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


# a quick build needs none of these: they plan or index a whole site, or serve a subject edit
FULL_WAY_MODULES = (
    "generator.build_retitle",
    "generator.build_terms",
    "generator.cable_slugs",
    "generator.search",
)


def modules_loaded_by_a_build(archive: Path) -> tuple[str, set[str]]:
    """Build in a fresh process; its report line and the generator modules it loaded."""
    script = (
        "import sys\n"
        "from generator.build import build\n"
        "from generator.config import load_config\n"
        "print(build(load_config(sys.argv[1]), jobs=1).timings)\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('generator.'))))\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", script, str(archive / "site.yaml")],
        cwd=archive,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    timings, modules = done.stdout.splitlines()
    return timings, set(modules.split())


def test_a_body_edit_loads_only_the_modules_of_the_quick_way(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive)
    with (archive / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("search: false\n")  # with search, its update is part of the quick way
    build(load_config(archive / "site.yaml"), jobs=1)
    edit(archive, "\n\n", "\n\nA sentence added by hand.\n\n")
    timings, modules = modules_loaded_by_a_build(archive)
    assert "'quick'" in timings and "'plan'" not in timings
    assert "generator.build_quick" in modules and "generator.build_render" in modules
    assert sorted(modules.intersection(FULL_WAY_MODULES)) == []


def test_after_a_quick_build_the_front_matter_cache_holds_the_edited_cable(
    archive: Path,
) -> None:
    config = load_config(archive / "site.yaml")
    edit(archive, "\n\n", "\n\nA sentence added by hand.\n\n")
    assert "plan" not in build(config, jobs=1).timings
    loaded = load_cables(scan_folders(config.content_dir), config.cache_dir)
    assert loaded.parsed == 0 and loaded.cached == 6  # nothing left for a full build to read
    edited = next(meta for meta in loaded.cables if meta.id == "09ROME1111")
    assert edited.source_key == loaded_source_key(archive / CABLE)


def loaded_source_key(md_path: Path) -> str:
    """The signatures of a cable's two files as the front-matter cache keys them."""
    md, txt = md_path.stat(), md_path.with_suffix(".txt").stat()
    return f"{(md.st_mtime_ns, md.st_size, md.st_ino)}{(txt.st_mtime_ns, txt.st_size, txt.st_ino)}"
