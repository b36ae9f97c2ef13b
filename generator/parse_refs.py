"""REF lines -> canonical ids of the cited cables; canonical ids of the cable itself.

    REF: A. STATE 12345 B. ROME 1234              -> 09STATE12345, 09ROME1234 (in a 2009 cable)
    Ref(s): A) 08 RIO DE JAN 138; B) 08 RIO DE JAN 0044 and previous
    REF: A. BRASILIA 2799 AND 2764                -> the second serial inherits the post
    REF: A. SECSTATE 15113  B. DOHA 152 (08)      -> a year may follow the serial in parentheses
    REF: LAKHDHIR E-MAIL 12/01/09                 -> no cable: e-mails, telcons, DTGs are not listed

A cable reference is `[year] POST serial`; the post may have several words
and many spellings, canonicalised through post-variants.yaml (see
ReferenceTables.resolve_id). Everything else in a REF line is left alone.
"""

from __future__ import annotations

import re

from generator.parse_meta import post_token
from generator.reference import ReferenceTables

# words, numbers and single punctuation marks of a REF text (upper-cased)
_TOKEN = re.compile(r"(?P<num>\d+)|(?P<word>[A-Z]+(?:['’-][A-Z]+)*)|(?P<punct>\S)")
_MAX_POST_WORDS = 4
# Words that end a post name when looking back from a serial (never part of a post).
_NOT_POST = frozenset(
    {
        "REF",
        "REFS",
        "REFTEL",
        "REFTELS",
        "AND",
        "OR",
        "OF",
        "SEE",
        "ALSO",
        "PREVIOUS",
        "PARA",
        "PARAS",
        "SECTION",
        "PAGE",
        "NOTAL",
        "TELCON",
        "EMAIL",
        "MAIL",
        "MEMO",
        "IIR",
        "FBIS",
        "OSC",
        "DTG",
    }
)
_DOUBLED_YEAR = re.compile(r"^(\d\d)\1[A-Z]")
# A published id after its year: post + serial; garbage glued in is removed by canonical_id.
_ID_REST = re.compile(r"^(?P<post>[A-Z]{2,40}?)(?P<serial>\d{1,7})$")
_ID_JUNK = re.compile(
    r"^(?:[A-Z]{2,8}\d{1,2}[A-Z]{0,2}\d{1,2}(?=[A-Z])|EFTO|AMEMBASSY|AMCONSUL|USMISSION|NOFORN|SENSITIVE)"
)
# '...255577TOSEC140323', '...002583ZFR2585': a second number glued after the serial
_TRAILING_JUNK = re.compile(r"(?<=\d)(?:TOSEC|Z[A-Z]{1,3})\d+$")


def parse_refs(
    text: str, citing_year: str | None, tables: ReferenceTables, self_id: str | None = None
) -> tuple[str, ...]:
    """Canonical ids of the cables cited in a REF block, in order, no repeats or self-references.

    `citing_year` is the two-digit year of the citing cable ('09'); REF
    items without a year take it. A year written with four digits keeps its
    last two ('2007 MANAGUA 2135' -> 07MANAGUA2135); serials lose their zero
    padding ('06 TBILISI 0619' -> 06TBILISI619). Items that are not cables
    (e-mails, telcons, memos, DTG citations, OSC items, NATO documents) give
    nothing; so does a post name the tables do not know.
    """
    tokens = [
        (m.lastgroup or "", m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text.upper())
    ]
    upper = text.upper()
    found: list[str] = []
    consumed: set[int] = set()
    last_ref: tuple[str, str, int] | None = None  # (year, post token, index of its serial token)
    for position, (kind, value, start, end) in enumerate(tokens):
        if kind != "num" or not _is_standalone_number(upper, start, end) or len(value) > 7:
            continue
        words, first = _post_words(tokens, position)
        cable_id = None
        if words:
            year, year_position = _year_before(tokens, first, consumed, citing_year, upper)
            paren_year = _plausible(_year_after(tokens, position), citing_year)
            if paren_year is not None:
                year = paren_year
            cable_id, post_key = _resolve(words, year, value, tables)
            if cable_id is not None:
                consumed.add(position)
                if year_position is not None:
                    consumed.add(year_position)
                last_ref = (year or "", post_key, position) if year else None
        elif last_ref is not None and _continues(tokens, last_ref[2], position):
            year, post_key, _ = last_ref
            serial = _serial(value)
            cable_id = tables.resolve_id(year, post_key, serial) if serial else None
            if cable_id is not None:
                consumed.add(position)
                last_ref = (year, post_key, position)
        if cable_id is not None and cable_id != self_id and cable_id not in found:
            found.append(cable_id)
    return tuple(found)


