"""The back tree made from the live one with hard links (output.py), and tree removal."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MIRROR_THREADS = 4  # link system calls in flight at once (mirror_tree, link_each)
LINK_THREADS_FROM = 200  # fewer links are made in the calling thread


def mirror_tree(source: Path, target: Path) -> None:
    """Recreate source under target with hard links (copies where links are impossible).

    Folders first; the links by a few threads (the calls release the GIL). After
    a first build output.commit runs it in a thread while the build records.
    """
    remove_tree(target)
    source_text = str(source)
    folders: list[tuple[str, str, list[str]]] = []
    for dirpath, _dirnames, filenames in os.walk(source):
        relative = dirpath[len(source_text) :].lstrip(os.sep)
        folder = os.path.join(target, relative) if relative else str(target)
        os.makedirs(folder, exist_ok=True)
        folders.append((dirpath, folder, filenames))
    with ThreadPoolExecutor(max_workers=MIRROR_THREADS) as pool:
        for _ in pool.map(_link_folder, folders):
            pass


def _link_folder(job: tuple[str, str, list[str]]) -> None:
    for name in job[2]:
        src, dst = os.path.join(job[0], name), os.path.join(job[1], name)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)


def remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def link_each(link: Callable[[str], bool], paths: list[str]) -> list[str]:
    """Call link(path) for each path, by a few threads when there are many; the paths it failed.

    Bringing the back tree in line after a build that rewrote many pages means
    thousands of link-and-replace calls, each freeing an old file; on this
    kind of disk one costs ~0.5 ms and mostly waits, so calls overlap well.
    """
    if len(paths) < LINK_THREADS_FROM:
        return [path for path in paths if not link(path)]
    with ThreadPoolExecutor(max_workers=MIRROR_THREADS) as pool:
        done = list(pool.map(link, paths, chunksize=64))
    return [path for path, ok in zip(paths, done, strict=True) if not ok]
