"""Sources -> RawCables: files, folders (walked recursively, in sorted order) and globs.

Each file's format is detected from its content (importer_read, importer_csv),
never from its extension alone. A cables.csv dump is streamed row by row.
"""

from __future__ import annotations

import bz2
import glob
import gzip
import io
import lzma
import os
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from generator.errors import Problem
from generator.importer_csv import CSV_FIELDS, CsvRow, CsvRowError, is_csv_start, iter_csv_rows
from generator.importer_html import read_cablegate_html
from generator.importer_read import (
    MIXED_ENCODING,
    decode_text,
    invalid_utf8_problem,
    is_html,
    read_text_cable,
)
from generator.parse import RawCable

# A single cable is at most a few hundred kilobytes; a larger file that is not a
# cables.csv dump is not read into memory.
MAX_CABLE_FILE_BYTES = 64 * 1024 * 1024
_GLOB_CHARS = frozenset("*?[")
_SNIFF_BYTES = 4096
CSV_BLOCK_BYTES = 256 * 1024  # a cables.csv dump is read in blocks of this size


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...




def iter_source_files(sources: Iterable[str]) -> Iterator[Path | Problem]:
    """Every file named by the sources: files as given, folders and globs in sorted order.

    Hidden files and folders (names starting with '.') inside a folder are skipped.
    A source that names nothing is reported as a Problem.
    """
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from _walk_folder(path)
        elif path.exists():
            yield path
        elif _GLOB_CHARS & set(source):
            matches = sorted(glob.glob(source, recursive=True))
            if not matches:
                yield Problem(source, None, "no file matches this pattern")
            for match in matches:
                match_path = Path(match)
                if match_path.is_dir():
                    yield from _walk_folder(match_path)
                else:
                    yield match_path
        else:
            yield Problem(source, None, "no such file or folder")


def _walk_folder(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def iter_raw_cables(sources: Iterable[str]) -> Iterator[RawCable | Problem]:
    """Every cable found in the sources (files, folders, globs), and a Problem for each bad input.

    One bad file or row never stops the rest. cables.csv dumps (plain or
    gzipped) are streamed row by row: memory does not grow with their size.
    """
    for item in iter_source_files(sources):
        if isinstance(item, Problem):
            yield item
        else:
            yield from iter_file_cables(item)


def iter_file_cables(path: Path) -> Iterator[RawCable | Problem]:
    """The cables of one file, whatever its format; Problems for what is not a cable.

    Besides the cable formats, a file may be compressed (gzip, xz, bzip2) and
    may be a tar archive of cable files (pages.tar.xz of the 2010 site): its
    members are read in archive order, one at a time, and named 'ARCHIVE/MEMBER'.
    """
    file = str(path)
    try:
        with path.open("rb") as handle:
            yield from _iter_stream_cables(handle, file, decompress=True, untar=True)
    except OSError as exc:
        yield Problem(file, None, f"cannot read the file: {exc.strerror or exc}")


def _iter_stream_cables(
    handle: io.BufferedReader, file: str, *, decompress: bool, untar: bool
) -> Iterator[RawCable | Problem]:
    try:
        head = handle.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]
        decompressed = _decompress(head, handle) if decompress else None
        if decompressed is not None:
            with decompressed:
                inner = _buffered(decompressed)
                yield from _iter_stream_cables(inner, file, decompress=False, untar=untar)
            return
        if untar and head[257:262] == b"ustar":
            yield from _iter_tar_cables(handle, file)
            return
        if is_csv_start(head):
            yield from iter_csv_cables(_iter_blocks(handle), file)
            return
        data = handle.read(MAX_CABLE_FILE_BYTES + 1)
    except (EOFError, zlib.error, lzma.LZMAError, tarfile.TarError) as exc:
        yield Problem(file, None, f"the compressed file or archive is damaged: {exc}")
        return
    except OSError as exc:  # gzip and bz2 report damaged data as OSError
        yield Problem(file, None, f"cannot read the file: {exc.strerror or exc}")
        return
    if len(data) > MAX_CABLE_FILE_BYTES:
        yield Problem(
            file,
            None,
            f"too large for one cable (over {MAX_CABLE_FILE_BYTES // (1024 * 1024)} MB) "
            "and not a cables.csv dump",
        )
        return
    yield read_cable_bytes(data, file)


