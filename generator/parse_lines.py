"""Telegram text -> cleaned lines, and the line shapes every part of the parser recognises.

Sources disagree on line ends (LF, CRLF, CR), some 2010 pages end every
line with a backslash, pilcrows stand before paragraph numbers and REF letters,
and flattened copies run the banner, SIPDIS, E.O. and TAGS together on one
line (10STATE284). The head of the cable is normalised here once, so the field
readers in parse_header, parse_captions and parse_refs see one shape.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generator.parse_banner import parse_banner

# A cable's address lists and captions fit well within this many lines (the
# longest INFO lists of the release run to about 250 lines).
HEAD_LINE_LIMIT = 400

PARTIAL_EXTRACT = (
    "This record is a partial extract of the original cable. "
    "The full text of the original cable is not available."
)

# A caption that starts a line: E.O., TAGS, SUBJECT, REF, Classified By.
EO_CAPTION = re.compile(r"^E\.?[ \t]?O\b\.?[ \t]*(?::[ \t]*)?\d{3,5}", re.IGNORECASE)
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
DATABASE_ROW_ANYWHERE = re.compile(r"^\d+\t\d{4}-\d\d-\d\d[ \t]\d\d:\d\d", re.MULTILINE)
_DATABASE_HEAD_ROW = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\t")
# the same residue glued to the last line: '... End comment. STEVENS 0 03/13/2008 9871 PGOV,...'
DATABASE_TAIL = re.compile(r"[ \t]\d{1,6} \d\d/\d\d/\d{4} \d{1,7} [A-Z]{2,6}(?:,[A-Z-]{2,6})+ ")
_TELEGRAM_FIELD = re.compile(
    r"^(?:VZCZC|ZCZC|[ZOPR]{1,2} |\d{6}Z|[ \t]*(?:U?UNCLAS|C ?O ?N ?F|S ?E ?C ?R|FM ))",
    re.IGNORECASE,
)
# captions that copies run together on one line
_MID_EO = re.compile(
    r"(?<=\S)[ \t]+(?=E\.?[ \t]?O\.?[ \t]*(?::[ \t]*)?\d{4,5}[ \t]*(?:[:,][ \t]*)?"
    r"(?:DECL|DNG|N/?A\b))",
    re.IGNORECASE,
)
_MID_TAGS = re.compile(r"(?<=\S)[ \t]+(?=TAGS?[ \t]*:|TAGS?[ \t]+[A-Z]{2,5}[ ,])", re.IGNORECASE)
_MID_SUBJECT = re.compile(r"(?<=\S)[ \t]+(?=SUBJ(?:ECT)?[ \t]*:)", re.IGNORECASE)
# written as a caption, not as prose ('... was classified by the ministry')
# ('SUBJECT: ... Verhagen 1. Classified by ...': the paragraph number goes with it)
_MID_CLASSIFIED_BY = re.compile(
    r"(?<=\S)[ \t]+(?=(?:\d{1,2}\.[ \t]*)?(?:\([A-Z/]{1,8}\)[ \t]*)?"
    r"(?:Classified [Bb]y|CLASSIFIED BY)\b)"
)
_MID_REF = re.compile(r"(?<=\S)[ \t]+(?=REF(?:TELS?|S)?[ \t]*:)")
_MID_SPLIT_HINT = re.compile(r"E\.?[ \t]?O\b|TAGS?\b|SUBJ|CLASSIFIED[ \t]+BY|REF", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Lines:
    """The cleaned head of a cable: `text[i]` came from original line `number[i]` (0-based).

    `number` is None when no line was split, i.e. text[i] came from line i. The head
    ends with the first block of lines of the first numbered paragraph, at `paragraph`.
    """

    text: tuple[str, ...]
    number: tuple[int, ...] | None = None
    paragraph: int | None = None  # index of the first numbered paragraph, if the head has one

    def source_line(self, index: int) -> int:
        if self.number is None:
            return index
        return self.number[index] if 0 <= index < len(self.number) else 0


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


_HEAD_CHUNK = 2048
_PARAGRAPH_BLOCK = 8
_PARAGRAPH_INITIALS = frozenset("0123456789 \t¶")
_MID_KEYWORDS = (" E.O", " EO ", " E O", " TAG", " SUBJ", " CLASSIFIED", " REF")


def head_lines(text: str) -> Lines:
    """The head of a cable: its lines up to the first numbered paragraph and that
    paragraph's first block of lines ('1. (U) CLASSIFIED BY ...' / 'REASON: 1.5 (D)').

    At most HEAD_LINE_LIMIT lines; cleaned (clean_line), the 'partial extract'
    notice cut off, and captions that a copy ran together split apart. Only
    the head is split and cleaned, so the cost does not grow with the body.
    """
    size = _HEAD_CHUNK
    while True:
        chunk = text[:size]
        complete = size >= len(text)
        if "\r" in chunk:
            chunk = chunk.replace("\r\n", "\n").replace("\r", "\n")
        raw = chunk.split("\n")
        if not complete:
            raw.pop()  # the last line of the chunk may be cut
        end = _head_end(raw)
        if end < len(raw) or complete or len(raw) >= HEAD_LINE_LIMIT:
            break
        size *= 4
    if 0 < end < len(raw) and raw[end - 1].lstrip(" \t¶")[:1].isdigit():
        block_end = end  # the rest of the first paragraph's first block
        while block_end < min(len(raw), end + _PARAGRAPH_BLOCK) and raw[block_end].strip():
            block_end += 1
        end = block_end
    head = raw[:end]
    joined = "\n".join(head)
    if "¶" in joined or "\\" in joined or "\t" in joined or "This record" in joined:
        return _with_paragraph(_clean_unusual(head))
    lines = [line.rstrip() for line in head]
    upper = joined.upper()
    if any(keyword in upper for keyword in _MID_KEYWORDS):
        return _with_paragraph(_split_lines(lines))
    return _with_paragraph(Lines(tuple(lines)))


def _with_paragraph(lines: Lines) -> Lines:
    for index, line in enumerate(lines.text):
        if (line[:1].isdigit() or line[:1] in (" ", "\t")) and NUMBERED_PARAGRAPH.match(
            line.lstrip()
        ):
            return Lines(lines.text, lines.number, index)
    return lines


def _head_end(raw: list[str]) -> int:
    """Index after the head: after the first numbered paragraph line, or at a database row."""
    for index, line in enumerate(raw):
        if index >= HEAD_LINE_LIMIT:
            return index
        if line[:1] in _PARAGRAPH_INITIALS:
            start = line.lstrip(" \t¶")
            if start[:1].isdigit():
                if index > 0 and DATABASE_ROW.match(line):
                    return index
                if NUMBERED_PARAGRAPH.match(start):
                    return index + 1
    return len(raw)


def _split_lines(lines: list[str]) -> Lines:
    text: list[str] = []
    number: list[int] = []
    split = False
    for index, line in enumerate(lines):
        if len(line) > 20 and _may_run_together(line):
            pieces = _split_run_together(line)
            split = split or len(pieces) > 1
            text.extend(pieces)
            number.extend([index] * len(pieces))
        else:
            text.append(line)
            number.append(index)
    return Lines(tuple(text), tuple(number) if split else None)


def _clean_unusual(head: list[str]) -> Lines:
    """Head lines with pilcrows, line-end backslashes, tabs or the partial-extract notice."""
    lines: list[str] = []
    number: list[int] = []
    for index, raw in enumerate(head):
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
            if line.startswith("This record", len(line) - len(line.lstrip())):
                line = _cut_partial_extract(line)
            lines.append(line)
            number.append(index)
    result = _split_lines(lines)
    if result.number is None:
        identity = len(lines) == len(head)
        return Lines(result.text, None if identity else tuple(number))
    return Lines(result.text, tuple(number[i] for i in result.number))


def _cut_partial_extract(line: str) -> str:
    """'This record is a partial extract ... not available.UNCLAS SECTION 01 OF 02 ADANA 0386'."""
    stripped = line.lstrip()
    if stripped.startswith(PARTIAL_EXTRACT):
        return stripped[len(PARTIAL_EXTRACT) :].strip()
    return line


def _may_run_together(line: str) -> bool:
    upper = line.upper()
    return (
        "TAG" in upper
        or "SUBJ" in upper
        or "CLASSIFIED" in upper
        or "REF" in upper
        or "E.O" in upper
        or ("EO " in upper)
    )


def _split_run_together(line: str) -> list[str]:
    """'... STATE 000284 SIPDIS E.O. 12958: DECL: 01/04/2020 TAGS: MASS' -> three lines."""
    if not _MID_SPLIT_HINT.search(line, 1):
        return [line]
    pieces = [line]
    for pattern in (_MID_EO, _MID_TAGS, _MID_SUBJECT, _MID_REF, _MID_CLASSIFIED_BY):
        next_pieces: list[str] = []
        for piece in pieces:
            start = piece.lstrip()
            if (
                (pattern is _MID_TAGS and not EO_CAPTION.match(start))  # only after an E.O. caption
                or (pattern is _MID_SUBJECT and not TAGS_CAPTION.match(start))
                or (pattern is _MID_REF and caption_kind(start) not in ("subject", "classified_by"))
                or (  # 'Classified By: Classified By: ...', '(U) CLASSIFIED BY ...' stay whole
                    pattern is _MID_CLASSIFIED_BY
                    and (caption_kind(start) == "classified_by" or start[:1] in "(0123456789")
                )
            ):
                next_pieces.append(piece)
                continue
            next_pieces.extend(part for part in pattern.split(piece) if part)
        pieces = next_pieces
    return pieces


def is_numbered_paragraph(line: str) -> bool:
    return bool(NUMBERED_PARAGRAPH.match(line.lstrip()))


def is_page_marker(line: str) -> bool:
    """'ROME 00001240 002.2 OF 004' or 'PAGE 02 ROME 01196 01 OF 02 082030Z'."""
    end = line.rstrip()[-1:]
    if end.isdigit():
        return bool(PAGE_MARKER.match(line))
    return end == "Z" and bool(OLD_PAGE_HEADER.match(line))


# ---------------------------------------------------------------- captions

STOP_WORDS = re.compile(
    r"^(?:BEGIN[ \t]+)?(?:SUMMARY|INTRODUCTION|BACKGROUND|COMMENT|ACTION)\b", re.IGNORECASE
)
_TAG_CODE = re.compile(r"^[A-Z0-9]{2,6}\b")


def is_caption(line: str) -> bool:
    """True for a line that starts with E.O., TAGS, SUBJECT, REF or Classified By."""
    return caption_kind(line.lstrip()) is not None


def caption_kind(line: str) -> str | None:
    """'eo', 'tags', 'subject', 'ref' or 'classified_by' for a caption line, else None.

    `line` has no leading blanks. Dispatching on the first letter keeps this
    cheap: it runs on every line of the head of every cable.
    """
    start = line[:4].upper()
    initial = start[:1]
    if initial == "E":
        return "eo" if EO_CAPTION.match(line) else None
    if start[:3] == "TAG":
        return "tags" if is_tags_caption(line) else None
    if start == "SUBJ":
        return "subject" if is_subject_caption(line) else None
    if start[:3] == "REF":
        return "ref" if REF_CAPTION.match(line) and _is_ref_caption(line) else None
    if start in ("CLAS", "(U)C", "(U) "):
        return "classified_by" if CLASSIFIED_BY_CAPTION.match(line) else None
    return None


_CAPTION_INITIALS = frozenset("EeTtSsRrCc(")


def is_subject_caption(line: str) -> bool:
    """'SUBJECT: ...', 'SUBJ: ...', 'Subject: ...', and 'SUBJECT ...' without the colon."""
    if SUBJECT_CAPTION.match(line) is None:
        return False
    return ":" in line[:9] or line[:8].upper() == "SUBJECT "


def is_tags_caption(line: str) -> bool:
    match = TAGS_CAPTION.match(line)
    if match is None:
        return False
    head = line[: len(line) - len(match["rest"])]
    return ":" in head or bool(_TAG_CODE.match(match["rest"]))


def _is_ref_caption(line: str) -> bool:
    upper = line[:12].upper()
    return ":" in upper or (
        upper.startswith(("REF ", "REF(", "REFTEL ")) and not upper.startswith("REF IS")
    )


def ends_caption(line: str) -> bool:
    """True for lines that end any caption's continuation lines."""
    stripped = line.strip()
    if not stripped:
        return True
    initial = stripped[0]
    if initial.isdigit():
        return is_numbered_paragraph(stripped)
    if initial in "-=_":
        return bool(DASH_LINE.match(stripped))
    return (
        caption_kind(stripped) is not None
        or is_page_marker(stripped)
        or (initial in "UCSLucsl" and parse_banner(stripped, 0) is not None)
    )


def read_block(lines: Sequence[str], index: int, rest: str) -> tuple[list[str], int]:
    """A caption's text and its continuation lines, up to a blank line or what else ends it."""
    block = [rest.strip()]
    index += 1
    while index < len(lines):
        line = lines[index].strip()
        if ends_caption(line) or STOP_WORDS.match(line):
            break
        block.append(line)
        index += 1
    return block, index
