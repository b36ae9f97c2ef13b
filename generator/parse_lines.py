"""Telegram text -> cleaned lines, and the line shapes every part of the parser recognises.

Sources disagree on line ends (LF, CRLF, CR), some 2010 pages end every
line with a backslash, pilcrows stand before paragraph numbers and REF letters,
and flattened copies run the banner, SIPDIS, E.O. and TAGS together on one
line (10STATE284). The head of the cable is normalised here once, so the field
readers in parse_header, parse_captions and parse_refs see one shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A cable's captions and address lists fit well within this many lines; the
# body is the body engineer's business (parse_body.py).
HEAD_LINE_LIMIT = 900

PARTIAL_EXTRACT = (
    "This record is a partial extract of the original cable. "
    "The full text of the original cable is not available."
)

# A caption that starts a line: E.O., TAGS, SUBJECT, REF, Classified By.
EO_CAPTION = re.compile(r"^E\.?[ \t]?O\b\.?[ \t]*:?[ \t]*\d{3,5}", re.IGNORECASE)
TAGS_CAPTION = re.compile(r"^TAGS?\b[ \t]*:?[ \t]*(?P<rest>.*)$", re.IGNORECASE)
SUBJECT_CAPTION = re.compile(r"^SUBJ(?:ECT)?\b[ \t]*[:.]?[ \t]*(?P<rest>.*)$", re.IGNORECASE)
REF_CAPTION = re.compile(
    r"^(?:REF(?:S|TELS?|ERENCES?)?|REF[ \t]?\(S\))(?![A-Z0-9])[ \t]*"
    r"(?:[A-Z](?![A-Z0-9])[ \t]*)?[:.]?[ \t]*(?P<rest>.*)$",
    re.IGNORECASE,
)
CLASSIFIED_BY_CAPTION = re.compile(
    r"^(?:\(U\)[ \t]*)?CLASSIFIED[ \t]+BY\b[ \t]*[:.-]?[ \t]*(?P<rest>.*)$", re.IGNORECASE
)
# '1. (C) The last', '1.(C)', '12.  Summary:' - but not '1.4 (b) and (d)'
NUMBERED_PARAGRAPH = re.compile(r"^\d{1,3}[ \t]?\.(?!\d)[ \t]*\S")
DASH_LINE = re.compile(r"^[ \t]*(?:-[ \t]?){3,}$|^[ \t]*={3,}[ \t]*$|^[ \t]*_{3,}[ \t]*$")
# 'ROME 00001240 002.2 OF 004', 'UNVIE VIEN 00000285  001.2 OF 036', 'KABUL 00001239 001.6 of 005'
PAGE_MARKER = re.compile(
    r"^[ \t]*[A-Z][A-Z .'-]{1,30}[ \t]+\d{8}[ \t]+\d{3}(?:\.\d{1,2})?[ \t]+OF[ \t]+\d{3}[ \t]*$",
    re.IGNORECASE,
)
# 'PAGE 02        CAPE T  00097  01 OF 03  182017Z'
OLD_PAGE_HEADER = re.compile(r"^[ \t]*PAGE[ \t]+\d{1,3}[ \t]+\S.*\d{6}Z[ \t]*$")
# database rows that follow some cables on the 2010 pages (07BERN881, 08TRIPOLI220)
DATABASE_ROW = re.compile(
    r"^(?:\d+\t\d{4}-\d\d-\d\d[ \t]\d\d:\d\d|"
    r"\d{1,6} \d\d/\d\d/\d{4} \d+ [A-Z]{2,5}(?:,[A-Z]{2,5})+ )"
)
_DATABASE_HEAD_ROW = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\t")
# the same residue glued to the last line: '... End comment. STEVENS 0 03/13/2008 9871 PGOV,...'
DATABASE_TAIL = re.compile(r"[ \t]\d{1,6} \d\d/\d\d/\d{4} \d{1,7} [A-Z]{2,6}(?:,[A-Z-]{2,6})+ ")
_TELEGRAM_FIELD = re.compile(
    r"^(?:VZCZC|ZCZC|[ZOPR]{1,2} |\d{6}Z|[ \t]*(?:U?UNCLAS|C ?O ?N ?F|S ?E ?C ?R|FM ))",
    re.IGNORECASE,
)
# captions that copies run together on one line
_MID_EO = re.compile(
    r"(?<=\S)[ \t]+(?=E\.?[ \t]?O\.?[ \t]*:?[ \t]*\d{4,5}[ \t]*[:,]?[ \t]*(?:DECL|DNG|N/?A\b))",
    re.IGNORECASE,
)
_MID_TAGS = re.compile(r"(?<=\S)[ \t]+(?=TAGS?[ \t]*:|TAGS?[ \t]+[A-Z]{2,5}[ ,])", re.IGNORECASE)
_MID_SUBJECT = re.compile(r"(?<=\S)[ \t]+(?=SUBJ(?:ECT)?[ \t]*:)", re.IGNORECASE)
_MID_CLASSIFIED_BY = re.compile(r"(?<=\S)[ \t]+(?=CLASSIFIED[ \t]+BY\b)", re.IGNORECASE)
_MID_SPLIT_HINT = re.compile(r"E\.?[ \t]?O\b|TAGS?\b|SUBJ|CLASSIFIED[ \t]+BY", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Lines:
    """The cleaned head of a cable: `text[i]` came from original line `number[i]` (0-based)."""

    text: tuple[str, ...]
    number: tuple[int, ...]


def split_raw_lines(text: str) -> list[str]:
    """Split on LF, CRLF or CR (never on the other characters str.splitlines knows)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def clean_line(line: str) -> str:
    """Strip trailing blanks and the backslash some 2010 pages end lines with; drop pilcrows."""
    line = line.rstrip()
    if line.endswith("\\"):
        line = line[:-1].rstrip()
    if "¶" in line:
        line = line.replace("¶", "")
    return line


