"""Scanning content/: a key per folder from its files' signatures, and the front-matter cache.

A warm build of 50,000 cables must not parse 50,000 front matters, nor even
compare 100,000 signatures one by one in Python. So the scan is in two steps:

1. `scan_folders` lists every folder under content/cables and hashes, per
   folder, the name, mtime, size and inode of each file: one stat per file
   and one short hash per folder. The digest of all folder keys says whether
   anything at all changed (`ContentScan.key`).
2. `load_cables` reads the cache, one pickle per folder
   (.cablesite-cache/front-matter/). A folder whose key is unchanged is taken
   as it is; in a changed folder each file's signature is compared with the
   cached one, and only new or changed files are parsed (by the caller's
   `parse_many`, which may use worker processes).

Each cache entry is a pure function of the file's bytes (keyed by its
signature), so a cache written by an interrupted build is still right.
Deleting .cablesite-cache/ only costs time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import ContentError, Problem

if TYPE_CHECKING:  # imported where used: a build with nothing to do only scans
    from generator.site import CableMeta

log = logging.getLogger(__name__)

CACHE_VERSION = 3
CACHE_FOLDER = "front-matter"
Signature = tuple[int, int, int]  # mtime_ns, size, inode
# (md signature, txt signature, CableMeta as a plain tuple or None, problem or None)
Entry = tuple[Signature, Signature | None, tuple[object, ...] | None, str | None]
ParseTask = tuple[str, str, Signature, Signature | None]  # content dir, relpath, signatures
ParseMany = Callable[[list[ParseTask]], Iterable[tuple[str, Entry]]]


@dataclass(slots=True)
class ContentScan:
    """The folders of content/cables with a key each ('cables/2009/11' -> 16 bytes)."""

    content_dir: Path
    folders: dict[str, bytes]

    @property
    def key(self) -> bytes:
        """One digest for the whole of content/: changes when any cable file changes."""
        hasher = hashlib.blake2b(digest_size=16)
        for folder in sorted(self.folders):
            hasher.update(folder.encode("utf-8", "surrogateescape") + b"\0" + self.folders[folder])
        return hasher.digest()


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The cables of content/ (front matter only), problems, and how many files were parsed."""

    cables: list[CableMeta]
    problems: list[Problem]
    parsed: int
    cached: int
    changed: list[str] = field(default_factory=list)  # relpaths of .md files parsed again


def scan_folders(content_dir: Path) -> ContentScan:
    """Stat every file under content/cables; a key per folder (see the module docstring).

    The 100,000 stats of a 50,000-cable archive are most of a build with little
    to do, so they are made relative to an open folder (a one-name lookup, not
    the whole path) and each folder's lines are hashed in one call.
    """
    folders: dict[str, bytes] = {}
    cables_dir = content_dir / "cables"
    if not cables_dir.is_dir():
        return ContentScan(content_dir, folders)
    stack = ["cables"]
    lstat, is_dir, blake2b = os.stat, stat.S_ISDIR, hashlib.blake2b
    while stack:
        folder = stack.pop()
        lines: list[str] = []
        try:
            fd = os.open(os.path.join(content_dir, folder), _FOLDER_FLAGS)
            try:
                for name in os.listdir(fd):
                    if name[0] == ".":
                        continue
                    try:
                        info = lstat(name, dir_fd=fd, follow_symlinks=False)
                    except FileNotFoundError:  # deleted since the listing: it is gone
                        continue
                    if is_dir(info.st_mode):
                        stack.append(f"{folder}/{name}")
                        continue
                    lines.append(f"{name}\0{info.st_mtime_ns}\0{info.st_size}\0{info.st_ino}\n")
            finally:
                os.close(fd)
        except OSError as exc:
            log.warning("%s: cannot list: %s", folder, exc.strerror)
            continue
        text = "".join(lines).encode("utf-8", "surrogateescape")
        folders[folder] = blake2b(text, digest_size=16).digest()
    return ContentScan(content_dir, folders)


