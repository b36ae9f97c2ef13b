"""The classification banner and the handling caveats of a telegram.

C O N F I D E N T I A L SECTION 01 OF 04 ROME 001240    <- banner (09ROME1240)
SIPDIS                                                  <- handling caveat
NOFORN, NOT FOR INTERNET DISTRIBUTION                   <- caveats (09STATE15113)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# The banner with all blanks removed and upper-cased:
# 'CONFIDENTIALSECTION01OF04ROME001240', 'UNCLASSENSITIVEKABUL000668', 'SSECRETPESHAWAR000041'
_BANNER = re.compile(
    r"^(?P<cls>U?UNCLAS(?:SIFIED)?|C?CONFIDENTIAL|S?SECRET|LIMITEDOFFICIALUSE)"
    r"(?P<marks>(?:EFTO|SENSITIVE|SBU|NOFORN|FOUO|/)*)"
    r"(?:SECTION(?P<section>\d{1,3})OF(?P<sections>\d{1,3}))?"
    r"(?P<post>[A-Z]{2,40}?)(?P<serial>\d{1,8})(?!\d)"
)
_BANNER_PREFIX = re.compile(
    r"^[ \t]*(?:U?U[ \t]?N[ \t]?C|C[ \t]?O[ \t]?N|S?S[ \t]?E[ \t]?C|L[ \t]?I[ \t]?M)", re.IGNORECASE
)
_CLASSIFICATION_NAMES = {
    "UNCLAS": "UNCLASSIFIED",
    "UNCLASSIFIED": "UNCLASSIFIED",
    "CONFIDENTIAL": "CONFIDENTIAL",
    "SECRET": "SECRET",
    "LIMITEDOFFICIALUSE": "LIMITED OFFICIAL USE",
}
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
    'SE C R E T SECTION 01 OF 02 XXXXXXXXXXXX 000004' (10SHENYANG4).
    """
    if not _BANNER_PREFIX.match(line):
        return None
    squeezed = "".join(line.split()).upper()
    match = _BANNER.match(squeezed)
    if match is None:
        return None
    cls = match["cls"]
    for prefix in ("UU", "CC", "SS"):
        if cls.startswith(prefix) and cls[1:] in _CLASSIFICATION_NAMES:
            cls = cls[1:]
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
