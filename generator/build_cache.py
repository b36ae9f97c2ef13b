"""The front-matter cache: content/ scanned by file identity, YAML parsed only for changed files.

A warm build of 50,000 cables must not parse 50,000 YAML front matters. The
cache maps each .md file (relative path) to the signature of its two files
(.md and .txt: mtime, size, inode) and the CableMeta read from it, or the
problem that made it unreadable. A file whose signature is unchanged is not
opened. The cache lives in .cablesite-cache/ beside site.yaml; deleting it
only costs time.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.cable import load_cable_meta
from generator.errors import ContentError, Problem
from generator.site import CableMeta, cable_meta

log = logging.getLogger(__name__)

CACHE_VERSION = 2
CACHE_FILE = "front-matter.pickle"
PARALLEL_THRESHOLD = 2_000
Signature = tuple[int, int, int]
Entry = tuple[Signature, Signature | None, tuple[object, ...] | None, str | None]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The cables of content/ (front matter only), problems, and how many files were parsed."""

    cables: list[CableMeta]
    problems: list[Problem]
    parsed: int
    cached: int


def scan_content(
    content_dir: Path,
    cache_dir: Path,
    *,
    clean: bool = False,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ScanResult:
    """Load every cable's front matter, from the cache where the files did not change."""
    cache_path = cache_dir / CACHE_FILE
    old = {} if clean else _load_cache(cache_path)
    entries: dict[str, Entry] = {}
    to_parse: list[tuple[str, Signature, Signature | None]] = []
    for relpath, md_sig, txt_sig in _iter_signatures(content_dir):
        previous = old.get(relpath)
        if previous is not None and previous[0] == md_sig and previous[1] == txt_sig:
            entries[relpath] = previous
        else:
            to_parse.append((relpath, md_sig, txt_sig))
            entries[relpath] = (md_sig, txt_sig, None, None)
    for relpath, entry in _parse_all(content_dir, to_parse, jobs, progress):
        entries[relpath] = entry
    if to_parse or len(entries) != len(old):
        _save_cache(cache_path, entries)
    cables, problems = _collect(content_dir, entries)
    return ScanResult(
        cables=cables, problems=problems, parsed=len(to_parse), cached=len(entries) - len(to_parse)
    )


def _iter_signatures(content_dir: Path) -> Iterator[tuple[str, Signature, Signature | None]]:
    """(relative .md path, its signature, its .txt's signature) in sorted path order."""
    cables_dir = content_dir / "cables"
    if not cables_dir.is_dir():
        return
    stack = [cables_dir]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            log.warning("%s: cannot list: %s", folder, exc.strerror)
            continue
        files: dict[str, os.DirEntry[str]] = {}
        subdirs: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(Path(entry.path))
            else:
                files[entry.name] = entry
        for name, entry in files.items():
            if not name.endswith(".md"):
                continue
            txt = files.get(name[:-3] + ".txt")
            relpath = os.path.relpath(entry.path, content_dir)
            yield relpath, _signature(entry), _signature(txt) if txt is not None else None
        stack.extend(reversed(subdirs))


def _signature(entry: os.DirEntry[str]) -> Signature:
    stat = entry.stat()
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _parse_all(
    content_dir: Path,
    to_parse: list[tuple[str, Signature, Signature | None]],
    jobs: int,
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[str, Entry]]:
    tasks = [(str(content_dir), relpath, md_sig, txt_sig) for relpath, md_sig, txt_sig in to_parse]
    if (
        jobs > 1
        and len(tasks) >= PARALLEL_THRESHOLD
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs) as pool:
            for done, result in enumerate(pool.imap(_parse_one, tasks, chunksize=256), start=1):
                if progress and done % 256 == 0:
                    progress(256)
                yield result
        return
    for done, task in enumerate(tasks, start=1):
        if progress and done % 256 == 0:
            progress(256)
        yield _parse_one(task)


def _parse_one(task: tuple[str, str, Signature, Signature | None]) -> tuple[str, Entry]:
    content_dir, relpath, md_sig, txt_sig = task
    md_path = Path(content_dir, relpath)
    try:
        cable = load_cable_meta(md_path)
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


def _collect(content_dir: Path, entries: dict[str, Entry]) -> tuple[list[CableMeta], list[Problem]]:
    """CableMeta for each good file; problems for broken files, misnamed ids and duplicates."""
    cables: list[CableMeta] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for relpath in sorted(entries, key=lambda r: Path(r).parts):
        _, _, data, problem = entries[relpath]
        md_path = content_dir / relpath
        if data is None:
            problems.append(Problem(str(md_path), None, problem or "unreadable"))
            continue
        meta = CableMeta._make(data)._replace(content_path=str(md_path))
        if meta.id != md_path.stem:
            problems.append(
                Problem(
                    str(md_path), 2, f"id {meta.id!r} disagrees with the file name {md_path.name!r}"
                )
            )
            continue
        if meta.id in seen:
            problems.append(
                Problem(str(md_path), 2, f"duplicate id {meta.id!r}: already in {seen[meta.id]}")
            )
            continue
        seen[meta.id] = str(md_path)
        cables.append(meta)
    return cables, problems


def _load_cache(cache_path: Path) -> dict[str, Entry]:
    try:
        with cache_path.open("rb") as handle:
            data = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ValueError,
        ImportError,
    ) as exc:
        log.warning("%s: unreadable cache, reading every cable (%s)", cache_path, exc)
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _save_cache(cache_path: Path, entries: dict[str, Entry]) -> None:
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_path.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(
                {"version": CACHE_VERSION, "entries": entries},
                handle,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.replace(tmp, cache_path)
    except OSError as exc:
        log.warning(
            "%s: cannot write the cache (%s); the next build reads every cable again",
            cache_path,
            exc.strerror,
        )
