"""Pagefind's output made reproducible: filter chunks in a fixed order, renamed by their content.

Pagefind 1.5 writes each filter (tag, origin, ...) as one chunk listing its
values in the iteration order of a Rust HashMap, which is seeded anew in
every process; the chunk's name, the metadata file that names it and the
entry file that names the metadata change with it. So two runs over the same
pages differ in a few files. `canonicalise_bundle` sorts the values of every
filter chunk and the list of filters, and renames the rewritten files by a
hash of their content, the way Pagefind names them ('en_733fa15.pf_filter',
'pagefind.en_2ada1c551a.pf_meta'). The browser code only follows these names.

The files are gzip streams of 'pagefind_dcd' + CBOR. The rewrite is careful:
a file that does not decode to the shapes below, or that a decode-encode
round trip would not reproduce byte for byte, is left as Pagefind wrote it,
and the bundle still works (it is then only not byte-identical between runs).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

SIGNATURE = b"pagefind_dcd"
CBOR = object  # int | str | bytes | bool | None | list[CBOR] | dict[CBOR, CBOR]


class BundleFormatError(ValueError):
    """A Pagefind file is not in the shape this module knows (another Pagefind version)."""


def canonicalise_bundle(bundle_dir: Path) -> bool:
    """Rewrite the filter chunks, metadata and entry file of one bundle in a fixed order.

    Returns False (and changes nothing) when the bundle is not in the known format.
    """
    entry_path = bundle_dir / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        plans = [
            _plan_language(bundle_dir, language, info)
            for language, info in entry["languages"].items()
        ]
    except (OSError, KeyError, TypeError, ValueError) as exc:
        log.warning("%s: Pagefind output left as written (%s)", bundle_dir, exc)
        return False
    for language, old_files, new_files, meta_hash in plans:
        for path in old_files:
            path.unlink()
        for path, data in new_files.items():
            path.write_bytes(data)
        entry["languages"][language]["hash"] = meta_hash
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    return True


def _plan_language(
    bundle_dir: Path, language: str, info: dict[str, object]
) -> tuple[str, list[Path], dict[Path, bytes], str]:
    """What to delete and write for one language: (language, old files, new files, meta hash)."""
    meta_path = bundle_dir / f"pagefind.{info['hash']}.pf_meta"
    meta = _read(meta_path)
    if not isinstance(meta, list) or len(meta) < 4 or not isinstance(meta[3], list):
        raise BundleFormatError(f"{meta_path.name}: unexpected metadata layout")
    old_files = [meta_path]
    new_files: dict[Path, bytes] = {}
    filters = []
    for item in meta[3]:
        is_pair = isinstance(item, list) and len(item) == 2
        if not (is_pair and all(isinstance(x, str) for x in item)):
            raise BundleFormatError(f"{meta_path.name}: unexpected filter entry {item!r:.60}")
        name, chunk_hash = item
        chunk_path = bundle_dir / "filter" / f"{chunk_hash}.pf_filter"
        chunk = _read(chunk_path)
        if not (isinstance(chunk, list) and len(chunk) == 2 and isinstance(chunk[1], list)):
            raise BundleFormatError(f"{chunk_path.name}: unexpected filter chunk layout")
        values = chunk[1]
        if not all(isinstance(v, list) and v and isinstance(v[0], str) for v in values):
            raise BundleFormatError(f"{chunk_path.name}: unexpected filter values")
        data = encode([chunk[0], sorted(values, key=lambda v: v[0])])
        new_hash = f"{language}_{hashlib.sha1(data).hexdigest()[:7]}"
        old_files.append(chunk_path)
        new_files[bundle_dir / "filter" / f"{new_hash}.pf_filter"] = _pack(data)
        filters.append([name, new_hash])
    meta[3] = sorted(filters)
    data = encode(meta)
    meta_hash = f"{language}_{hashlib.sha1(data).hexdigest()[:10]}"
    new_files[bundle_dir / f"pagefind.{meta_hash}.pf_meta"] = _pack(data)
    return language, old_files, new_files, meta_hash


def _read(path: Path) -> CBOR:
    """Decode one Pagefind file, insisting that encoding it again gives the same bytes."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise BundleFormatError(f"{path.name}: no Pagefind signature")
    body = raw[len(SIGNATURE) :]
    value, end = decode(body, 0)
    if end != len(body) or encode(value) != body:
        raise BundleFormatError(f"{path.name}: not in the CBOR subset this module writes")
    return value


def _pack(data: bytes) -> bytes:
    return gzip.compress(SIGNATURE + data, compresslevel=9, mtime=0)


def decode(data: bytes, position: int) -> tuple[CBOR, int]:
    """One CBOR item (integers, strings, bytes, arrays, maps, true/false/null) at position."""
    head = data[position]
    major, info = head >> 5, head & 31
    position += 1
    if info < 24:
        number = info
    elif 24 <= info <= 27:
        size = 1 << (info - 24)
        number = int.from_bytes(data[position : position + size], "big")
        position += size
    elif major == 7 and info in (20, 21, 22):
        number = info
    else:
        raise BundleFormatError(f"CBOR item {head:#x} at {position - 1} is not supported")
    if major == 0:
        return number, position
    if major == 1:
        return -1 - number, position
    if major in (2, 3):
        chunk = data[position : position + number]
        return (chunk if major == 2 else chunk.decode("utf-8")), position + number
    if major == 4:
        items: list[CBOR] = []
        for _ in range(number):
            item, position = decode(data, position)
            items.append(item)
        return items, position
    if major == 5:
        mapping: dict[CBOR, CBOR] = {}
        for _ in range(number):
            key, position = decode(data, position)
            mapping[key], position = decode(data, position)
        return mapping, position
    if major == 7:
        return {20: False, 21: True, 22: None}[number], position
    raise BundleFormatError(f"CBOR major type {major} is not supported")


def encode(value: CBOR) -> bytes:
    """The shortest CBOR encoding of value (as serde writes it)."""
    if value is False or value is True or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        text = value.encode("utf-8")
        return _head(3, len(text)) + text
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise BundleFormatError(f"cannot encode {type(value).__name__}")


def _head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise BundleFormatError(f"number {number} is too large for CBOR")