_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def folder_signatures(
    content_dir: Path, folder: str
) -> dict[str, tuple[Signature, Signature | None]]:
    """'cables/2009/11/09ROME1240.md' -> (its signature, its .txt's) for one folder."""
    found: dict[str, Signature] = {}
    try:
        with os.scandir(os.path.join(content_dir, folder)) as entries:
            for entry in entries:
                name = entry.name
                if name[0] == "." or not name.endswith((".md", ".txt")):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
                found[name] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError as exc:
        log.warning("%s: cannot list: %s", folder, exc.strerror)
    return {
        f"{folder}/{name}": (signature, found.get(name[:-3] + ".txt"))
        for name, signature in found.items()
        if name.endswith(".md")
    }


def load_cables(
    scan: ContentScan,
    cache_dir: Path,
    *,
    clean: bool = False,
    parse_many: ParseMany | None = None,
) -> ScanResult:
    """Every cable's front matter, from the cache where the files did not change."""
    cache_root = cache_dir / CACHE_FOLDER
    cached = {} if clean else _load_folder_caches(cache_root)
    content_dir = scan.content_dir
    entries: dict[str, dict[str, Entry]] = {}
    to_parse: list[ParseTask] = []
    for folder, key in scan.folders.items():
        previous = cached.get(folder)
        if previous is not None and previous[0] == key:
            entries[folder] = previous[1]
            continue
        old = previous[1] if previous is not None else {}
        current: dict[str, Entry] = {}
        for relpath, (md_sig, txt_sig) in folder_signatures(content_dir, folder).items():
            entry = old.get(relpath)
            if entry is not None and entry[0] == md_sig and entry[1] == txt_sig:
                current[relpath] = entry
            else:
                to_parse.append((str(content_dir), relpath, md_sig, txt_sig))
                current[relpath] = (md_sig, txt_sig, None, "not parsed")
        entries[folder] = current
    parsed = parse_many(to_parse) if parse_many is not None else map(parse_one, to_parse)
    for relpath, entry in parsed:
        entries[relpath.rpartition("/")[0]][relpath] = entry
    changed_folders = {relpath.rpartition("/")[0] for _, relpath, _, _ in to_parse}
    stale = [
        folder
        for folder in entries
        if folder in changed_folders or cached.get(folder, (b"",))[0] != scan.folders[folder]
    ]
    _save_folder_caches(
        cache_root,
        {folder: (scan.folders[folder], entries[folder]) for folder in stale},
        removed=[folder for folder in cached if folder not in scan.folders],
    )
    cables, problems = _collect(content_dir, entries)
    count = sum(len(folder_entries) for folder_entries in entries.values())
    return ScanResult(
        cables=cables,
        problems=problems,
        parsed=len(to_parse),
        cached=count - len(to_parse),
        changed=[relpath for _, relpath, _, _ in to_parse],
    )


def scan_content(
    content_dir: Path, cache_dir: Path, *, clean: bool = False, parse_many: ParseMany | None = None
) -> ScanResult:
    """scan_folders and load_cables in one call (for `cablesite check` and tests)."""
    return load_cables(scan_folders(content_dir), cache_dir, clean=clean, parse_many=parse_many)


def parse_one(task: ParseTask) -> tuple[str, Entry]:
    """Read one .md file's front matter into a cache entry (meta or problem)."""
    from generator.build_frontmatter import read_front_matter
    from generator.cable import cable_from_front_matter, split_front_matter
    from generator.cable_files import read_file
    from generator.site import cable_meta

    content_dir, relpath, md_sig, txt_sig = task
    md_path = Path(content_dir, relpath)
    try:
        where = str(md_path)
        text = read_file(where).decode("utf-8")
        front, _ = split_front_matter(text, where)
        cable = cable_from_front_matter(read_front_matter(front, where), md_path)
    except ContentError as exc:
        return relpath, (md_sig, txt_sig, None, str(exc).removeprefix(f"{md_path}: "))
    except OSError as exc:
        return relpath, (md_sig, txt_sig, None, f"cannot read: {exc.strerror}")
    except UnicodeDecodeError as exc:
        return relpath, (md_sig, txt_sig, None, f"not UTF-8 text ({exc.reason})")
    meta = cable_meta(cable, source_key=f"{md_sig}{txt_sig}")
    return relpath, (md_sig, txt_sig, _interned(meta), None)


