"""Pagefind's output made reproducible: pages numbered in URL order, filters sorted, files renamed.

Two things make Pagefind 1.5's output differ for the same pages:

- It numbers the pages in the order it finds the files, which is the order
  the file system lists a folder: hash order on ext4 (seeded per file
  system, so per machine), creation order or its reverse on tmpfs. The
  numbers are in the metadata's page list, in every word's postings of the
  index chunks (delta-encoded) and in the filter chunks.
- It writes each filter (tag, origin, ...) as one chunk listing its values
  in the iteration order of a Rust HashMap, seeded anew in every process.

`canonicalise_bundle` renumbers the pages in the order of their URLs,
rewrites the index chunks, the filter chunks (values sorted) and the
metadata accordingly, and renames every rewritten file by a hash of its
content, the way Pagefind names them ('en_733fa15.pf_index',
'pagefind.en_2ada1c551a.pf_meta'); the entry file names the metadata. The
browser code only follows these names. Which words go into which index chunk
does not depend on the page order (observed on 1,012 pages listed in three
orders; tests/test_search.py checks it on every run).

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
import re
from pathlib import Path

log = logging.getLogger(__name__)

SIGNATURE = b"pagefind_dcd"
# One posting of an index chunk, [page delta, [locations], [meta locations]], when both
# lists hold only integers: an integer is never an array head (0x80-0x9b), so each
# run of integers ends exactly where its list does.
_INTEGER = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38].|[\x19\x39]..|[\x1a\x3a].{4}|[\x1b\x3b].{8})"
_ARRAY = rb"(?:[\x80-\x97]|\x98.|\x99..|\x9a.{4})"
_POSTING = re.compile(
    rb"\x83" + _INTEGER + (_ARRAY + _INTEGER + b"*") * 2 + rb"(?![\x00-\x1b\x20-\x3b])", re.DOTALL
)
CBOR = object  # int | str | bytes | bool | None | list[CBOR] | dict[CBOR, CBOR]


class BundleFormatError(ValueError):
    """A Pagefind file is not in the shape this module knows (another Pagefind version)."""


def canonicalise_bundle(bundle_dir: Path) -> bool:
    """Renumber the pages of one bundle in URL order and rewrite its files in a fixed order.

    The index and filter chunks, the metadata and the entry file are
    rewritten; fragments (named by their content) stay. Returns False (and
    changes nothing) when the bundle is not in the known format.
    """
    entry_path = bundle_dir / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        plans = [
            _plan_language(bundle_dir, language, info)
            for language, info in entry["languages"].items()
        ]
    except (OSError, IndexError, KeyError, TypeError, ValueError) as exc:
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
    number = _renumber_pages(bundle_dir, meta, meta_path.name)
    for chunk_entry in meta[2]:
        if not (isinstance(chunk_entry, list) and len(chunk_entry) == 3) or not isinstance(
            chunk_entry[2], str
        ):
            raise BundleFormatError(f"{meta_path.name}: unexpected index entry {chunk_entry!r:.60}")
        chunk_path = bundle_dir / "index" / f"{chunk_entry[2]}.pf_index"
        data = _renumber_index_chunk(_read_body(chunk_path), number, chunk_path.name)
        chunk_entry[2] = f"{language}_{hashlib.sha1(data).hexdigest()[:7]}"
        old_files.append(chunk_path)
        new_files[bundle_dir / "index" / f"{chunk_entry[2]}.pf_index"] = _pack(data)
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
        if not all(_is_filter_value(v) for v in values):
            raise BundleFormatError(f"{chunk_path.name}: unexpected filter values")
        values = [[v[0], sorted(number[page] for page in v[1])] for v in values]
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


def _renumber_pages(bundle_dir: Path, meta: list[CBOR], meta_name: str) -> list[int]:
    """Put the metadata's pages in URL order; the new number of each old page number."""
    pages = meta[1]
    if not (len(meta) >= 5 and isinstance(pages, list) and isinstance(meta[2], list)) or meta[4]:
        raise BundleFormatError(f"{meta_name}: unexpected page, index or sort layout")
    urls = []
    for page in pages:
        if not (isinstance(page, list) and len(page) == 2 and isinstance(page[0], str)):
            raise BundleFormatError(f"{meta_name}: unexpected page entry {page!r:.60}")
        fragment_path = bundle_dir / "fragment" / f"{page[0]}.pf_fragment"
        raw = gzip.decompress(fragment_path.read_bytes())
        if not raw.startswith(SIGNATURE):
            raise BundleFormatError(f"{fragment_path.name}: no Pagefind signature")
        urls.append(str(json.loads(raw[len(SIGNATURE) :])["url"]))
    order = sorted(range(len(pages)), key=lambda old: (urls[old], str(pages[old])))
    meta[1] = [pages[old] for old in order]
    number = [0] * len(pages)
    for new, old in enumerate(order):
        number[old] = new
    return number


