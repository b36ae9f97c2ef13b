"""Repair the character garbling of the 2010 release (cable-format.md, section 5).

The text of most 2000s cables went through a conversion that replaced the
typographic characters of a word processor with plain ASCII characters that
happen to be wrong: the apostrophe ’ became ',' (`Iran,s`), the opening quote “
became '&' (`&material collateral,8`), the closing quote ” became '8' and the em
dash became ')' (`window of opportunity ) but`).  Some copies then decoded
'&' plus the next letters as an HTML entity, so `&not a gadget,8` reached us as
`¬ a gadget,8` (09PARIS1007) and `&part of the problem8` as `∂ of the problem8`.

Repairs restore the characters the writer typed, curly: ’ “ ” —.  Every rule
is local and conservative, because a wrong repair would change what a cable
says: real commas, digits (`G-8`, `G8`, `UNSCR 1887`, `1.8 billion`) and
ampersands (`AT&T`, `R&D`, `S&ED`) are never touched, and a quote is repaired
only when its partner is found in the same paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.entities import codepoint2name

APOSTROPHE = "\u2019"
OPEN_QUOTE = "\u201c"
CLOSE_QUOTE = "\u201d"
EM_DASH = "\u2014"
# The longest flattened cable of the corpus is one paragraph of some 30,000 characters.
MAX_REPAIR_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class Repair:
    """One character repair: `raw` and `clean` are the changed characters with their word
    neighbours ('Iran,s' -> 'Iran’s'), so words(raw) and words(clean) show what changed."""

    kind: str  # 'apostrophe', 'quote', 'entity-quote', 'dash'
    raw: str
    clean: str


# A comma glued between letters and a contraction/possessive ending: `Iran,s`,
# `doesn,t`, `HUJI-B,s`, `CHIRAC,S`; `L,Aquila`, `d,Ivoire`, `O,Neill`.  A typed
# comma is followed by a space, and one letter after '(' or ',' is a list
# (`(b,d)`, `a,b,c,d`), so those stay.
_APOSTROPHE = re.compile(
    r",(?:(?<=[A-Za-z0-9-][A-Za-z],)(?=(?:s|t|d|ll|re|ve|m)\b)|(?<=[A-Z]{2},)(?=S\b)"
    r"|(?<=\bI,)(?=(?:m|d|ll|ve)\b)|(?<=\b[LlDdOo],)(?=[A-Z][a-z]))"
)

# HTML entity names, for the '&name...' openers that a copy decoded (¬ -> 'not').
# Symbols only: general punctuation (“ ” ’ – — …) is typed text, never a decoded '&name',
# nor is ¶ (the site's links) or a letter ('Élysée'), but µ ('&micro-trafficking networks8',
# 09PARIS1426) is.
_ENTITY_NAMES = {
    chr(code): name
    for code, name in codepoint2name.items()
    if code > 127
    and not 0x2000 <= code <= 0x206F
    and name != "para"
    and (not chr(code).isalpha() or name == "micro")
}
_ENTITY_CHARS = "".join(sorted(_ENTITY_NAMES))

# Quote characters, in text order.  An opener ('&', a quote, a decoded entity) stands after a
# space, '(' or the start and before a word; a closer '8' stands after a letter or . , ? ! ) '
# and before a space, punctuation or the end; '8' after a digit, a hyphen or a one-letter word
# (`G8`, `P8`) is a digit.
_QUOTE_CANDIDATE_ASCII = re.compile(r'[&"8]')
_QUOTE_CANDIDATE = re.compile('[&"“”8' + re.escape(_ENTITY_CHARS) + "]")
_EIGHT_CLOSER = re.compile(r"8(?<=[A-Za-z.,?!)'’]8)(?=[\s.,;:?!)\]'’-]|$)")
_AMP_OPENER = re.compile(r"&(?<![^\s(\[/]&)(?=[A-Za-z0-9‘'$])")
_ENTITY_CHAR = re.compile("[" + re.escape(_ENTITY_CHARS) + "]")
_BEFORE_OPENER = frozenset(" \t\n([/")
_BEFORE_EIGHT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,?!)'’")
_OPEN_QUOTES = frozenset('"“')
_AFTER_QUOTE = frozenset("_‘'$&")
_AFTER_EIGHT = frozenset(" \t\n.,;:?!)]'’-")

# ' ) ' between words is a garbled em dash unless a '(' of the same sentence is still open.
_WORD_HEAD = re.compile(r"[^\W_]+")
_MAX_WORD = 64

_DASH = re.compile(r"\)(?<=\S \))(?= \S)")
_SENTENCE_END = re.compile(r"[.!?]\s")


def repair_text(text: str) -> str:
    """Repair the release's garbling (Iran,s -> Iran’s, &...8 -> “...”, ' ) ' -> ' — ').

    `text` is one paragraph: quotes pair only inside it.  Repairs are curly.
    """
    return repair_paragraph(text)[0]


def repair_paragraph(text: str) -> tuple[str, list[Repair]]:
    """Repair one paragraph and list each change (for the words check and for tracing)."""
    if len(text) > MAX_REPAIR_CHARS:
        return text, []  # no paragraph of the release is this long: hostile input, left as it is
    edits: dict[int, tuple[str, str]] = {}  # position -> (kind, replacement of that one character)
    if "," in text:
        for match in _APOSTROPHE.finditer(text):
            edits[match.start()] = ("apostrophe", APOSTROPHE)
    if _may_hold_garbled_quote(text):
        quoted = _APOSTROPHE.sub(APOSTROPHE, text) if edits else text  # same length, same positions
        _find_quotes(quoted, edits)
    if " ) " in text:
        _find_dashes(text, edits)
    if not edits:
        return text, []
    return _apply(text, edits)


def _may_hold_garbled_quote(text: str) -> bool:
    """A cheap test before _find_quotes: a closing '8', an opening '&' or a decoded entity."""
    return bool(
        ("8" in text and _EIGHT_CLOSER.search(text))
        or ("&" in text and _AMP_OPENER.search(text))
        or (not text.isascii() and _ENTITY_CHAR.search(text))
    )


def _find_quotes(text: str, edits: dict[int, tuple[str, str]]) -> None:
    """Pair openers with closers left to right; repair the garbled side(s) of each pair."""
    candidates = _QUOTE_CANDIDATE_ASCII if text.isascii() else _QUOTE_CANDIDATE
    opener = -1  # position of the pending opener
    opened = ""  # its kind: 'amp', 'entity' or 'open'
    last = len(text) - 1
    for match in candidates.finditer(text):
        position = match.start()
        char = text[position]
        before = text[position - 1] if position else " "
        after = text[position + 1] if position < last else ""
        if char == "8":
            if not (before in _BEFORE_EIGHT and (after == "" or after in _AFTER_EIGHT)):
                continue  # a digit: 1887, G-8, 1.8
            if before.isupper() and (position < 2 or not text[position - 2].isalnum()):
                continue  # G8, P8
            kind = "eight"
        elif before in _BEFORE_OPENER and char == "&" and (after.isalnum() or after in "‘'$"):
            kind = "amp"
        elif (
            before in _BEFORE_OPENER
            and char in _OPEN_QUOTES
            and (after.isalnum() or after in _AFTER_QUOTE)
        ):
            kind = "open"
        elif char in '"”':
            kind = "close"
        elif (
            char in _ENTITY_NAMES
            and before in _BEFORE_OPENER
            and (after.isalnum() or after in " '-_")
        ):
            kind = "entity"
        else:
            continue
        if kind != "eight" and kind != "close":
            opener, opened = position, kind
            continue
        if opener < 0:
            continue
        if kind == "eight" or opened != "open":
            if opened == "amp":
                edits[opener] = ("quote", OPEN_QUOTE)
            elif opened == "entity":
                edits[opener] = ("entity-quote", OPEN_QUOTE + _ENTITY_NAMES[text[opener]])
            if kind == "eight":
                edits[position] = ("quote", CLOSE_QUOTE)
        opener = -1


def _find_dashes(text: str, edits: dict[int, tuple[str, str]]) -> None:
    """Mark ' ) ' as an em dash unless it closes a '(' opened earlier in the same sentence."""
    scanned = 0
    depth = 0
    for match in _DASH.finditer(text):
        paren = match.start()
        segment = text[scanned:paren]
        sentence_start = max(segment.rfind(". "), segment.rfind("? "), segment.rfind("! "))
        if sentence_start >= 0:
            depth = 0
            segment = segment[sentence_start:]
        depth = max(0, depth + segment.count("(") - segment.count(")"))
        scanned = paren + 1
        if depth:
            depth -= 1
            continue
        edits[paren] = ("dash", EM_DASH)


def _apply(text: str, edits: dict[int, tuple[str, str]]) -> tuple[str, list[Repair]]:
    """Apply one-character edits; report them grouped by overlapping word context."""
    positions = sorted(edits)
    pieces: list[str] = []
    repairs: list[Repair] = []
    last = 0
    index = 0
    while index < len(positions):
        start, end = _context(text, positions[index], positions[index] + 1)
        group = [positions[index]]
        index += 1
        while index < len(positions):
            next_start, next_end = _context(text, positions[index], positions[index] + 1)
            if next_start >= end:
                break
            group.append(positions[index])
            end = max(end, next_end)
            index += 1
        clean: list[str] = []
        cursor = start
        for position in group:
            clean.append(text[cursor:position])
            clean.append(edits[position][1])
            cursor = position + 1
        clean.append(text[cursor:end])
        kinds = "+".join(sorted({edits[position][0] for position in group}))
        repairs.append(Repair(kinds, text[start:end], "".join(clean)))
        pieces.append(text[last:start])
        pieces.append(repairs[-1].clean)
        last = end
    pieces.append(text[last:])
    return "".join(pieces), repairs


def _context(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole words on both sides, so a Repair shows its word neighbours.

    The word before is at most _MAX_WORD characters: the same span as
    `_WORD_TAIL.search(text, start - _MAX_WORD, start)`, whose letters are
    those of str.isalnum and whose '$' also holds before a line break that ends
    the window. Walking back over a few letters costs far less than that
    search, which tries each of up to 64 start positions (py-spy: _context
    was ~40% of the repairs, ~4% of preparing a synthetic cable).
    """
    low = max(0, start - _MAX_WORD)
    before = start
    while before > low and text[before - 1].isalnum():
        before -= 1
    if before == start and start - 1 > low and text[start - 1] == "\n":
        before = start - 1
        while before > low and text[before - 1].isalnum():
            before -= 1
        if before == start - 1:
            before = start
    after = _WORD_HEAD.match(text, end)
    return before, (after.end() if after else end)