def _interned(meta: CableMeta) -> tuple[object, ...]:
    """A plain tuple with repeated strings interned (tags, posts, addressees): a small cache."""
    intern = sys.intern
    return (
        meta.id,
        meta.subject,
        meta.created,
        intern(meta.classification) if meta.classification else None,
        intern(meta.origin) if meta.origin else None,
        tuple(intern(t) for t in meta.tags),
        tuple(intern(n) for n in meta.to),
        tuple(intern(n) for n in meta.info),
        meta.references,
        "",
        meta.source_key,
    )


def _collect(
    content_dir: Path, entries: dict[str, dict[str, Entry]]
) -> tuple[list[CableMeta], list[Problem]]:
    """CableMeta for each good file; problems for broken files, misnamed ids and duplicates."""
    from generator.cable import validate_cable_id
    from generator.site import CableMeta

    cables: list[CableMeta] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    root = f"{content_dir}{os.sep}"
    make = CableMeta._make
    for folder in sorted(entries, key=lambda f: f.split("/")):
        folder_entries = entries[folder]
        for relpath in sorted(folder_entries):
            _, _, data, problem = folder_entries[relpath]
            md_path = root + relpath
            if data is None:
                problems.append(Problem(md_path, None, problem or "unreadable"))
                continue
            meta = make(data)
            stem = relpath[len(folder) + 1 : -3]
            if meta.id != stem:
                problems.append(
                    Problem(md_path, 2, f"id {meta.id!r} disagrees with the file name '{stem}.md'")
                )
                continue
            try:
                validate_cable_id(meta.id)  # a URL and an output file are made of it
            except ContentError as exc:
                problems.append(Problem(md_path, 2, str(exc)))
                continue
            if meta.id in seen:
                problems.append(
                    Problem(md_path, 2, f"duplicate id {meta.id!r}: already in {seen[meta.id]}")
                )
                continue
            seen[meta.id] = md_path
            cables.append(meta._replace(content_path=md_path))
    return cables, problems


def load_folder_cache(cache_dir: Path, folder: str) -> tuple[bytes, dict[str, Entry]] | None:
    """The cached (key, entries) of one content folder, or None."""
    path = cache_dir / CACHE_FOLDER / f"{_cache_name(folder)}.pickle"
    try:
        data = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    if isinstance(data, tuple) and len(data) == 4 and data[:2] == (CACHE_VERSION, folder):
        return data[2], data[3]
    return None


def save_folder_cache(cache_dir: Path, folder: str, key: bytes, entries: dict[str, Entry]) -> None:
    """Write the cache of one content folder."""
    _save_folder_caches(cache_dir / CACHE_FOLDER, {folder: (key, entries)}, removed=[])


def _cache_name(folder: str) -> str:
    return hashlib.blake2b(folder.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()


def _load_folder_caches(cache_root: Path) -> dict[str, tuple[bytes, dict[str, Entry]]]:
    """folder -> (its key when cached, its entries); unreadable files are skipped."""
    found: dict[str, tuple[bytes, dict[str, Entry]]] = {}
    try:
        names = os.listdir(cache_root)
    except OSError:
        return found
    for name in names:
        if not name.endswith(".pickle"):
            continue
        try:
            with open(cache_root / name, "rb") as handle:
                data = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
            log.warning("%s: unreadable cache file, reading its cables again (%s)", name, exc)
            continue
        if isinstance(data, tuple) and len(data) == 4 and data[0] == CACHE_VERSION:
            _, folder, key, folder_entries = data
            found[folder] = (key, folder_entries)
    return found


def _save_folder_caches(
    cache_root: Path, folders: dict[str, tuple[bytes, dict[str, Entry]]], removed: list[str]
) -> None:
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        for folder, (key, folder_entries) in folders.items():
            path = cache_root / f"{_cache_name(folder)}.pickle"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(
                pickle.dumps(
                    (CACHE_VERSION, folder, key, folder_entries), protocol=pickle.HIGHEST_PROTOCOL
                )
            )
            os.replace(tmp, path)
        for folder in removed:
            (cache_root / f"{_cache_name(folder)}.pickle").unlink(missing_ok=True)
    except OSError as exc:
        log.warning(
            "%s: cannot write the cache (%s); the next build reads these cables again",
            cache_root,
            exc.strerror,
        )