def head_lines(raw_lines: list[str]) -> Lines:
    """The first HEAD_LINE_LIMIT lines, cleaned and with run-together captions split apart."""
    text: list[str] = []
    number: list[int] = []
    for index, raw in enumerate(raw_lines[:HEAD_LINE_LIMIT]):
        if DATABASE_ROW.match(raw) and index > 0:
            break
        parts = [raw]
        if "\t" in raw:
            if _DATABASE_HEAD_ROW.match(raw):
                # 'created, id, origin, classification, refs, VZCZC...': keep the telegram
                fields = raw.split("\t")
                first = next(
                    (i for i, f in enumerate(fields) if _TELEGRAM_FIELD.match(f)), len(fields)
                )
                parts = fields[first:] or [""]
            elif index > 0 and raw.rstrip().endswith("\\"):
                parts = raw.split("\t")
        for part in parts:
            line = clean_line(part)
            if line.startswith(PARTIAL_EXTRACT) or line.lstrip().startswith(PARTIAL_EXTRACT):
                line = line.lstrip()[len(PARTIAL_EXTRACT) :].strip()
                if not line:
                    text.append("")
                    number.append(index)
                    continue
            for piece in _split_run_together(line):
                text.append(piece)
                number.append(index)
    return Lines(tuple(text), tuple(number))


def _split_run_together(line: str) -> list[str]:
    """'... STATE 000284 SIPDIS E.O. 12958: DECL: 01/04/2020 TAGS: MASS' -> three lines."""
    if len(line) < 12 or not _MID_SPLIT_HINT.search(line, 1):
        return [line]
    pieces = [line]
    for pattern in (_MID_EO, _MID_TAGS, _MID_SUBJECT, _MID_CLASSIFIED_BY):
        next_pieces: list[str] = []
        for piece in pieces:
            if pattern is _MID_TAGS and not EO_CAPTION.match(piece.lstrip()):
                next_pieces.append(piece)  # 'TAGS' mid-line only after an E.O. caption
                continue
            if pattern is _MID_SUBJECT and not TAGS_CAPTION.match(piece.lstrip()):
                next_pieces.append(piece)
                continue
            if pattern is _MID_CLASSIFIED_BY and not REF_CAPTION.match(piece.lstrip()):
                next_pieces.append(piece)
                continue
            next_pieces.extend(part for part in pattern.split(piece) if part)
        pieces = next_pieces
    return pieces


def is_numbered_paragraph(line: str) -> bool:
    return bool(NUMBERED_PARAGRAPH.match(line.lstrip()))


def is_page_marker(line: str) -> bool:
    return bool(PAGE_MARKER.match(line)) or bool(OLD_PAGE_HEADER.match(line))