def _iter_tar_cables(handle: io.BufferedReader, file: str) -> Iterator[RawCable | Problem]:
    # Streaming mode ('r|'): members are read one after the other, never all at once.
    with tarfile.open(fileobj=handle, mode="r|") as archive:
        for member in archive:
            name = member.name
            if not member.isfile() or any(part.startswith(".") for part in name.split("/")):
                continue
            member_handle = archive.extractfile(member)
            if member_handle is not None:
                with member_handle:
                    member_file = f"{file}/{name}"
                    yield from _iter_stream_cables(
                        _buffered(member_handle), member_file, decompress=True, untar=False
                    )


class _RawReader(io.RawIOBase):
    """Any object with read(n) as a raw stream, so that io.BufferedReader gives it peek()."""

    def __init__(self, source: _Readable) -> None:
        super().__init__()
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _buffered(source: _Readable) -> io.BufferedReader:
    return io.BufferedReader(_RawReader(source), buffer_size=CSV_BLOCK_BYTES)


def _decompress(
    head: bytes, handle: io.BufferedReader
) -> gzip.GzipFile | lzma.LZMAFile | bz2.BZ2File | None:
    """A decompressing reader when the stream starts with a gzip, xz or bzip2 signature."""
    if head.startswith(b"\x1f\x8b\x08"):
        return gzip.GzipFile(fileobj=handle, mode="rb")
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(handle)
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return bz2.BZ2File(handle)
    return None


def _iter_blocks(handle: _Readable) -> Iterator[bytes]:
    while block := handle.read(CSV_BLOCK_BYTES):
        yield block


def read_cable_bytes(data: bytes, file: str) -> RawCable | Problem:
    """One file's bytes -> a RawCable (HTML page, page text, metadata text, telegram) or Problem."""
    text, encoding = decode_text(data)
    raw = read_cablegate_html(text, file) if is_html(text) else read_text_cable(text, file)
    if encoding == MIXED_ENCODING and isinstance(raw, RawCable):
        problem = invalid_utf8_problem(data, file)
        raw = replace(raw, problems=(*raw.problems, problem)) if problem else raw
    return raw


def iter_csv_cables(chunks: Iterable[bytes], file: str) -> Iterator[RawCable | Problem]:
    """The rows of a cables.csv dump as RawCables: original = header and content fields.

    `chunks` is any iterable of bytes (blocks of a file, lines); it is consumed
    as the rows are yielded, never further than the row being read.
    """
    for row in iter_csv_rows(chunks):
        if isinstance(row, CsvRowError):
            yield Problem(file, row.line, row.message)
        else:
            yield csv_row_to_raw(row, file)


def csv_row_to_raw(row: CsvRow, file: str) -> RawCable:
    fields = dict(zip(CSV_FIELDS, row.fields, strict=True))
    header, content = fields["header"], fields["content"]
    if header and content and not header.endswith(("\n", "\r")):
        original = header + "\n" + content
    else:
        original = header + content
    metadata = {
        key: " ".join(fields[key].split())
        for key in ("id", "created", "origin", "classification", "references")
        if fields[key].strip()
    }
    problems: tuple[Problem, ...] = ()
    if row.encoding == MIXED_ENCODING:
        problems = (
            Problem(
                file,
                row.line,
                "bytes that are not UTF-8 in this UTF-8 row were read as Windows-1252: "
                "check its accented letters and quotes",
                "warning",
            ),
        )
    return RawCable(
        text=original, file=file, line=row.line, format="csv", metadata=metadata,
        problems=problems,
    )
