"""The transmission header of a telegram: date-time group, precedence prosigns, FM line.

    O 101642Z NOV 09                            <- precedence prosign + DTG
    FM AMEMBASSY ROME                           <- sender
    TO RUEHC/SECSTATE WASHDC IMMEDIATE 2872     <- action addressees
    INFO RUCNNSG/NUCLEAR SUPPLIERS GROUP COLLECTIVE PRIORITY
    RUEHAK/AMEMBASSY ANKARA PRIORITY 3363       <- information addressees
    XMT AMEMBASSY SOFIA                         <- not sent to this member of a collective

The address lines (TO, INFO, XMT) are read by parse_address. Everything here
is pure and line based; the orchestrator (parse.py) hands in the lines of the
head of the cable, already split and cleaned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from generator.cable import Addressee
from generator.parse_address import parse_address_lines

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

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
_BLANKS = frozenset((" ", "\t"))
