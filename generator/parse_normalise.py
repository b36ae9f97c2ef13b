"""Normalise a telegram text and take out its page markers.

Both work on the whole text with regular expressions that start with a literal
(so the regex engine skips ahead instead of trying every position): the body of
a cable is parsed some 250,000 times per import of the full release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAGE_BREAK = "\x0c"  # a line, or the start of a line, where a page marker was removed

# Categories of removals (tests/test_words.py checks each against its shape).
PAGE_MARKER = "page_marker"  # ROME 00001240 002.2 OF 004; PAGE 02 ROME 01196 01 OF 02 082030Z
ROUTING = "routing"  # header lines before the banner; a cables.csv row prefix; distribution lines
BANNER = "banner"  # C O N F I D E N T I A L SECTION 01 OF 04 ROME 001240; a bare classification
CAVEAT = "caveat"  # SIPDIS, NOFORN, SENSITIVE...
EO = "eo"  # E.O. 12958: DECL: 11/02/2019
TAGS = "tags"  # TAGS: PREL PARM (and continuation lines)
SUBJECT = "subject"  # SUBJECT: ... (and continuation lines)
CLASSIFIED_BY = "classified_by"
PAGE_SUBJECT = "page_subject"  # the SUBJECT some copies repeat after a page marker (09STATE82013)
PREAMBLE_COPY = "preamble_copy"
TRAILER = "trailer"  # BT, NNNN, #1240
APPENDED_RECORD = "appended_record"  # another cable glued after this one (07BERN881)
CHROME = "chrome"  # page chrome of a scraped web page ('pdf how-to read a cable')


@dataclass(frozen=True, slots=True)
class Removal:
    """A removed line, lines or span: category, 1-based line (normalised text), the text removed."""

    category: str
    line: int
    text: str


_CONTROL_BYTES = bytes(code for code in range(32) if code not in (9, 10, 13)) + b"\x7f"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
# The 2010 site's ¶ paragraph links, kept by some copies: '¶2. (C)', '¶B. MADRID 707'.
_PILCROW = re.compile(r"¶[ \t]*(?=\d|[A-Za-z][.)]|\()")
_PARTIAL_NOTE = re.compile(
    r"^(This record is a partial extract of the original cable\. "
    r"The full text of the original cable is not available\.)[ \t]*(?=\S)",
    re.M,
)


def normalise_text(text: str) -> str:
    """Line ends to LF; control characters, no-break spaces and the site's ¶ links dropped.

    None of these changes a word.  The partial-extract note of some copies is
    put on a line of its own ('...is not available.UNCLAS SECTION 01 OF 02
    ADANA 0386', 02ADANA386).
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded.translate(None, _CONTROL_BYTES)) != len(encoded):
        # a form feed or vertical tab between two words separates them ('a\fb' is two
        # words); other control characters (a NUL inside a word) just go
        text = _CONTROL.sub(_drop_control, text)
    if "\xa0" in text:
        text = text.replace("\xa0", " ")
    if "¶" in text:
        text = _PILCROW.sub("", text)
    if "This record is a partial" in text:
        text = _PARTIAL_NOTE.sub("\\1\n", text)
    return text


def _drop_control(match: re.Match[str]) -> str:
    return " " if any(char in _SPACING_CONTROLS for char in match.group()) else ""


_SPACING_CONTROLS = "\x0b\x0c\x1c\x1d\x1e\x1f"  # whitespace to str.split


def split_lines(text: str) -> list[str]:
    """The lines of a normalised text without trailing blanks or the line-end backslash.

    The backslash is the line end of cables.csv fields (07BERN881 carries such
    a row inside its page).
    """
    if "\\" in text:
        return [line.rstrip().removesuffix("\\").rstrip() for line in text.split("\n")]
    # Most copies end lines with one space ('SIPDIS \n'): a few replaces do it in C.
    for _ in range(3):
        if " \n" not in text:
            break
        text = text.replace(" \n", "\n")
    if " \n" in text or "\t\n" in text:
        return [line.rstrip() for line in text.split("\n")]
    if text[-1:].isspace() and not _ends_only_in_break(text):
        return [line.rstrip() for line in text.split("\n")]
    return text.split("\n")


def _ends_only_in_break(text: str) -> bool:
    """True when text ends in a line break and no line of it ends in whitespace.

    Then rstrip would change no line: a text that ends with its last line's
    break (every telegram of a cables.csv made by make_archive.py) need not be
    stripped line by line. Known for ASCII text (str.isascii costs nothing),
    whose only whitespace is ' ', tab, the break and _ASCII_SPACE_BUT_BLANK_TAB_LF;
    ' ' and tab before a break are ruled out by the caller.
    """
    return (
        text[-1] == "\n"
        and text.isascii()
        and not any(char in text for char in _ASCII_SPACE_BUT_BLANK_TAB_LF)
    )


