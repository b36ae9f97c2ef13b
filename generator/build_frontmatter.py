"""Front matter read fast: the YAML that cable.write_cable writes, read without a YAML parser.

`yaml.CSafeLoader` parses in C but builds every value in Python, about 0.6 ms
for one cable's front matter; a build of the 251,287-cable release would
spend minutes there. The importer writes front matter in one narrow shape
(cable.cable_to_markdown: block mapping of simple keys; values on one line
as plain, 'single' or "double" quoted scalars, [flow, sequences] and
{flow: mappings}; `to:`/`info:` as block sequences of flow mappings), and
this reader parses exactly that shape in about a tenth of the time.

Anything else — a comment, a blank line, a multi-line value, a tag, a
number that is not a plain decimal, a character YAML treats specially —
raises _NotSimple and the file goes to `yaml.CSafeLoader` instead, so the
result is always what the YAML loader gives (tests/test_build_frontmatter.py
checks the two agree on generated cables and on hand-edited files).
Plain scalars are resolved with PyYAML's own implicit resolvers, so '09ROME1240'
stays a string and 'null' becomes None exactly as the loader decides.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from yaml.resolver import Resolver

from generator.cable import (
    CableDocument,
    cable_from_front_matter,
    load_front_matter,
    original_path,
    split_front_matter,
)
from generator.cable_files import read_file
from generator.errors import ContentError

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers

# Characters that are not printable for YAML, line breaks YAML knows besides
# '\n' (NEL, LS, PS, CR), tabs and the BOM: any of them sends the file to the loader.
_UNUSUAL = re.compile(
    "[^\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]"
)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: |$)")
_FLOW_PLAIN = re.compile(r"[^,?\[\]{}]*")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DOUBLE_PART = re.compile(r'[^"\\]*')
_ESCAPES = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
# First letters no implicit resolver (bool, null, int, float, timestamp...) applies to
_QUIET_FIRST = frozenset(
    c for c in "ABCDEGHIJKLMPQRSUVWXZabcdeghijklmpqrsuvwxz_" if c not in _RESOLVERS
)
_LOUD_LAST = frozenset(" :")
# PyYAML's implicit resolvers for a plain scalar that starts with a digit (float, int,
# timestamp) match only these characters, and those for a letter (bool, null) only words
# of at most 5 ("False"); a scalar with another character, or a longer word, is a string
# without trying them (0.3 us, not 1-3 us a value: an id, a DTG, reasons, a digest).
# Checked against the resolvers' own patterns when this module loads: if PyYAML's differ
# from those the rule was read from, every value goes through the resolvers.
_NOT_NUMERIC = re.compile(r"[^0-9_.:+\-eEbxa-fA-FTtZinfINF \t\n]")
_DIGITS = frozenset("0123456789")
_WORD_FIRST = frozenset("FNOTYfnoty")
_LONGEST_WORD = 6  # "False" and the newline a YAML `$` lets through
_RESOLVERS_READ = "50465e8e075c5de8920032dffbd55643"


def _resolvers_signature() -> str:
    """A digest of the resolver patterns the fast rules were read from (see _RESOLVERS_READ)."""
    parts = [
        (first, tag, pattern.pattern)
        for first in sorted(_DIGITS | _WORD_FIRST)
        for tag, pattern in _RESOLVERS.get(first, ())
    ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


_FAST_RESOLVE = _resolvers_signature() == _RESOLVERS_READ
# One entry of a flow mapping whose value is plain or single-quoted: 'name: SECSTATE WASHDC, '
_MAP_ENTRY = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*): (?:'((?:[^']|'')*)'|([^,?\[\]{}'\"][^,?\[\]{}]*))(, |\})"
)
# One item of a flow sequence, plain or single-quoted: 'PREL, '
_FLOW_SCALAR = r"'(?:[^']|'')*'|[^,?\[\]{}'\"\s][^,?\[\]{}]*"
# A top-level line: 'key: value' or 'key:' (a block sequence follows)
_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?:$| (.*)\Z)")
# An addressee as cable_to_front_matter writes it, in one match
_ADDRESSEE = re.compile(
    rf"- \{{route: ({_FLOW_SCALAR}), name: ({_FLOW_SCALAR}), "
    rf"precedence: ({_FLOW_SCALAR}), serial: ({_FLOW_SCALAR})\}}\Z"
)
_PLAIN_SEQUENCE = re.compile(r"\[[^\[\]{}'\"?]*\]\Z")
_SEQ_ITEM = re.compile(r"(?:'((?:[^']|'')*)'|([^,?\[\]{}'\"][^,?\[\]{}]*))(, |\])")


class _NotSimple(Exception):
    """The text is not in the shape write_cable produces; the YAML loader reads it."""


def read_front_matter(front: str, where: str) -> dict[str, Any]:
    """Front-matter YAML -> dict, the fast way when the text allows it (same result as YAML)."""
    try:
        return parse_simple_front_matter(front)
    except (_NotSimple, RecursionError):  # deep nesting is no shape write_cable writes
        return load_front_matter(front, where)


def read_cable_fast(md_path: Path) -> CableDocument:
    """cable.read_cable with the fast front-matter reader: Cable, body and original text."""
    where = str(md_path)
    try:
        text = read_file(where).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"{md_path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    front, body = split_front_matter(text, where)
    cable = cable_from_front_matter(read_front_matter(front, where), md_path)
    try:
        original = read_file(str(original_path(md_path))).decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        original = ""
    return CableDocument(cable=cable, body=body, original=original)


def parse_simple_front_matter(front: str) -> dict[str, Any]:
    """Parse the write_cable shape of front matter; _NotSimple for anything else."""
    if has_unusual_characters(front) or not front.endswith("\n"):
        raise _NotSimple
    lines = front.split("\n")
    lines.pop()  # the text ends with a newline
    data: dict[str, Any] = {}
    count = len(lines)
    index = 0
    quiet, loud_last = _QUIET_FIRST, _LOUD_LAST
    while index < count:
        match = _LINE.match(lines[index])
        index += 1
        if match is None:
            raise _NotSimple
        key, rest = match.groups()
        if key[0] not in quiet:
            key = _plain_value(key)
            if not isinstance(key, str):
                raise _NotSimple
        if rest:
            first = rest[0]
            if first in quiet and rest[-1] not in loud_last and ": " not in rest:
                if " #" in rest:
                    raise _NotSimple
                data[key] = rest  # the common case: a plain string no resolver applies to
            elif rest == "null":
                data[key] = None
            elif first == "'" and rest[-1] == "'" and len(rest) > 1 and _paired(rest):
                data[key] = rest[1:-1].replace("''", "'")  # as _single_quoted reads it
            elif first == "[" and _PLAIN_SEQUENCE.match(rest):
                data[key] = _plain_sequence(rest)
            else:
                value, end = _value(rest, 0, flow=False)
                if end != len(rest):
                    raise _NotSimple
                data[key] = value
            continue
        items: list[Any] = []
        while index < count and lines[index].startswith("- "):
            line = lines[index]
            index += 1
            addressee = _ADDRESSEE.match(line)
            if addressee is not None:
                route, name, precedence, serial = map(_scalar, addressee.groups())
                items.append(
                    {"route": route, "name": name, "precedence": precedence, "serial": serial}
                )
                continue
            item, end = _value(line, 2, flow=False)
            if end != len(line):
                raise _NotSimple
            items.append(item)
        data[key] = items if items else None
    return data


def has_unusual_characters(text: str) -> bool:
    """Whether text holds a character of _UNUSUAL, for a twentieth of the regex's time.

    Every character _UNUSUAL matches is one Python does not call printable
    (controls, surrogates, BOM, U+FFFE/F, LS, PS), so a printable text needs
    no regex; the others (a no-break space is not printable either) ask it.
    """
    if text.replace("\n", "").isprintable():
        return False
    return _UNUSUAL.search(text) is not None


def _paired(quoted: str) -> bool:
    """Whether every quote inside a 'single-quoted' value is doubled (the value ends at its end)."""
    inner = quoted[1:-1]
    return "'" not in inner or "'" not in inner.replace("''", "")


def _scalar(raw: str) -> Any:
    """A flow scalar matched by _FLOW_SCALAR: single-quoted or plain."""
    if raw[0] == "'":
        return raw[1:-1].replace("''", "'")
    return _plain_value(raw)


def _plain_sequence(text: str) -> list[Any]:
    """'[PREL, PARM]' (no quotes, brackets or braces inside) -> ['PREL', 'PARM']."""
    if text == "[]":
        return []
    items = text[1:-1].split(", ")
    for item in items:
        if "," in item:  # '[a,b]' is two items for YAML
            raise _NotSimple
    return [_plain_value(item) for item in items]


def _value(text: str, pos: int, *, flow: bool) -> tuple[Any, int]:
    """One value starting at text[pos]; (value, position after it)."""
    if pos >= len(text):
        raise _NotSimple
    first = text[pos]
    if first == "'":
        return _single_quoted(text, pos)
    if first == '"':
        return _double_quoted(text, pos)
    if first == "[":
        return _flow_sequence(text, pos)
    if first == "{":
        return _flow_mapping(text, pos)
    end = _FLOW_PLAIN.match(text, pos).end() if flow else len(text)  # type: ignore[union-attr]
    return _plain_value(text[pos:end]), end


def _plain_value(raw: str) -> Any:
    """A plain scalar as PyYAML resolves it: str, None or int; _NotSimple for anything else."""
    if raw and raw[0] in _QUIET_FIRST and raw[-1] not in _LOUD_LAST and ": " not in raw:
        if " #" in raw:
            raise _NotSimple
        return raw  # no implicit resolver starts with this letter: a string
    if (
        not raw
        or (
            raw[0] in "-?:,[]{}#&*!|>'\"%@`= "
            and not (raw[0] == "-" and len(raw) > 1 and raw[1] != " " and raw[1] != "-")
        )
        or raw[-1] in _LOUD_LAST
        or ": " in raw
        or " #" in raw
    ):
        raise _NotSimple
    first = raw[0]
    if _FAST_RESOLVE and (
        (first in _DIGITS and _NOT_NUMERIC.search(raw) is not None)
        or (first in _WORD_FIRST and len(raw) > _LONGEST_WORD)
    ):
        return raw  # no resolver can match it: a string
    for tag, pattern in _RESOLVERS.get(first, ()):
        if pattern.match(raw):
            if tag == _NULL:
                return None
            if tag == _INT and _DECIMAL.fullmatch(raw):
                return int(raw)
            raise _NotSimple
    return raw


def _single_quoted(text: str, pos: int) -> tuple[str, int]:
    parts: list[str] = []
    start = pos + 1
    while True:
        end = text.find("'", start)
        if end == -1:
            raise _NotSimple  # the value goes on over more lines
        parts.append(text[start:end])
        if text.startswith("''", end):
            parts.append("'")
            start = end + 2
            continue
        return "".join(parts), end + 1


def _double_quoted(text: str, pos: int) -> tuple[str, int]:
    parts: list[str] = []
    position = pos + 1
    length = len(text)
    while True:
        end = _DOUBLE_PART.match(text, position).end()  # type: ignore[union-attr]
        parts.append(text[position:end])
        if end >= length:
            raise _NotSimple  # the value goes on over more lines
        if text[end] == '"':
            return "".join(parts), end + 1
        if end + 1 >= length:
            raise _NotSimple
        code = text[end + 1]
        if code in _ESCAPES:
            parts.append(_ESCAPES[code])
            position = end + 2
        elif code in _HEX_ESCAPES:
            digits = text[end + 2 : end + 2 + _HEX_ESCAPES[code]]
            if len(digits) != _HEX_ESCAPES[code] or not all(
                c in "0123456789abcdefABCDEF" for c in digits
            ):
                raise _NotSimple
            point = int(digits, 16)
            if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
                raise _NotSimple
            parts.append(chr(point))
            position = end + 2 + len(digits)
        else:
            raise _NotSimple


def _flow_sequence(text: str, pos: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    position = pos + 1
    if text.startswith("]", position):
        return items, position + 1
    match_item = _SEQ_ITEM.match
    while (match := match_item(text, position)) is not None:
        quoted, plain, after = match.groups()
        items.append(_plain_value(plain) if quoted is None else quoted.replace("''", "'"))
        position = match.end()
        if after == "]":
            return items, position
    while True:
        item, position = _value(text, position, flow=True)
        items.append(item)
        if text.startswith(", ", position):
            position += 2
        elif text.startswith("]", position):
            return items, position + 1
        else:
            raise _NotSimple


def _flow_mapping(text: str, pos: int) -> tuple[dict[Any, Any], int]:
    mapping: dict[Any, Any] = {}
    position = pos + 1
    if text.startswith("}", position):
        return mapping, position + 1
    match_entry = _MAP_ENTRY.match
    while (match := match_entry(text, position)) is not None:
        key, quoted, plain, after = match.groups()
        if key[0] not in _QUIET_FIRST:
            key = _plain_value(key)
            if not isinstance(key, str):
                raise _NotSimple
        mapping[key] = _plain_value(plain) if quoted is None else quoted.replace("''", "'")
        position = match.end()
        if after == "}":
            return mapping, position
    while True:
        match = _KEY.match(text, position)
        if match is None or match.end() == len(text):
            raise _NotSimple
        key = _plain_value(match.group(1))
        if not isinstance(key, str):
            raise _NotSimple
        value, position = _value(text, match.end(), flow=True)
        mapping[key] = value
        if text.startswith(", ", position):
            position += 2
        elif text.startswith("}", position):
            return mapping, position + 1
        else:
            raise _NotSimple
