"""Stream the rows of a cables.csv / cables.csv.gz dump, one row in memory at a time.

The dump of the 2010-2011 release (1.7 GB, 251,287 rows) has no header row and
eight quoted fields per row:

    "1","12/28/1966 18:48","66BUENOSAIRES2481","Embassy Buenos Aires","UNCLASSIFIED",
    "66STATE106206","P R 281848Z DEC 66 ...","UNCLASSIFIED BUENOS AIRES 2481 ..."

(row number, created 'M/D/YYYY H:MM', reference id, origin, classification,
references, header, content). Quotes inside a field are escaped with a
backslash (\\" and \\'), and a line end inside a field may be written as a
backslash followed by the line end (cable-format.md 1.2). Fields span many
physical lines. The reader takes the input in chunks (blocks of a file, or
lines), finds the end of each quoted field with one regular-expression scan,
and hands over each row as soon as it is complete: it holds the row being read
and at most one chunk beyond it, never the file.
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
_ROW_START = rb'"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(?::\d{2})?",'
ROW_START = re.compile(_ROW_START)
_NEXT_ROW_START = re.compile(rb"(?:\r\n|\n|\r)(?=" + _ROW_START + rb")")
_BLANK = re.compile(rb"[ \t\r\n]*")
_ESCAPE = re.compile(r"\\([\s\S])")
_QUOTE, _COMMA, _LF, _CR, _BACKSLASH = ord('"'), ord(","), ord("\n"), ord("\r"), ord("\\")
_PLACEHOLDER = "\ue000"  # a private-use character stands for an escaped backslash while unescaping


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


def iter_csv_rows(chunks: Iterable[bytes]) -> Iterator[CsvRow | CsvRowError]:
    """Split a dump, given as chunks of bytes (blocks or lines), into rows, yielded once complete.

    A chunk is read only when the row being read is not complete yet. Blank
    lines between rows are skipped. A malformed row (an unescaped quote, a
    wrong number of fields) is reported with the line where it starts, and
    reading resumes at the next line that starts like a row.
    """
    source = iter(chunks)
    buffer = b""
    position = 0  # where the next row starts in `buffer`
    line = 1  # the line number at `position`
    at_end = False
    first = True
    while True:
        blank = _BLANK.match(buffer, position)
        if blank is not None and blank.end() > position:
            line += buffer.count(b"\n", position, blank.end())
            position = blank.end()
        if position < len(buffer):
            outcome = _scan_row(buffer, position, at_end)
        elif at_end:
            return
        else:
            outcome = None
        if outcome is None and len(buffer) - position > MAX_ROW_BYTES:
            outcome = (
                f"the row is longer than {MAX_ROW_BYTES // (1024 * 1024)} MB without closing its "
                "quotes"
            )
        if outcome is None:  # the row goes on in the next chunk
            chunk = next(source, None)
            if chunk is None:
                at_end = True
            else:
                if first and chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                first = False
                buffer = buffer[position:] + chunk
                position = 0
            continue
        if isinstance(outcome, str):
            yield CsvRowError(line, outcome)
            restart = _NEXT_ROW_START.search(buffer, position)
            while restart is None and not at_end:
                # skip the broken row: keep only the last, possibly partial, line
                keep = max(buffer.rfind(b"\n"), position)
                line += buffer.count(b"\n", position, keep)
                buffer, position = buffer[keep:], 0
                chunk = next(source, None)
                if chunk is None:
                    at_end = True
                else:
                    buffer += chunk
                restart = _NEXT_ROW_START.search(buffer, position)
            if restart is None:
                return
            line += buffer.count(b"\n", position, restart.end())
            position = restart.end()
            continue
        raw_fields, end = outcome
        yield _make_row(raw_fields, line)
        line += buffer.count(b"\n", position, end)
        position = end


def _scan_row(
    buffer: bytes, start: int, at_end: bool
) -> tuple[list[bytes], int] | str | None:
    """Read the row at `start`: (raw fields, end), an error message, or None: 'need more bytes'."""
    fields: list[bytes] = []
    position = start
    size = len(buffer)
    while True:
        if buffer[position] != _QUOTE:
            return (
                f"not a cables.csv row: field {len(fields) + 1} is not a quoted value "
                f"(a row is {len(CSV_FIELDS)} quoted fields separated by commas)"
            )
        text_end = _closing_quote(buffer, position + 1)
        if text_end < 0:
            return "the file ends inside a quoted field (the last row is cut)" if at_end else None
        fields.append(buffer[position + 1 : text_end])
        position = text_end + 1
        if position >= size:
            return (fields, position) if at_end else None
        after = buffer[position]
        if after == _COMMA:
            position += 1
            if position >= size:
                return "the row ends after a comma" if at_end else None
            continue
        if after == _LF:
            return fields, position + 1
        if after == _CR:
            if position + 1 < size:
                return fields, position + (2 if buffer[position + 1] == _LF else 1)
            return (fields, position + 1) if at_end else None
        return (
            f"text follows the closing quote of field {len(fields)} (a quote inside it is not "
            "escaped, or it is not closed); the row is skipped"
        )


def _closing_quote(buffer: bytes, start: int) -> int:
    """The index of the quote that closes the field whose text starts at `start`, or -1.

    A quote preceded by an odd number of backslashes is escaped. bytes.find
    jumps from quote to quote, much faster than a regular expression over the text.
    """
    search = start
    while True:
        quote = buffer.find(b'"', search)
        if quote < 0:
            return -1
        backslash = quote
        while backslash > start and buffer[backslash - 1] == _BACKSLASH:
            backslash -= 1
        if (quote - backslash) % 2 == 0:
            return quote
        search = quote + 1


def _make_row(raw_fields: list[bytes], line: int) -> CsvRow | CsvRowError:
    if len(raw_fields) != len(CSV_FIELDS):
        return CsvRowError(
            line, f"the row has {len(raw_fields)} fields; a cables.csv row has {len(CSV_FIELDS)}"
        )
    text, encoding = decode_text(b"\x00".join(raw_fields))
    decoded = text.split("\x00")
    if len(decoded) != len(CSV_FIELDS):  # a NUL byte inside a field
        decoded = [decode_text(field)[0] for field in raw_fields]
    fields = tuple(_unescape(field) if "\\" in field else field for field in decoded)
    return CsvRow(line=line, fields=fields, encoding=encoding)


def _unescape(field: str) -> str:
    """Undo the backslash escapes: '\\X' -> 'X' for any X (quote, backslash, line end)."""
    if _PLACEHOLDER in field:
        return _ESCAPE.sub(lambda match: match.group(1), field)
    # str.replace is many times faster than a regular expression here
    return field.replace("\\\\", _PLACEHOLDER).replace("\\", "").replace(_PLACEHOLDER, "\\")
