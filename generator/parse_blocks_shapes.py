"""The shapes of the lines parse_blocks groups: paragraph numbers, portion marks, rules, items.

Regular expressions and small pure tests on one line or label, shared by the
block builder of parse_blocks (split from it to keep each module short).
"""

from __future__ import annotations

import re

from generator.parse_normalise import PAGE_BREAK

# '1. (C) text', '1.(C)', '11.  ( C ) text', '5.(C/REL LIBYA) text', '2. text'
NUMBERED = re.compile(r" *(\d{1,3}) ?\.(?!\d) *")
PORTION_MARK = re.compile(
    r"\( *(?:U|SBU|C|S|TS|LOU|FOUO|CUI)(?: *(?://?|-) *[A-Za-z][A-Za-z ,/.-]{0,30}?)? *\)",
    re.I,
)
RULE = re.compile(r" *[-=_]{3,}[-=_ ]*$")
FRAMED_HEADING = re.compile(r" *-{3,} +([^-\s][^\n]{0,60}?) +-{3,} *$")
DASH_ITEM = re.compile(r" *(?:--? +|--(?=[A-Za-z(\"“'])|[•*–] +)(?=\S)")
LETTER_ITEM = re.compile(
    r" *(?:\((?P<paren>[a-zA-Z]|[ivx]{1,4}|[IVX]{1,4}|\d{1,2})\)|(?P<half>[a-zA-Z]|\d{1,2})\)"
    r"|(?P<dot>[a-zA-Z])\.)(?= +\S)"
)
TABULAR_GAP = re.compile(r"[^\s.:;?!,](?: {3,}|\t+)(?=\S)")
ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}
ITEM_FIRST = frozenset("-•*–(")
# first characters of a line that may open a block (or be blank, a page break, a table row)
STRUCTURE_FIRST = frozenset("-•*–(=_ \t0123456789" + PAGE_BREAK)
RULE_FIRST = frozenset("-=_")
CLOSERS = "\"'”’)]"
MAX_HEADING = 80
# a first paragraph number beyond this is a number in the text ('2010. An October')
MAX_FIRST_NUMBER = 20
# paragraphs may be missing from a released copy; more of them when the mark shows it is one
MAX_NUMBER_SKIP = 3
MAX_MARKED_SKIP = 12
# '... the two. 2. (C) German officials' inside one line: the next number with its portion mark
GLUED = re.compile(
    r"(?<=[.!?\"”)]) +(\d{1,3}) ?\. ?(\( *(?:U|SBU|C|S|TS|LOU|FOUO|CUI)"
    r"(?: *(?://?|-) *[A-Za-z][A-Za-z ,/.-]{0,30}?)? *\))",
    re.I,
)


def normal_mark(mark: str) -> str:
    """'( C )' -> '(C)', '(S/Rel UK)' as written."""
    return "(" + " ".join(mark[1:-1].split()) + ")"


def ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence: . ! ? : ; (maybe before closing quotes or brackets)."""
    if text[-1:] in ('"', "”"):
        return True
    bare = text.rstrip(CLOSERS)
    return bool(bare) and bare[-1] in ".!?:;"


def item_label(match: re.Match[str]) -> tuple[str, int]:
    """The list style and position of a label: ('paren-alpha-lower', 2) for '(b)'."""
    for group in ("paren", "half", "dot"):
        value = match.group(group)
        if value is None:
            continue
        if value.isdigit():
            return f"{group}-digit", int(value)
        if value.lower() in ROMAN and value.lower() != "i" and len(value) > 1:
            return f"{group}-roman", ROMAN[value.lower()]
        case = "upper" if value.isupper() else "lower"
        return f"{group}-alpha-{case}", ord(value.lower()) - ord("a") + 1
    raise AssertionError("a letter item matched no label group")
