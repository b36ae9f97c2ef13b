"""The back tree made from the live one with hard links (output.py), and tree removal."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MIRROR_THREADS = 4  # link system calls in flight at once (mirror_tree)


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