def _renumber_index_chunk(body: bytes, number: list[int], name: str) -> bytes:
    """An index chunk with the pages renumbered: [[[word, postings, [[variant, postings]...]]...]].

    Postings are [page, locations, meta locations] in page order, each page
    given as the difference from the one before. The chunk is rewritten at the
    byte level: locations (most of its bytes) are copied as they are, not
    decoded, which makes this about twenty times faster than decode-encode.
    """
    count, position = _expect(body, 0, 4, name)
    words, position = _expect(body, position, 4, name)
    if count != 1:
        raise BundleFormatError(f"{name}: unexpected index chunk layout")
    out = [_head(4, 1), _head(4, words)]
    for _ in range(words):
        fields, position = _expect(body, position, 4, name)
        word_start = position
        _expect(body, position, 3, name)
        word_end = _skip(body, word_start)
        postings, position = _renumber_postings(body, word_end, number, name)
        variants, position = _expect(body, position, 4, name)
        if fields != 3:
            raise BundleFormatError(f"{name}: unexpected word entry at byte {word_start}")
        out += [_head(4, 3), body[word_start:word_end], postings, _head(4, variants)]
        for _ in range(variants):
            pair, variant_start = _expect(body, position, 4, name)
            _expect(body, variant_start, 3, name)
            variant_end = _skip(body, variant_start)
            postings, position = _renumber_postings(body, variant_end, number, name)
            if pair != 2:
                raise BundleFormatError(f"{name}: unexpected variant at byte {variant_start}")
            out += [_head(4, 2), body[variant_start:variant_end], postings]
    if position != len(body):
        raise BundleFormatError(f"{name}: {len(body) - position} bytes after the index chunk")
    return b"".join(out)


def _renumber_postings(
    body: bytes, position: int, number: list[int], name: str
) -> tuple[bytes, int]:
    count, position = _expect(body, position, 4, name)
    postings: list[tuple[int, bytes]] = []
    page = 0
    for _ in range(count):
        match = _POSTING.match(body, position)
        if match is not None:  # the usual shape, matched in C: [delta, [ints], [ints]]
            fields, (delta, rest), position = 3, _expect(body, position + 1, 0, name), match.end()
        else:
            fields, position = _expect(body, position, 4, name)
            delta, rest = _expect(body, position, 0, name)
            position = _skip(body, _skip(body, rest))
        page += delta
        if fields != 3 or page >= len(number):
            raise BundleFormatError(f"{name}: unexpected posting before byte {position}")
        postings.append((number[page], body[rest:position]))
    postings.sort()
    out = [_head(4, count)]
    previous = 0
    for new_page, locations in postings:
        out += [_head(4, 3), _head(0, new_page - previous), locations]
        previous = new_page
    return b"".join(out), position


def _expect(data: bytes, position: int, major: int, name: str) -> tuple[int, int]:
    """The number in the CBOR head of the given major type at position, and the position after.

    The head must be in its shortest form, as _head writes it.
    """
    try:
        head = data[position]
    except IndexError:
        raise BundleFormatError(f"{name}: cut short at byte {position}") from None
    info = head & 31
    if head >> 5 != major or info > 27:
        raise BundleFormatError(f"{name}: unexpected CBOR item {head:#x} at byte {position}")
    if info < 24:
        return info, position + 1
    size = 1 << (info - 24)
    number = int.from_bytes(data[position + 1 : position + 1 + size], "big")
    if _head(major, number) != data[position : position + 1 + size]:
        raise BundleFormatError(f"{name}: CBOR head at byte {position} is not in shortest form")
    return number, position + 1 + size


def _skip(data: bytes, position: int) -> int:
    """The position after the CBOR item at position (integers, strings, arrays, maps, simple)."""
    pending = 1
    while pending:
        pending -= 1
        head = data[position]
        major, info = head >> 5, head & 31
        position += 1
        if info < 24:
            number = info
        elif info <= 27 and major != 7:  # major 7 with a size is a float: not in the subset
            size = 1 << (info - 24)
            number = int.from_bytes(data[position : position + size], "big")
            position += size
        else:
            raise BundleFormatError(f"CBOR item {head:#x} at {position - 1} is not supported")
        if major in (2, 3):
            position += number
        elif major == 4:
            pending += number
        elif major == 5:
            pending += 2 * number
    if position > len(data):
        raise BundleFormatError(f"CBOR item cut short at {len(data)}")
    return position


def _is_filter_value(value: CBOR) -> bool:
    """[value, [page numbers]]."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], list)
        and all(isinstance(page, int) for page in value[1])
    )


def _read_body(path: Path) -> bytes:
    """The CBOR of one Pagefind file."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise BundleFormatError(f"{path.name}: no Pagefind signature")
    return raw[len(SIGNATURE) :]


def _read(path: Path) -> CBOR:
    """Decode one Pagefind file, insisting that encoding it again gives the same bytes."""
    body = _read_body(path)
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