# str.isspace of ASCII: ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f'
_ASCII_SPACE_BUT_BLANK_TAB_LF = "\r\x0b\x0c\x1c\x1d\x1e\x1f"


# 2000s: 'ROME 00001240 002.2 OF 004', 'NEW DELHI 00005138  002 OF 003',
# 'KABUL 00001239 001.6 of 005'
# also cut short ('DUSHANBE 00000575 001.2 OF 0...') and in mid-line (10STATE284).  The post before
# the serial is found by _POST_RUN.
_MARKER = re.compile(
    r"0\d{7} +\d{3}(?:\.\d)?(?: +(?:OF|of|Of) +(?:\d{3}(?![\w.])|\d{0,2}\.\.\.)|\.(?=\n|$))"
)
# old: 'PAGE 02 ROME 01196 01 OF 02 082030Z'
_OLD_MARKER = re.compile(
    r"PAGE +\d{1,3} +(?:[A-Za-z][A-Za-z.'&/-]* +){1,4}\d{4,8} +\d{1,3} +OF +\d{1,3}"
    r"(?: +\d{6}Z)?(?!\S)"
)
_POST_RUN = re.compile(r"(?:^|(?<=[\s,;:(]))((?:[A-Za-z][A-Za-z.'&/-]* +){1,4})$")
_LOOK_BACK = 80


def remove_page_markers(text: str, lines: list[str], removed: list[Removal]) -> None:
    """Take the page markers out of `lines` (the split_lines of `text`), in place.

    A marker that opens its line becomes a PAGE_BREAK at the start of that
    line; one in mid-line is cut out and its neighbours joined by a space.
    """
    found: list[tuple[int, int, bool]] = []  # (start, end, old style)
    if "0" in text and (" OF " in text or " of " in text or "." in text):
        found.extend((m.start(), m.end(), False) for m in _MARKER.finditer(text))
    if "PAGE " in text:
        found.extend((m.start(), m.end(), True) for m in _OLD_MARKER.finditer(text))
    if not found:
        return
    found.sort()
    markers: list[
        tuple[int, int, int, str | None]
    ] = []  # (line index, start column, end column, run)
    line_index, line_start, cursor = 0, 0, 0
    for start, end, old in found:
        newlines = text.count("\n", cursor, start)
        if newlines:
            line_index += newlines
            line_start = text.rfind("\n", cursor, start) + 1
        cursor = start
        if old:
            if start > line_start and not text[start - 1].isspace():
                continue
            markers.append((line_index, start - line_start, end - line_start, None))
            continue
        run = _POST_RUN.search(text, max(line_start, start - _LOOK_BACK), start)
        if run is None:
            continue
        markers.append((line_index, run.start() - line_start, end - line_start, run.group(1)))
    _apply_markers(lines, markers, removed)


def _apply_markers(
    lines: list[str], markers: list[tuple[int, int, int, str | None]], removed: list[Removal]
) -> None:
    """Cut the markers out of their lines; in mid-line keep the words before it that are no post."""
    indent = {
        index: len(lines[index]) - len(lines[index].lstrip()) for index in {m[0] for m in markers}
    }
    posts = {
        " ".join(run.split()).upper()
        for index, start, _, run in markers
        if run is not None and start <= indent[index]
    }
    by_line: dict[int, list[tuple[int, int]]] = {}
    for index, start, end, run in markers:
        if run is not None and start > indent[index]:
            start = _post_start(start, run, posts)
        by_line.setdefault(index, []).append((start, end))
    for index, spans in by_line.items():
        line = lines[index]
        kept: list[str] = []
        last = 0
        for start, end in spans:
            if start < last:
                continue
            removed.append(Removal(PAGE_MARKER, index + 1, line[start:end].strip()))
            kept.append(line[last:start])
            last = end
        kept.append(line[last:])
        rest = " ".join(piece.strip() for piece in kept if piece.strip())
        opens_line = spans[0][0] <= indent[index]
        lines[index] = PAGE_BREAK + rest if opens_line else rest


def _post_start(start: int, run: str, posts: set[str]) -> int:
    """Where a mid-line marker starts: the longest known post ending its run, or its last word."""
    words = run.split()
    count = 1
    for size in range(len(words), 1, -1):
        if " ".join(words[-size:]).upper() in posts:
            count = size
            break
    positions = [match.start() for match in re.finditer(r"\S+", run)]
    return start + positions[len(positions) - count]
