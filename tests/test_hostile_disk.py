"""A full disk, a read-only folder, a file in the way: said as such, with the path, nothing lost.

The disk is real: a small tmpfs mounted inside the test (we run as root), so
a write fails with ENOSPC the way it does on a full disk, and a read-only
remount gives EROFS (root ignores permission bits, so chmod would test
nothing). Where mounting is not permitted the test is skipped with the reason.
Each failing command must exit 1 with one 'error: <path>: ...' message naming
the cause and no traceback, and leave the previous public/ or content/ exactly
as it was; once the cause is gone, the same command completes the job.
"""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_support import REPO_DIR, snapshot, tree_bytes

from generator.build import build
from generator.config import load_config
from generator.importer import import_sources

SITES = Path(__file__).resolve().parent / "sites"
CORPUS_RAW = REPO_DIR.parent / "shared" / "corpus" / "raw"


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def assert_reported(result: subprocess.CompletedProcess[str], path: Path, *words: str) -> str:
    """Exit 1, no traceback, an 'error:' line naming a path under `path` and the words."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors, output
    line = next((e for e in errors if str(path) in e), None)
    assert line is not None, f"no error names {path}: {errors}"
    for word in words:
        assert word.lower() in line.lower(), line
    return line


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs mounted for this test (unmounted after it)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here, so no real full disk: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def remount(mount_point: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mount_point)], check=True)


def fill(mount_point: Path, leave: int) -> Path:
    """Fill the disk until only about `leave` bytes are free; the filler file."""
    filler = mount_point / "filler"
    chunk = b"\0" * 4096
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with filler.open("r+b") as handle:
        handle.truncate(max(0, filler.stat().st_size - leave))
    return filler


def minimal_archive(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive, ignore=shutil.ignore_patterns(".cablesite-cache"))
    return archive


def set_title(archive: Path, title: str) -> None:
    config = archive / "site.yaml"
    config.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", config.read_text()))


def assert_equals_clean_build(archive: Path, public: Path, clean: Path) -> None:
    """public/ (on the test's tmpfs) is what a clean build makes on ext4.

    The file systems list folders in different orders, which Pagefind's
    bundle no longer shows (search_bundle renumbers its pages).
    """
    build(load_config(archive / "site.yaml"), clean / "public", clean=True, jobs=1)
    assert tree_bytes(public) == tree_bytes(clean / "public")


# ---------------------------------------------------------------- build


@pytest.mark.parametrize("leave", [0, 60_000, 400_000])
def test_build_on_a_full_disk_says_so_and_keeps_public(
    tmp_path: Path, disk: Path, leave: int
) -> None:
    archive = minimal_archive(tmp_path)
    public = disk / "public"
    assert run_cli(archive, "build", "--out", str(public)).returncode == 0
    before = tree_bytes(public)
    set_title(archive, "A title on every page, so every page changes")
    filler = fill(disk, leave)
    result = run_cli(archive, "build", "--out", str(public))
    assert_reported(result, disk, "the disk is full")
    assert tree_bytes(public) == before
    filler.unlink()
    again = run_cli(archive, "build", "--out", str(public))
    assert again.returncode == 0, again.stderr
    assert_equals_clean_build(archive, public, tmp_path / "clean")


def test_build_into_a_read_only_folder_says_so_and_keeps_public(tmp_path: Path, disk: Path) -> None:
    archive = minimal_archive(tmp_path)
    public = disk / "public"
    assert run_cli(archive, "build", "--out", str(public)).returncode == 0
    before = snapshot(disk)
    set_title(archive, "Changed while the output is read-only")
    remount(disk, "ro")
    result = run_cli(archive, "build", "--out", str(public))
    assert_reported(result, disk, "read-only")
    assert snapshot(disk) == before
    remount(disk, "rw")
    again = run_cli(archive, "build", "--out", str(public))
    assert again.returncode == 0, again.stderr
    assert_equals_clean_build(archive, public, tmp_path / "clean")


def test_a_read_only_output_folder_is_reported_on_a_first_build(tmp_path: Path, disk: Path) -> None:
    archive = minimal_archive(tmp_path)
    remount(disk, "ro")
    result = run_cli(archive, "build", "--out", str(disk / "public"))
    assert_reported(result, disk, "read-only")


@pytest.mark.parametrize(
    "blocked",
    ["public", ".public.cablesite", "parent/public"],
)
def test_a_file_in_the_way_of_a_folder_is_reported(tmp_path: Path, blocked: str) -> None:
    archive = minimal_archive(tmp_path)
    where = tmp_path / "site"
    where.mkdir()
    out = where / ("parent/public" if blocked == "parent/public" else "public")
    in_the_way = where / blocked.removesuffix("/public") if blocked != "public" else out
    in_the_way.parent.mkdir(parents=True, exist_ok=True)
    in_the_way.write_text("a file, not a folder\n")
    result = run_cli(archive, "build", "--out", str(out))
    line = assert_reported(result, where)
    assert in_the_way.read_text() == "a file, not a folder\n"
    assert "folder" in line or "Not a directory" in line or "exists" in line, line


def test_a_file_in_the_way_inside_the_last_build_is_reported(tmp_path: Path) -> None:
    archive = minimal_archive(tmp_path)
    public = archive / "public"
    assert run_cli(archive, "build").returncode == 0
    before = tree_bytes(public)
    back = archive / ".public.cablesite" / "back"
    shutil.rmtree(back / "tag")
    (back / "tag").write_text("in the way")  # someone's file where the build needs a folder
    set_title(archive, "Another title")
    result = run_cli(archive, "build")
    if result.returncode == 0:  # the build may clear its own back tree: then all must be right
        build(load_config(archive / "site.yaml"), tmp_path / "clean", clean=True, jobs=1)
        assert tree_bytes(public) == tree_bytes(tmp_path / "clean")
    else:
        assert_reported(result, back)
        assert tree_bytes(public) == before


# ---------------------------------------------------------------- import


def test_import_onto_a_full_disk_says_so_and_a_second_run_completes(
    tmp_path: Path, disk: Path
) -> None:
    reference = tmp_path / "reference"
    import_sources([str(CORPUS_RAW)], reference, jobs=1)
    content = disk / "content"
    filler = fill(disk, 150_000)
    result = run_cli(tmp_path, "import", str(CORPUS_RAW), "--into", str(content))
    assert_reported(result, content, "the disk is full")
    assert result.stderr.count("error: ") == 1, "a full disk is said once, not per cable"
    written = sorted(content.rglob("*.md"))
    assert written, "the import stopped before the disk was full"
    for md_path in written:  # whole files only, each with its original text
        assert md_path.with_suffix(".txt").is_file()
        assert md_path.read_bytes() == (reference / md_path.relative_to(content)).read_bytes()
    filler.unlink()
    again = run_cli(tmp_path, "import", str(CORPUS_RAW), "--into", str(content))
    assert again.returncode == 0, again.stderr
    assert tree_bytes(content) == tree_bytes(reference)


def test_import_into_a_read_only_content_folder_says_so(tmp_path: Path, disk: Path) -> None:
    sources = tmp_path / "raw"
    shutil.copytree(CORPUS_RAW, sources)
    content = disk / "content"
    assert run_cli(tmp_path, "import", str(sources), "--into", str(content)).returncode == 0
    before = snapshot(content)
    for path in sources.glob("*.txt"):
        path.write_bytes(path.read_bytes() + b"\nA LINE ADDED LATER\n")
    remount(disk, "ro")
    result = run_cli(tmp_path, "import", str(sources), "--into", str(content))
    assert_reported(result, content, "read-only")
    assert snapshot(content) == before
    remount(disk, "rw")
    again = run_cli(tmp_path, "import", str(sources), "--into", str(content))
    assert again.returncode == 0, again.stderr
    assert "updated" in again.stdout
