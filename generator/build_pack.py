"""Records in one pack file and an index, not one file each (build_terms, build_records).

A full build keeps thousands of small records (one per term, one per content
folder). One file each cost a file creation each, and on ext4 mounted with
`discard` about 1 ms more to free each file replaced (2,558 files: 2.8 s of a
10,000-cable build). Here the records are appended to one pack file, and the
index (written last, tmp + os.replace) says where each one is: offset, length,
a digest of its bytes, and a note for the caller (build_terms keeps there the
digest a record was made for). A reader checks the digest of what it reads, so
a torn append, a pack rewritten meanwhile or a foreign file is never misread:
the record is missing, and the caller takes the full way.

Records are appended (a quick build's few patched records) until the dead
bytes outweigh the live ones; then, and whenever most records change (a first
build), a new pack is written under a new name, the index is switched to it,
and the old pack removed.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import io
import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from generator.reference_tags import TagInfo
from generator.site import Term

log = logging.getLogger(__name__)

INDEX_FILE = "index.pickle"
PACK_FORMAT = 1
_PACK_SUFFIX = ".pack"
# what unpickling a torn, foreign or older file raises (an old class gone: AttributeError)
UNREADABLE = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    AttributeError,
    ValueError,
    ImportError,
    TypeError,
)


# Where one record is in the pack: offset, length, blake2b-16 digest of its bytes, and the
# caller's note (e.g. what the record was made from). A plain tuple: an index of 2,600
# NamedTuples pickles and loads ~5x slower, and a subject edit reads and writes one.
Where = tuple[int, int, bytes, bytes]


class Pack:
    """The index of a pack folder as read, for lookups (see the module docstring)."""

    def __init__(self, folder: Path, version: int) -> None:
        self.folder = folder
        self.version = version
        self.name = ""
        self.entries: dict[object, Where] = {}
        try:
            data = pickle.loads((folder / INDEX_FILE).read_bytes())
        except UNREADABLE:
            return
        if (
            isinstance(data, tuple)
            and len(data) == 4
            and data[:2] == (PACK_FORMAT, version)
            and isinstance(data[2], str)
            and isinstance(data[3], dict)
            and all(type(entry) is tuple and len(entry) == 4 for entry in data[3].values())
        ):
            self.name, self.entries = data[2], data[3]

    def note(self, key: object) -> bytes | None:
        entry = self.entries.get(key)
        return entry[3] if entry is not None else None

    def read(self, key: object) -> bytes | None:
        """The bytes of one record, or None (no such record, or not the bytes indexed)."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        offset, length, digest, _ = entry
        try:
            with open(self.folder / self.name, "rb") as pack:
                pack.seek(offset)
                blob = pack.read(length)
        except OSError:
            return None
        if len(blob) != length or _digest(blob) != digest:
            return None
        return blob

    def load(self, key: object) -> object:
        """The unpickled record, or None."""
        blob = self.read(key)
        if blob is None:
            return None
        try:
            return pickle.loads(blob)
        except UNREADABLE:
            return None


