"""The transmission header of a telegram: date-time group, precedence, FM, TO, INFO and XMT lines.

    O 101642Z NOV 09                            <- precedence prosign + DTG
    FM AMEMBASSY ROME                           <- sender
    TO RUEHC/SECSTATE WASHDC IMMEDIATE 2872     <- action addressees
    INFO RUCNNSG/NUCLEAR SUPPLIERS GROUP COLLECTIVE PRIORITY
    RUEHAK/AMEMBASSY ANKARA PRIORITY 3363       <- information addressees
    XMT AMEMBASSY SOFIA                         <- not sent to this member of a collective

Everything here is pure and line based; the orchestrator (parse.py) hands in
the lines of the head of the cable, already split and cleaned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from generator.cable import Addressee
from generator.parse_banner import parse_banner

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
PRECEDENCE_BY_PROSIGN = MappingProxyType(
    {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
)
PRECEDENCE_RANK = MappingProxyType(
    {"FLASH": 1, "NIACT IMMEDIATE": 2, "IMMEDIATE": 3, "PRIORITY": 4, "ROUTINE": 5}
)

# 'O 101642Z NOV 09', 'P R 041820Z JAN 10', 'R 181313Z JUN 09 ZDK MANY SVCS', '121706Z Jan 06'
_DTG_LINE = re.compile(
    r"^[ \t]*(?P<prosigns>[ZOPR](?:[ \t]+[ZOPR]){0,2}[ \t]+)?"
    r"(?P<day>\d\d)(?P<hour>\d\d)(?P<minute>\d\d)Z[ \t]+"
    r"(?P<month>[A-Za-z]{3})[ \t]+(?P<year>\d\d)\b"
)
_DTG_ANYWHERE = re.compile(
    r"(?<!\d)(?P<day>\d\d)(?P<hour>\d\d)(?P<minute>\d\d)Z[ \t]+"
    r"(?P<month>[A-Za-z]{3})[ \t]+(?P<year>\d\d)(?!\d)"
)
_DE_LINE = re.compile(r"^[ \t]*DE[ \t]+(?P<ri>[A-Z]{4,8})[ \t]+#[ \t]?(?P<serial>\d{1,7})\b")
_FM_LINE = re.compile(r"^[ \t]*FM[ \t]+(?P<sender>\S.*)$")
_KEYWORD_LINE = re.compile(r"^[ \t]*(?P<key>TO|INFO|XMT)(?:[ \t]+(?P<rest>.*))?$")
_ROUTE = re.compile(r"(?P<route>[A-Z]{3,8})/(?=\S)")
# What an address line starts with: a keyword, or something that ends the address list
_ADDRESS_LINE_KIND = re.compile(
    r"(?P<key>TO|INFO|XMT)(?:[ \t]+|$)"
    r"|VZCZC|ZCZC|DE [A-Z]{4,8} #|ZN[YR] |FM |BT$|[ZOPR](?: [ZOPR]){0,2} \d{6}Z "
    r"|U?UNCLAS|C ?O ?N ?F ?I ?D|S?S ?E ?C ?R ?E ?T\b|LIMITED OFFICIAL"
    # database rows glued after the header: '<<220571>>', '8/13/2009 8:54', 'ID: 245489'
    r"|<<|\d{1,2}/\d{1,2}/\d{4}|\d\d[A-Z]{2,20}\d{1,7}$|[A-Z]{2,12}:"
    # a garbled banner still has its section count: 'CSE C R E T SECTION 01 OF 02 SHENYANG 000004'
    r"|[^\n]*\bSECTION \d{1,2} OF \d{1,2}\b"
)
_SERIAL = re.compile(r"\d{1,7}(?:-\d{1,7})?")
# an old printed-page header glued into the address list: 'PAGE 02        STATE   015113 182333Z'
_PAGE_HEADER = re.compile(
    r"\bPAGE[ \t]+\d{1,3}[ \t]+[A-Z][A-Z \t]{0,30}?[ \t]+\d{2,7}"
    r"(?:[ \t]+\d\d[ \t]+OF[ \t]+\d\d)?[ \t]+\d{6}Z\b"
)
# a second copy of the format lines (07BERN881 repeats them in its body block)
_HEADER_RESTART = re.compile(
    r"^(?:VZCZC|ZCZC|DE [A-Z]{4,8} #|ZN[YR] |FM |[ZOPR](?: [ZOPR]){0,2} \d{6}Z )"
)
_OFFICE_CODE = re.compile(r"^[A-Z]{1,6}-\d\d$")
_LOWER = re.compile(r"[a-z]")


@dataclass(frozen=True, slots=True)
class Header:
    """What the format lines say. Index fields are positions in the lines given to find_header."""

    dtg: str | None = None  # '101642Z NOV 09'
    dtg_time: datetime | None = None  # 2009-11-10 16:42 (naive, UTC)
    prosigns: str | None = None  # 'O', 'PR' (letters before the DTG)
    sender: str | None = None  # 'AMEMBASSY ROME'
    to: tuple[Addressee, ...] = ()
    info: tuple[Addressee, ...] = ()
    station: str | None = None  # FL3 routing indicator of the sender: 'RUEHRO'
    station_serial: str | None = None  # FL3 serial: '1240'
    start: int | None = None  # index of the DTG (or FM) line
    end: int = 0  # index of the first line after the address lines
    problems: tuple[tuple[int, str], ...] = field(default=())


def parse_dtg(text: str) -> datetime | None:
    """Read a date-time group such as '101642Z NOV 09' (09ROME1240) as a naive UTC datetime.

    Day, hour and minute, Z for UTC, month, two-digit year (66-99 -> 19xx,
    00-65 -> 20xx: the release covers December 1966 to February 2010). Returns
    None when the group is missing or impossible (day 32, hour 25, month 'NOB'):
    the caller records a problem rather than guessing a date.
    """
    match = _DTG_ANYWHERE.search(text)
    if match is None:
        return None
    return _dtg_datetime(match)


def _dtg_datetime(match: re.Match[str]) -> datetime | None:
    month = match["month"].upper()
    if month not in MONTHS:
        return None
    year = int(match["year"])
    year += 1900 if year >= 66 else 2000
    try:
        return datetime(
            year,
            MONTHS.index(month) + 1,
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
        )
    except ValueError:
        return None


def format_dtg(match: re.Match[str]) -> str:
    """The DTG as written, normalised: '101642Z NOV 09' (single spaces, month upper case)."""
    return (
        f"{match['day']}{match['hour']}{match['minute']}Z {match['month'].upper()} {match['year']}"
    )


def precedence_from_prosigns(prosigns: str | None) -> str | None:
    """'O' -> IMMEDIATE; 'PR' -> PRIORITY (the first prosign is the action addressees')."""
    if not prosigns:
        return None
    return PRECEDENCE_BY_PROSIGN.get(prosigns[0])


def find_header(lines: Sequence[str], stop: int, precedence_variants: Mapping[str, str]) -> Header:
    """Find and read the format lines of a cable's head.

    A DTG line followed by an FM line counts wherever it is in the head
    (some copies put a print-out box with its own 'TAGS:' and 'Subject:' lines
    before the header, 03ABUDHABI2641); a DTG or FM line on its own counts
    only before `stop`, the first caption line. Lines before the DTG (VZCZC
    block, office distribution lists such as 'INFO  LOG-00 ...', printed-page
    frames) are skipped, so their INFO lines are never taken for addressees.
    """
    problems: list[tuple[int, str]] = []
    dtg_index = None
    match = None
    for index, line in enumerate(lines):
        opening = line[:2] if line[:1] not in (" ", "\t") else line.lstrip()[:2]
        if not opening or not (
            opening[0].isdigit() or (opening[0] in _PROSIGN_INITIALS and opening[1:] in _BLANKS)
        ):
            continue  # a DTG line starts with the day or with a prosign and a blank
        candidate = _DTG_LINE.match(line)
        if candidate is None:
            continue
        if _fm_follows(lines, index) or (index < stop and dtg_index is None):
            dtg_index, match = index, candidate
            if index >= stop or _fm_follows(lines, index):
                break
    if dtg_index is not None and dtg_index >= stop:
        stop = len(lines)
    station = station_serial = None
    for index in range(dtg_index if dtg_index is not None else stop):
        if lines[index].startswith("DE"):
            station_match = _DE_LINE.match(lines[index])
            if station_match is not None:
                station, station_serial = (
                    station_match["ri"],
                    station_match["serial"].lstrip("0") or None,
                )
                break
    dtg = dtg_time = prosigns = None
    if match is not None and dtg_index is not None:
        dtg = format_dtg(match)
        dtg_time = _dtg_datetime(match)
        prosigns = "".join(match["prosigns"].split()) if match["prosigns"] else None
        if dtg_time is None:
            problems.append((dtg_index, f"the date-time group '{dtg}' is not a real date"))
    fm_index = None
    for index in range(dtg_index if dtg_index is not None else 0, stop):
        if lines[index].startswith("FM") and _FM_LINE.match(lines[index]):
            fm_index = index
            break
    if fm_index is None:
        start = dtg_index
        end = dtg_index + 1 if dtg_index is not None else 0
        return Header(
            dtg,
            dtg_time,
            prosigns,
            None,
            (),
            (),
            station,
            station_serial,
            start,
            end,
            tuple(problems),
        )
    fm_match = _FM_LINE.match(lines[fm_index])
    sender = " ".join(fm_match["sender"].split()) if fm_match else None
    to, info, end, address_problems = parse_address_lines(
        lines, fm_index + 1, stop, precedence_variants
    )
    problems.extend(address_problems)
    start = dtg_index if dtg_index is not None else fm_index
    return Header(
        dtg,
        dtg_time,
        prosigns,
        sender,
        to,
        info,
        station,
        station_serial,
        start,
        end,
        tuple(problems),
    )


def _fm_follows(lines: Sequence[str], index: int) -> bool:
    for following in range(index + 1, min(len(lines), index + 4)):
        line = lines[following]
        if line.startswith("FM"):
            return bool(_FM_LINE.match(line))
        if line.strip():
            return False
    return False


_PROSIGN_INITIALS = frozenset("ZOPR")
_BANNER_INITIALS = frozenset("CSEUL")
_BLANKS = frozenset((" ", "\t"))


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
                section.append(parse_addressee(rest, precedence_variants))
        index += 1
    return tuple(to), tuple(info), index, problems


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


_BANNER_START = re.compile(
    r"^(?:U?UNCLAS|C[ \t]*O[ \t]*N[ \t]*F[ \t]*I[ \t]*D|"
    r"S?S[ \t]*E[ \t]*C[ \t]*R[ \t]*E[ \t]*T\b|LIMITED OFFICIAL)",
    re.IGNORECASE,
)


def _looks_like_banner(line: str) -> bool:
    return bool(_BANNER_START.match(line)) and not line.endswith("COLLECTIVE")


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
    return Addressee(name=rest, route=route, precedence=precedence, serial=serial)


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
