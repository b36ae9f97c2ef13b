"""The writer: bytes written only when changed, hard-linked generations, atomic exchange."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.output import (
    commit,
    finish_commit,
    link_each,
    link_from_live,
    mirror_tree,
    open_output,
    output_digest,
    write_output,
)


def test_write_output_skips_identical_bytes(tmp_path: Path) -> None:
    digest, written = write_output(tmp_path, "a/b.html", b"hello", None)
    assert written and (tmp_path / "a/b.html").read_bytes() == b"hello"
    assert write_output(tmp_path, "a/b.html", b"hello", digest) == (digest, False)
    assert digest == output_digest(b"hello")


def test_write_output_replaces_rather_than_modifies_a_shared_file(tmp_path: Path) -> None:
    (tmp_path / "live").mkdir()
    (tmp_path / "live/page.html").write_bytes(b"old")
    mirror_tree(tmp_path / "live", tmp_path / "back")
    assert (tmp_path / "back/page.html").stat().st_ino == (
        tmp_path / "live/page.html"
    ).stat().st_ino
    write_output(tmp_path / "back", "page.html", b"new", output_digest(b"old"))
    assert (tmp_path / "live/page.html").read_bytes() == b"old"
    assert (tmp_path / "back/page.html").read_bytes() == b"new"


def test_commit_swaps_the_trees_and_keeps_both_manifests(tmp_path: Path) -> None:
    out = tmp_path / "public"
    trees = open_output(out, clean=False)
    write_output(trees.back_dir, "index.html", b"one", None)
    commit(trees, {"index.html": (b"in1", output_digest(b"one"))})
    assert (out / "index.html").read_bytes() == b"one"
    trees = open_output(out, clean=False)
    assert trees.live == {"index.html": (b"in1", output_digest(b"one"))}
    assert trees.back == trees.live  # mirrored after the first build
    write_output(trees.back_dir, "index.html", b"two", trees.back["index.html"][1])
    live_inode = out.stat().st_ino
    commit(trees, {"index.html": (b"in2", output_digest(b"two"))})
    assert (out / "index.html").read_bytes() == b"two"
    assert out.stat().st_ino != live_inode
    trees = open_output(out, clean=False)
    assert trees.live["index.html"][0] == b"in2" and trees.back["index.html"][0] == b"in1"


def test_an_interrupted_back_tree_is_rebuilt_from_the_live_one(tmp_path: Path) -> None:
    out = tmp_path / "public"
    trees = open_output(out, clean=False)
    write_output(trees.back_dir, "index.html", b"one", None)
    commit(trees, {"index.html": (b"in1", output_digest(b"one"))})
    trees = open_output(out, clean=False)
    from generator.output import mark_dirty

    mark_dirty(trees)
    write_output(trees.back_dir, "junk.html", b"half", None)  # then the build is killed
    trees = open_output(out, clean=False)
    assert not (trees.back_dir / "junk.html").exists()
    assert trees.back == trees.live


def test_a_first_commit_in_the_background_links_the_back_tree_by_finish_commit(
    tmp_path: Path,
) -> None:
    out = tmp_path / "public"
    trees = open_output(out, clean=False)
    pages = {f"cable/2009/{n:02d}/page.html": f"page {n}".encode() for n in range(40)}
    for relpath, data in pages.items():
        write_output(trees.back_dir, relpath, data, None)
    manifest = {relpath: (b"in", output_digest(data)) for relpath, data in pages.items()}
    commit(trees, manifest, background=True)
    assert trees.mirroring is not None
    finish_commit(trees)
    assert trees.mirroring is None
    for relpath, data in pages.items():
        live, back = out / relpath, trees.back_dir / relpath
        assert back.read_bytes() == data
        assert back.stat().st_ino == live.stat().st_ino  # a hard link, not a copy
    reopened = open_output(out, clean=False)
    assert reopened.back == reopened.live == manifest  # the back manifest was recorded


@pytest.mark.parametrize("count", [5, 450])  # in the calling thread; by threads
def test_link_each_links_every_file_and_names_those_the_live_tree_lost(
    tmp_path: Path, count: int
) -> None:
    trees = open_output(tmp_path / "public", clean=False)
    paths = [f"cable/{n % 7}/page{n}.html" for n in range(count)]
    for relpath in paths:
        live = trees.out_dir / relpath
        live.parent.mkdir(parents=True, exist_ok=True)
        live.write_text(relpath)
    lost = paths[3::4]
    for relpath in lost:
        (trees.out_dir / relpath).unlink()
    missing = link_each(lambda relpath: link_from_live(trees, relpath), paths)
    assert missing == lost
    for relpath in paths:
        back = trees.back_dir / relpath
        if relpath in lost:
            assert not back.exists()
        else:
            assert back.read_text() == relpath
            assert back.stat().st_ino == (trees.out_dir / relpath).stat().st_ino