def _is_standalone_number(text: str, start: int, end: int) -> bool:
    """A serial stands alone: not part of '12/01/09', 'TD-314/63777-05', '251847Z', '1.4'."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before in "/-.:" or before.isalnum() or after.isalnum() or after in "/-":
        return False
    return not (after == "." and end + 1 < len(text) and text[end + 1].isdigit())


def _post_words(tokens: list[tuple[str, str, int, int]], position: int) -> tuple[list[str], int]:
    """The words right before a number (at most four), and the index of the first of them."""
    words: list[str] = []
    index = position - 1
    while index >= 0 and len(words) < _MAX_POST_WORDS:
        kind, value, _, _ = tokens[index]
        if kind != "word" or value in _NOT_POST:
            break
        words.insert(0, value)
        index -= 1
    return words, index + 1


def _year_before(
    tokens: list[tuple[str, str, int, int]],
    first: int,
    consumed: set[int],
    citing_year: str | None,
    text: str,
) -> tuple[str | None, int | None]:
    index = first - 1
    if index >= 0:
        kind, value, start, end = tokens[index]
        if kind == "num" and index not in consumed and _is_standalone_number(text, start, end):
            year = _plausible(_two_digit_year(value), citing_year)
            if year is not None:
                return year, index
        if value == ")" and index >= 2 and tokens[index - 2][1] == "(":
            kind, value, _, _ = tokens[index - 1]  # '(08) SAO PAULO 581'
            year = _plausible(_two_digit_year(value), citing_year) if kind == "num" else None
            if year is not None:
                return year, index - 1
    return citing_year, None


def _plausible(year: str | None, citing_year: str | None) -> str | None:
    """A cited year is not later than the citing cable's ('10' in a 2009 cable is no year)."""
    if year is None or citing_year is None:
        return year
    return year if _full_year(year) <= _full_year(citing_year) else None


def _full_year(year: str) -> int:
    value = int(year)
    return value + (1900 if value >= 66 else 2000)


def _year_after(tokens: list[tuple[str, str, int, int]], position: int) -> str | None:
    """'DOHA 152 (08)' -> '08'."""
    if position + 3 < len(tokens):
        (_, open_, _, _), (kind, value, _, _), (_, close, _, _) = tokens[
            position + 1 : position + 4
        ]
        if open_ == "(" and close == ")" and kind == "num" and len(value) in (2, 4):
            return _two_digit_year(value)
    return None


def _two_digit_year(value: str) -> str | None:
    if len(value) == 2:
        return value
    if len(value) == 4 and value[:2] in ("19", "20") and 1966 <= int(value) <= 2011:
        return value[2:]
    return None


def _continues(tokens: list[tuple[str, str, int, int]], previous: int, position: int) -> bool:
    """'2799 AND 2764' or '2799, 2764': a bare serial right after the previous cited serial."""
    if position - previous > 3:
        return False
    between = [value for _, value, _, _ in tokens[previous + 1 : position]]
    return between in (["AND"], [","], ["&"], [",", "AND"])


def _serial(value: str) -> str | None:
    serial = value.lstrip("0")
    return serial or None


def _resolve(
    words: list[str], year: str | None, number: str, tables: ReferenceTables
) -> tuple[str | None, str]:
    """Try the longest run of words ending at the number that names a known post."""
    serial = _serial(number)
    if year is None or serial is None:
        return None, ""
    for first in range(len(words)):
        token = post_token("".join(words[first:]))
        if not token:
            continue
        cable_id = tables.resolve_id(year, token, serial)
        if cable_id is not None:
            return cable_id, token
    return None, ""


def canonical_id(cable_id: str, tables: ReferenceTables) -> str | None:
    """The canonical form of a published id, or None when it cannot be read.

    '09ROME1240' stays; '09SECSTATE123' -> '09STATE123'; garbage glued in by
    the release is removed where its shape is known: '10EFTOKABUL668' ->
    '10KABUL668', '09AMEMBASSYHANOI1284' -> '09HANOI1284',
    '09SECTION01OF03SANJOSE525' -> '09SANJOSE525', '7575LIBREVILLE1895' ->
    '75LIBREVILLE1895', '90STATE255577TOSEC140323' -> '90STATE255577',
    '06MADRID002583ZFR2585' -> '06MADRID2583'.
    """
    text = "".join(cable_id.split()).upper()
    if len(text) > 60 or not text[:2].isdigit():
        return None
    if _DOUBLED_YEAR.match(text):
        text = text[2:]
    year, rest = text[:2], text[2:]
    rest = _TRAILING_JUNK.sub("", rest)
    for _ in range(3):
        match = _ID_REST.match(rest)
        if match is not None:
            serial = match["serial"].lstrip("0")
            resolved = tables.resolve_id(year, match["post"], serial) if serial else None
            if resolved is not None:
                return resolved
        junk = _ID_JUNK.match(rest)
        if junk is None or junk.end() == 0:
            return None
        rest = rest[junk.end() :]
    return None
