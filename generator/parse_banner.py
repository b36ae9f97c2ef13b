"""The classification banner and the handling caveats of a telegram.

C O N F I D E N T I A L SECTION 01 OF 04 ROME 001240    <- banner (09ROME1240)
SIPDIS                                                  <- handling caveat
NOFORN, NOT FOR INTERNET DISTRIBUTION                   <- caveats (09STATE15113)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

# The banner with all blanks removed and upper-cased:
# 'CONFIDENTIALSECTION01OF04ROME001240', 'UNCLASSENSITIVEKABUL000668', 'SSECRETPESHAWAR000041'
_BANNER = re.compile(
    r"^(?P<cls>U?UNCLAS(?:SIFIED)?|C{0,2}ONFIDENTIAL|S{0,2}ECRET|LIMITEDOFFICIALUSE)"
    r"(?P<marks>(?:EFTO|SENSITIVE|SBU|NOFORN|FOUO|/)*)"
    r"(?:SECTION(?P<section>\d{1,3})OF(?P<sections>\d{1,3}))?"
    r"(?P<post>[A-Z]{2,40}?)(?P<serial>\d{1,8})(?!\d)"
)
_BANNER_PREFIX = re.compile(
    r"^[ \t]*(?:U?U[ \t]?N[ \t]?C|C?[ \t]?C?[ \t]?O[ \t]?N[ \t]?F"
    r"|S?[ \t]?S?[ \t]?E[ \t]?C[ \t]?R|L[ \t]?I[ \t]?M)",
    re.IGNORECASE,
)
_CLASSIFICATION_NAMES = MappingProxyType(
    {
        "UNCLAS": "UNCLASSIFIED",
        "UNCLASSIFIED": "UNCLASSIFIED",
        "CONFIDENTIAL": "CONFIDENTIAL",
        "SECRET": "SECRET",
        "LIMITEDOFFICIALUSE": "LIMITED OFFICIAL USE",
    }
)
_CAVEAT = re.compile(
    r"\b(?P<caveat>SIPDIS|NOFORN|SENSITIVE BUT UNCLASSIFIED|SENSITIVE|FOR OFFICIAL USE ONLY|FOUO|"
    r"EXDIS|LIMDIS|NODIS|STADIS|NOT FOR INTERNET DISTRIBUTION|E ?F ?T ?O)\b"
)


@dataclass(frozen=True, slots=True)
class Banner:
    """The classification line: 'C O N F I D E N T I A L SECTION 01 OF 04 ROME 001240'."""

    classification: str  # CONFIDENTIAL, SECRET, UNCLASSIFIED, LIMITED OFFICIAL USE
    caveats: tuple[str, ...]  # EFTO, SENSITIVE, NOFORN written on the banner line
    section: int | None
    sections: int | None
    post: str  # blanks removed: 'ROME', 'UNVIEVIENNA', 'XXXXXXXXXXXX'
    serial: str  # zero padding removed: '1240'
    index: int


def parse_banner(line: str, index: int) -> Banner | None:
    """Read a classification banner, or None if the line is not one.

    Letter-spaced, misspelt and lower-case forms are all read from the line
    with blanks removed: 'S e c r e t nairobi 001938', 'UUNCLAS MANAGUA 001002',
    'SE C R E T SECTION 01 OF 02 XXXXXXXXXXXX 000004' (10SHENYANG4), 'E C R E T
    SANAA 000473' (07SANAA473).
    """
    if not _BANNER_PREFIX.match(line):
        return None
    squeezed = "".join(line.split()).upper()
    match = _BANNER.match(squeezed)
    if match is None or not _word_ends(line, len(match["cls"])):
        return None  # 'SECRETARY CLINTON 12', 'CONFIDENTIALITY 12'
    cls = match["cls"]
    if cls.startswith("UU"):
        cls = cls[1:]
    elif cls.endswith("ONFIDENTIAL"):
        cls = "CONFIDENTIAL"  # 'CC O N F I D E N T I A L' (09SAOPAULO104)
    elif cls.endswith("ECRET"):
        cls = "SECRET"  # 'SS E C R E T' (09PESHAWAR41), 'E C R E T' (07SANAA473)
    marks = match["marks"] + " " + squeezed[match.end() :]
    caveats = tuple(
        dict.fromkeys(c for c in ("EFTO", "SENSITIVE", "NOFORN", "SIPDIS") if c in marks)
    )
    serial = match["serial"].lstrip("0") or "0"
    return Banner(
        classification=_CLASSIFICATION_NAMES[cls],
        caveats=caveats,
        section=int(match["section"]) if match["section"] else None,
        sections=int(match["sections"]) if match["sections"] else None,
        post=match["post"],
        serial=serial,
        index=index,
    )


def _word_ends(line: str, letters: int) -> bool:
    """True when the first `letters` non-blank characters of line end a word there."""
    seen = 0
    for position, char in enumerate(line):
        if not char.isspace():
            seen += 1
            if seen == letters:
                return not line[position + 1 : position + 2].isalpha()
    return False


def find_banner(lines: Sequence[str], begin: int, stop: int) -> Banner | None:
    """The first banner among lines[begin:stop]."""
    for index in range(begin, min(stop, len(lines))):
        banner = parse_banner(lines[index], index)
        if banner is not None:
            return banner
    return None


def caveats_in(line: str) -> tuple[str, ...]:
    """Handling caveats of a caveat line ('NOFORN, NOT FOR INTERNET DISTRIBUTION'), else ()."""
    upper = line.strip().upper()
    first = _CAVEAT.match(upper)
    if first is None:
        return ()
    found = []
    for match in _CAVEAT.finditer(upper):
        caveat = match["caveat"]
        found.append("EFTO" if caveat.replace(" ", "") == "EFTO" else caveat)
    return tuple(found)
