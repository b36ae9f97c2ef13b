"""The address lines of a telegram's header: TO, INFO and XMT, and the cable's precedence.

TO RUEHC/SECSTATE WASHDC IMMEDIATE 2872     <- action addressee: route, name, precedence, serial
INFO RUCNNSG/NUCLEAR SUPPLIERS GROUP COLLECTIVE PRIORITY
RUEHAK/AMEMBASSY ANKARA PRIORITY 3363       <- information addressees, one a line
XMT AMEMBASSY SOFIA                         <- not sent to this member of a collective
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from generator.cable import Addressee
from generator.parse_banner import caveats_in, parse_banner

PRECEDENCE_BY_PROSIGN = MappingProxyType(
    {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
)
PRECEDENCE_RANK = MappingProxyType(
    {"FLASH": 1, "NIACT IMMEDIATE": 2, "IMMEDIATE": 3, "PRIORITY": 4, "ROUTINE": 5}
)

_KEYWORD_LINE = re.compile(r"^[ \t]*(?P<key>TO|INFO|XMT)(?:[ \t]+(?P<rest>.*))?$")
_ROUTE = re.compile(r"(?P<route>[A-Z]{3,8})/(?=\S)")
# What an address line starts with: a keyword, or something that ends the address list
_ADDRESS_LINE_KIND = re.compile(
    r"(?P<key>TO|INFO|XMT)(?:[ \t]+|$)"
    r"|VZCZC|ZCZC|DE [A-Z]{4,8} #|ZN[YR] |FM |BT$|[ZOPR](?: [ZOPR]){0,2} \d{6}Z "
    r"|U?UNCLAS|C ?O ?N ?F ?I ?D|S?S ?E ?C ?R ?E ?T\b|LIMITED OFFICIAL"
    # database rows glued after the header: '<<220571>>', '8/13/2009 8:54', 'ID: 245489'
    r"|<<|\d{1,2}/\d{1,2}/\d{4}|\d\d[A-Z]{2,20}\d{1,7}$|[A-Z]{2,12}:"
    # a publisher's note under the address list: 'NOTE - DO NOT PUBLISH - AWAITING LEGAL ...'
    r"|NOTE[ \t]*[-:]"
    # a garbled banner still has its section count: 'CSE C R E T SECTION 01 OF 02 SHENYANG 000004'
    r"|[^\n]*\bSECTION \d{1,2} OF \d{1,2}\b"
)
_SERIAL = re.compile(r"\d{1,7}(?:-\d{1,7})?")
# an old printed-page header glued into the address list: 'PAGE 02        STATE   015113 182333Z'
_PAGE_HEADER = re.compile(
    r"\bPAGE[ \t]+\d{1,3}[ \t]+[A-Z][A-Z \t]{0,30}?[ \t]+\d{2,7}"
    r"(?:[ \t]+\d\d[ \t]+OF[ \t]+\d\d)?[ \t]+\d{6}Z\b"
)
_MONTHS = frozenset(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
)
_OFFICE_CODE = re.compile(r"^[A-Z]{1,6}-\d\d$")
_LOWER = re.compile(r"[a-z]")
_BANNER_INITIALS = frozenset("CSEUL")


def precedence_from_prosigns(prosigns: str | None) -> str | None:
    """'O' -> IMMEDIATE; 'PR' -> PRIORITY (the first prosign is the action addressees')."""
    if not prosigns:
        return None
    return PRECEDENCE_BY_PROSIGN.get(prosigns[0])


def parse_addressees(
    text: str, precedence_variants: Mapping[str, str] = MappingProxyType({})
) -> tuple[tuple[Addressee, ...], tuple[Addressee, ...]]:
    """(to, info) of a header's address lines: 'TO ...', 'INFO ...', continuation and XMT lines.

    'TO RUEHC/SECSTATE WASHDC IMMEDIATE 2872' / 'INFO RUCNNSG/NUCLEAR SUPPLIERS
    GROUP COLLECTIVE PRIORITY' / 'RUEHAK/AMEMBASSY ANKARA PRIORITY 3363' (09ROME1240).
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    to, info, _, _ = parse_address_lines(lines, 0, len(lines), precedence_variants)
    return to, info


def parse_address_lines(
    lines: Sequence[str], begin: int, stop: int, precedence_variants: Mapping[str, str]
) -> tuple[tuple[Addressee, ...], tuple[Addressee, ...], int, list[tuple[int, str]]]:
    """Read TO / INFO / XMT lines from lines[begin:stop]; return (to, info, end index, problems).

    The list ends at a blank line (unless the next line is clearly another
    address line), at a line with lower-case letters, at the classification
    banner or at `stop`. XMT names are attached to the collective before them
    as `excluded` and are never addressees themselves.
    """
    to: list[Addressee] = []
    info: list[Addressee] = []
    problems: list[tuple[int, str]] = []
    section: list[Addressee] | None = None
    in_xmt = False
    index = begin
    while index < stop:
        stripped = lines[index].strip()
        if not stripped:
            following = _next_nonblank(lines, index + 1, stop)
            if following is None or not _is_clear_address_line(lines[following]):
                break
            index = following
            continue
        if stripped != stripped.upper():
            break  # lower-case letters: text, not an address line
        kind = _ADDRESS_LINE_KIND.match(stripped)
        rest = stripped
        if kind is None and stripped[:1] in _BANNER_INITIALS and parse_banner(stripped, 0):
            break  # a misspelt banner: 'E C R E T SANAA 000473' (07SANAA473)
        if kind is None and _is_caveat_line(stripped):
            break  # 'SIPDIS' right under the last INFO line, with no banner between (09TELAVIV2502)
        if kind is not None:
            key = kind["key"]
            if key is None:
                break  # the banner, BT, or a second copy of the format lines
            rest = stripped[kind.end() :]
            if key == "TO":
                section, in_xmt = to, False
            elif key == "INFO":
                if rest and all(_OFFICE_CODE.match(token) for token in rest.split()[:3]):
                    break  # an office distribution block, not addressees
                section, in_xmt = info, False
            else:
                in_xmt = True
        elif section is None:
            break  # text after FM that is not an address list
        elif in_xmt and _ROUTE.match(rest):
            in_xmt = False  # a routed address after the XMT names: the list goes on
        if "PAGE" in rest:
            rest = _PAGE_HEADER.sub("", rest).strip()
        if rest and not rest.startswith("PAGE "):
            if in_xmt:
                if not _exclude(to, info, rest):
                    problems.append(
                        (index, f"XMT line '{stripped}' follows no collective; ignored")
                    )
            elif section is not None:
                addressee, month = read_addressee(rest, precedence_variants)
                section.append(addressee)
                if month is not None:
                    problems.append(
                        (
                            index,
                            f"address line '{stripped}': the month '{month}' after the name "
                            f"is not part of it; read as '{addressee.name}'",
                        )
                    )
        index += 1
    return tuple(to), tuple(info), index, problems


def _is_caveat_line(line: str) -> bool:
    """True for a line of handling caveats only ('SIPDIS', 'NOFORN, SIPDIS'), no address."""
    caveats = caveats_in(line)
    if not caveats:
        return False
    rest = line.upper()
    for caveat in caveats:
        rest = rest.replace(caveat, " ", 1)
    return not rest.strip(" \t,;/.-")


def _next_nonblank(lines: Sequence[str], begin: int, stop: int) -> int | None:
    for index in range(begin, min(stop, begin + 3)):
        if lines[index].strip():
            return index
    return None


def _is_clear_address_line(line: str) -> bool:
    stripped = line.strip()
    return bool(_KEYWORD_LINE.match(stripped)) or (
        bool(_ROUTE.match(stripped)) and not _LOWER.search(stripped)
    )


def _exclude(to: list[Addressee], info: list[Addressee], name: str) -> bool:
    """Attach an XMT name to the last collective of the address list; False if there is none."""
    for section in (info, to):
        for position in range(len(section) - 1, -1, -1):
            addressee = section[position]
            if "COLLECTIVE" in addressee.name.upper():
                section[position] = Addressee(
                    name=addressee.name,
                    route=addressee.route,
                    precedence=addressee.precedence,
                    serial=addressee.serial,
                    excluded=(*addressee.excluded, " ".join(name.split())),
                )
                return True
    return False


def parse_addressee(text: str, precedence_variants: Mapping[str, str]) -> Addressee:
    """Read one TO/INFO entry: '[RI/]NAME [PRECEDENCE] [SERIAL]'.

    'RUEHC/SECSTATE WASHDC IMMEDIATE 2872' -> route RUEHC, name SECSTATE WASHDC,
    precedence IMMEDIATE, serial '2872' (09ROME1240). 'SPECIAL EMBASSY PROGRAM
    NIACT IMMEDIATE' has no route and no serial. The name is kept as written
    (typos and office suffixes such as '//USDP ADMIN/CHAIRS//' included);
    misspelt precedence words ('PRIOITY', 08BRASILIA93) are recorded as meant.
    """
    return read_addressee(text, precedence_variants)[0]


def read_addressee(
    text: str, precedence_variants: Mapping[str, str]
) -> tuple[Addressee, str | None]:
    """parse_addressee, plus the month word it found in the precedence's place, if any.

    The release writes routine La Paz lines with a month between the name and
    the serial: 'RUEHLP/AMEMBASSY LA PAZ AUG 5274' (09LIMA1191, a cable of
    August). The month is no part of the post's name and no precedence: the
    name is 'AMEMBASSY LA PAZ', and the caller records the month in a warning.
    A month inside the name is left alone: 'AMEMBASSY LA PAZ FEB LIMA 4783'
    (07BOGOTA1232) runs two posts together and is kept as written.
    """
    if "  " in text or "\t" in text:
        text = " ".join(text.split())
    rest = text.strip()
    route = None
    slash = rest.find("/")
    if 3 <= slash <= 8 and len(rest) > slash + 1:
        candidate = rest[:slash]
        if candidate.isalpha() and candidate.isupper():
            route, rest = candidate, rest[slash + 1 :]
    serial = None
    head, _, last = rest.rpartition(" ")
    if head and (last.isdigit() or ("-" in last and _SERIAL.fullmatch(last))) and len(last) <= 15:
        serial, rest = last, head
    precedence = None
    head, _, last = rest.rpartition(" ")
    if head:
        precedence = _precedence_word(last, precedence_variants)
        if precedence is not None:
            rest = head
            if precedence == "IMMEDIATE" and rest.endswith(" NIACT"):
                rest, precedence = rest[:-6], "NIACT IMMEDIATE"
    month = None
    if precedence is None and rest[-4:-3] == " " and rest[-3:] in _MONTHS:
        head = rest[:-4]
        if " " in head.strip():
            rest, month = head, rest[-3:]
    return Addressee(name=rest, route=route, precedence=precedence, serial=serial), month


def _precedence_word(token: str, precedence_variants: Mapping[str, str]) -> str | None:
    word = token.upper()
    if word in PRECEDENCE_RANK:
        return word
    if word in precedence_variants:
        return precedence_variants[word]
    return _MISSPELT_PRECEDENCE.get(word)


def _one_edit_variants(word: str) -> set[str]:
    """Every spelling of word with one letter dropped, added or changed ('PRIOITY', 'PIORITY')."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    found = {word[:i] + word[i + 1 :] for i in range(len(word))}
    found |= {word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in letters}
    found |= {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}
    found.discard(word)
    return found


# Misspelt precedence words at one edit from the real ones (only those of six letters or more,
# so that no real word of an address is taken for one): an immutable table built once.
_MISSPELT_PRECEDENCE = MappingProxyType(
    {
        variant: word
        for word in ("PRIORITY", "IMMEDIATE", "ROUTINE")
        for variant in sorted(_one_edit_variants(word))
        if len(variant) >= 6
    }
)


def cable_precedence(to: Sequence[Addressee], prosigns: str | None) -> str | None:
    """The action addressees' precedence: the highest word on the TO lines, else the prosign."""
    words = [a.precedence for a in to if a.precedence]
    if words:
        return min(words, key=lambda word: PRECEDENCE_RANK.get(word, 9))
    return precedence_from_prosigns(prosigns)