class PackWriter:
    """Changes to a pack: records put, records dropped; nothing is visible before close().

    `fresh`: write a new pack (most records change). Otherwise the records put
    are appended to the current pack, which is rewritten only when it holds
    more dead bytes than live ones.
    """

    def __init__(self, pack: Pack, *, fresh: bool) -> None:
        self._old = pack
        self._entries = dict(pack.entries)
        self._fresh = fresh or not pack.name or not (pack.folder / pack.name).is_file()
        self._file: IO[bytes] | None = None
        self._name = pack.name
        self._in_new: set[object] = set()  # keys whose bytes are in a new pack
        self._failed = False

    def put(self, key: object, blob: bytes, note: bytes = b"") -> None:
        """Add or replace one record (its bytes: a pickle the reader checks)."""
        self._entries.pop(key, None)
        self._in_new.discard(key)
        out = self._open()
        if out is None:
            return
        try:
            offset = out.tell()
            out.write(blob)
        except OSError as exc:
            self._fail(exc)
            return
        self._entries[key] = (offset, len(blob), _digest(blob), note)
        if self._fresh:
            self._in_new.add(key)

    def drop(self, key: object) -> None:
        self._entries.pop(key, None)

    def close(self) -> None:
        """Write what was put, then the index; remove the packs the index no longer names."""
        if not self._fresh and not self._failed:
            live = sum(entry[1] for entry in self._entries.values())
            try:
                size = (self._old.folder / self._name).stat().st_size
                if self._file is not None:
                    size = max(size, self._file.tell())
            except (OSError, ValueError):
                size = 0
            if size - live > live:  # dead bytes outweigh live ones: rewrite
                self._close_file()
                self._fresh = True
        if self._fresh and not self._failed:
            self._copy_old()
        self._close_file()
        if self._failed:
            return
        folder = self._old.folder
        index = (PACK_FORMAT, self._old.version, self._name, self._entries)
        tmp = folder / f"{INDEX_FILE}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, folder / INDEX_FILE)
            for entry in os.scandir(folder):
                if entry.name.endswith(_PACK_SUFFIX) and entry.name != self._name:
                    os.unlink(entry.path)
        except OSError as exc:
            log.warning("%s: cannot keep the records (%s)", folder, exc.strerror)

    def _open(self) -> IO[bytes] | None:
        if self._file is not None or self._failed:
            return self._file
        folder = self._old.folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if self._fresh:
                self._name = _new_name(self._old.name)
                self._file = open(folder / self._name, "wb")  # noqa: SIM115 (_close_file)
            else:
                self._file = open(folder / self._name, "ab")  # noqa: SIM115
                self._file.seek(0, os.SEEK_END)
        except OSError as exc:
            self._fail(exc)
        return self._file

    def _close_file(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                self._fail(exc)
            self._file = None

    def _copy_old(self) -> None:
        """Into the new pack: the records still in the old one (kept, or appended to it)."""
        keys = [key for key in self._entries if key not in self._in_new]
        if self._open() is None or not keys:
            return
        try:
            with open(self._old.folder / self._old.name, "rb") as old:
                for key in keys:
                    offset, length, digest, note = self._entries[key]
                    old.seek(offset)
                    blob = old.read(length)
                    if len(blob) == length and _digest(blob) == digest:
                        self.put(key, blob, note)
                    else:
                        self._entries.pop(key)
        except OSError:  # no old pack: its records are gone
            for key in keys:
                if key not in self._in_new:
                    self._entries.pop(key, None)

    def _fail(self, exc: OSError) -> None:
        if not self._failed:
            log.warning("%s: cannot keep the records (%s)", self._old.folder, exc.strerror)
        self._failed = True


def record_pickler() -> Callable[[object], bytes]:
    """A function that pickles a record; Terms and TagInfos as constructor calls.

    A frozen dataclass with slots pickles through dataclasses' Python-level
    __getstate__, which calls fields() for every object: ~18,000 TagInfos and
    Terms in the records of 10,000 cables. Their fields as constructor
    arguments (reducers in this pickler's own dispatch table) cost a tuple.
    """
    table: dict[type, Any] = dict(copyreg.dispatch_table)
    for cls in (Term, TagInfo):
        table[cls] = _reducer(cls)

    def dumps(data: object) -> bytes:
        out = io.BytesIO()
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = table
        pickler.dump(data)
        return out.getvalue()

    return dumps


def _reducer(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    names = tuple(field.name for field in dataclasses.fields(cls))

    def reduce(obj: Any) -> tuple[Any, ...]:
        return cls, tuple([getattr(obj, name) for name in names])

    return reduce


def _digest(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


def _new_name(old: str) -> str:
    """The next pack's name: never the current one, so an index never points into a new pack."""
    generation = int(old[5:-5]) + 1 if old.startswith("pack-") and old[5:-5].isdigit() else 1
    return f"pack-{generation}{_PACK_SUFFIX}"


def load_pickle(path: Path, kind: type) -> Any:
    """A small file of the cache, unpickled, or None (missing, unreadable, not a `kind`)."""
    try:
        data = pickle.loads(path.read_bytes())
    except UNREADABLE:
        return None
    return data if isinstance(data, kind) else None


def save_pickle(path: Path, data: object, what: str) -> None:
    """Keep a small file of the cache (tmp + os.replace); a failure is a warning naming `what`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("%s: cannot keep %s (%s)", path, what, exc.strerror)
