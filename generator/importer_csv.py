"""Stream the rows of a cables.csv / cables.csv.gz dump, one row in memory at a time.

The dump of the 2010-2011 release (1.7 GB, 251,287 rows) has no header row and
eight quoted fields per row:

    "1","12/28/1966 18:48","66BUENOSAIRES2481","Embassy Buenos Aires","UNCLASSIFIED",
    "66STATE106206","P R 281848Z DEC 66 ...","UNCLASSIFIED BUENOS AIRES 2481 ..."

(row number, created 'M/D/YYYY H:MM', reference id, origin, classification,
references, header, content). Quotes inside a field are escaped with a
backslash (\\" and \\'), and a line end inside a field may be written as a
backslash followed by the line end (cable-format.md 1.2). Fields span many
physical lines, so the reader tracks the quoting state line by line and hands
over a row as soon as its last line has been read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from generator.importer_read import decode_text

CSV_FIELDS = ("row", "created", "id", "origin", "classification", "references", "header", "content")

# A row this large is not a cable (the longest cables of the release are a few
# hundred kilobytes); past it the reader gives up on the row and looks for the
# next row start, so that one broken quote cannot make memory grow with the file.
MAX_ROW_BYTES = 16 * 1024 * 1024

# The start of a row: its number and its date, both quoted ('"1","12/28/1966 18:48","').
ROW_START = re.compile(rb'"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(?::\d{2})?",')
_QUOTE_OR_ESCAPE = re.compile(rb'\\[\s\S]|"')
_FIELD = re.compile(rb'"([^"\\]*(?:\\[\s\S][^"\\]*)*)"(,|\r\n|\n|\r|$)')
_ESCAPE = re.compile(r"\\([\s\S])")


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One row of the dump: its eight fields (escapes undone) and the line where it starts."""

    line: int
    fields: tuple[str, ...]
    encoding: str


@dataclass(frozen=True, slots=True)
class CsvRowError:
    """A row that could not be read: where it starts and why."""

    line: int
    message: str


def is_csv_start(head: bytes) -> bool:
    """True when the first non-blank line of `head` starts like a cables.csv row."""
    return ROW_START.match(head.lstrip(b"\xef\xbb\xbf").lstrip(b"\r\n\t ")) is not None


def iter_csv_rows(lines: Iterable[bytes]) -> Iterator[CsvRow | CsvRowError]:
    """Group physical lines (bytes, line ends kept) into rows; yield each row once it is complete.

    Holds at most one row: the lines of the row being read. Blank lines between
    rows are skipped. A row whose quotes do not balance is reported (with its
    first line) and reading resumes at the next line that starts like a row.
    """
    buffer: list[bytes] = []
    size = 0
    start_line = 0
    in_quotes = False
    skipping = False  # after a runaway row: ignore lines until the next row start
    line_number = 0
    for line_bytes in lines:
        line_number += 1
        if skipping:
            if not ROW_START.match(line_bytes):
                continue
            skipping = False
        if not buffer:
            if not line_bytes.strip():
                continue
            if line_number == 1 and line_bytes.startswith(b"\xef\xbb\xbf"):
                line_bytes = line_bytes[3:]
            start_line = line_number
        elif in_quotes and ROW_START.match(line_bytes):
            # A new row starts while the previous one is still inside a quoted field:
            # that row lost a quote. Report it and carry on with the new row.
            yield CsvRowError(start_line, "the row's quotes do not balance (a field is not closed)")
            buffer, size, in_quotes, start_line = [], 0, False, line_number
        buffer.append(line_bytes)
        size += len(line_bytes)
        in_quotes = _quotes_open_after(line_bytes, in_quotes)
        if in_quotes:
            if size > MAX_ROW_BYTES:
                yield CsvRowError(
                    start_line,
                    f"the row is longer than {MAX_ROW_BYTES // (1024 * 1024)} MB without "
                    "closing its quotes; skipped to the next row",
                )
                buffer, size, in_quotes, skipping = [], 0, False, True
            continue
        yield _read_row(b"".join(buffer), start_line)
        buffer, size = [], 0
    if buffer:
        yield CsvRowError(start_line, "the file ends inside a quoted field (the last row is cut)")


def _quotes_open_after(line_bytes: bytes, in_quotes: bool) -> bool:
    """The quoting state at the end of a line, given the state at its start."""
    if b"\\" not in line_bytes:
        return in_quotes != (line_bytes.count(b'"') % 2 == 1)
    for match in _QUOTE_OR_ESCAPE.finditer(line_bytes):
        if match.group() == b'"':
            in_quotes = not in_quotes
    return in_quotes


def _read_row(row_bytes: bytes, line: int) -> CsvRow | CsvRowError:
    raw_fields: list[bytes] = []
    position = 0
    while True:
        match = _FIELD.match(row_bytes, position)
        if match is None:
            found = len(raw_fields)
            return CsvRowError(
                line,
                f"not a cables.csv row: field {found + 1} is not a quoted value "
                f"(a row is {len(CSV_FIELDS)} quoted fields separated by commas)",
            )
        raw_fields.append(match.group(1))
        position = match.end()
        if match.group(2) != b",":
            break
    if position < len(row_bytes) and row_bytes[position:].strip():
        return CsvRowError(line, "not a cables.csv row: text after the last quoted field")
    if len(raw_fields) != len(CSV_FIELDS):
        return CsvRowError(
            line, f"the row has {len(raw_fields)} fields; a cables.csv row has {len(CSV_FIELDS)}"
        )
    text, encoding = _decode_row(b"\x00".join(raw_fields))
    fields = tuple(_ESCAPE.sub(r"\1", field) for field in text.split("\x00"))
    if len(fields) != len(CSV_FIELDS):  # a NUL byte inside a field
        fields = tuple(_ESCAPE.sub(r"\1", _decode_row(f)[0]) for f in raw_fields)
    return CsvRow(line=line, fields=fields, encoding=encoding)


def _decode_row(data: bytes) -> tuple[str, str]:
    return decode_text(data)
