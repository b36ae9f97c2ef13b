"""The closing signature of a telegram ('THORNE', 'VAN VOORST', 'Minimize considered. CLINTON')."""

from __future__ import annotations

import re
from collections.abc import Sequence

from generator.parse_lines import caption_kind, is_page_marker


def find_signer(raw_lines: Sequence[str]) -> str | None:
    """The closing signature: a last line of one to three capitalised words ('THORNE').

    Trailers after it are skipped (page markers, NARA review stamps,
    classification lines, NNNN, redaction marks, a truncated '...' line, the
    'Visit ... Classified Web Site' line, a newspaper's print stamp); a name
    glued to the end of the last sentence counts too ('Minimize considered.
    CLINTON'), as does one after a closing formula or a website line
    ('END TEXT HEFFERN', '... index. cfm Tuttle'), and a lone lower-case name
    after a finished line ('curran'). Returns None when the text simply ends
    with a paragraph, and when the text breaks off in its captions (09KABUL3423
    ends in a truncated 'Classified By' line under a wrapped SUBJECT).
    """
    lines = [_clean(raw) for raw in raw_lines]
    seen = 0
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if not line:
            continue
        seen += 1
        if seen > 8:
            return None
        if _is_trailer(line, lines, index):
            if caption_kind(line) is not None:
                return None  # the text breaks off in its captions: no signature
            name = _name_after_website(line)
            if name is not None:
                return name
            continue
        above = _line_above(lines, index)
        if above is not None and caption_kind(above) is not None:
            return None  # a caption's wrapped line, not a signature
        return _signer_of(line, above)
    return None


def _clean(raw: str) -> str:
    line = raw.strip().rstrip("\\").strip().replace("¶", "")
    return line.removesuffix(" .")


def _line_above(lines: Sequence[str], index: int) -> str | None:
    for above in range(index - 1, -1, -1):
        if lines[above]:
            return lines[above]
    return None


def _is_trailer(line: str, lines: Sequence[str], index: int) -> bool:
    if _SIGNER_TRAILER.match(line) or is_page_marker(line) or line.endswith("..."):
        return True
    if " " not in line and "/" in line:
        # the rest of a website line broken in two ('gov.gov/wiki/Portal:Turkey"', 10ANKARA150)
        above = _line_above(lines, index)
        return above is not None and bool(_WEBSITE.search(above))
    return False


def _name_after_website(line: str) -> str | None:
    """A signature glued after a website trailer: '...london/index. cfm Tuttle' (08LONDON929)."""
    address = line.rfind("http")
    if address < 0 or not _WEBSITE.search(line):
        return None
    tokens = line[address:].split()
    rest = tokens[max(i for i, token in enumerate(tokens) if any(c in token for c in "./:_")) + 1 :]
    while rest and rest[0].islower():
        rest = rest[1:]  # the end of the address, split off by a blank ('index. cfm')
    name = " ".join(rest)
    if _SIGNER.match(name) and not _NOT_A_NAME.match(name) and not _REDACTED.match(name):
        return name
    return None


def _signer_of(line: str, above: str | None) -> str | None:
    """The signature on the last line of the text that is no trailer, or None."""
    if "UNQUOTE" in line:
        # 'CLINTON UNQUOTE CLINTON' (09STATE127892): the quoted text's signature, then this one's
        line = line.rpartition("UNQUOTE")[2].strip()
        if not line:
            return None
    if _SIGNER.match(line) and not _NOT_A_NAME.match(line):
        return line
    closing = _CLOSING_LINE.match(line)
    if closing is not None and not _NOT_A_NAME.match(closing["name"]):
        return closing["name"]
    dated = _DATED_SIGNER.match(line)
    if dated is not None and not _NOT_A_NAME.match(dated["name"]):
        return dated["name"]
    if (
        _LOWER_SIGNER.match(line)
        and not _NOT_A_NAME.match(line)
        and above is not None
        and (
            above.endswith((".", '"', "”"))
            or _SIGNER.match(above)
            or _WEBSITE.search(above)
            or above.startswith("http")
            or above.upper().endswith(("END COMMENT", "END TEXT"))
            or _SIGNER_TRAILER.match(above)
        )
    ):
        return line
    glued = _GLUED_SIGNER.search(line)
    name = (glued["name"] or glued["mixed"]) if glued is not None else ""
    if (
        glued is not None
        and not _NOT_A_NAME.match(name)
        and (
            _GLUED_LINE_LIMIT is None
            or len(line) <= _GLUED_LINE_LIMIT
            or _CLOSING.search(line, 0, glued.start() + 1)
        )
    ):
        return name
    return None


# A capitalised word glued to the end of a paragraph is a signature when the line
# is short ('Minimize considered. CLINTON', 09STATE15113) or a closing formula
# comes right before it ('End comment. STEVENS', 08TRIPOLI220); at the end of a
# long paragraph it is not taken (06MOSCOW5645 '...beyond. BURNS' and 10RIYADH61
# '...evidence. SMITH' are recorded without a signature in the corpus, as are 10KABUL104
# 'END COMMENT EIKENBERRY' and 09DOHA214 '...protection. LeBaron'). None takes them all: on the
# demo archive the limit leaves 111 of 1,012 cables without the name their last line ends with.
_GLUED_LINE_LIMIT: int | None = 200
_CLOSING = re.compile(
    r"\b(?:END[ \t]+(?:OF[ \t]+)?(?:COMMENT|TEXT|NOTE|SUMMARY|MESSAGE)|MINIMIZE[ \t]+CONSIDERED)"
    r"[ \t]*[.)\"]$",
    re.IGNORECASE,
)
_SIGNER = re.compile(r"^[A-Z][A-Za-z'-]{1,30}(?: [A-Z][A-Za-z'-]{1,30}){0,2}$")
# one or two upper-case words ('... in 2009. LA LIME', 09PRETORIA954), or one capitalised word
# ('... by the end of May. Brownfield', 09BOGOTA1588) after a sentence's end, not after an
# initial or a title ('Peshawar, David J. Hazarian', 09PESHAWAR41)
_GLUED_SIGNER = re.compile(
    r"[.)\"”][ \t]+(?P<name>[A-Z][A-Z'-]{2,30}|[A-Z]{2,3} [A-Z][A-Z'-]{2,30})$"
    r"|(?:(?<![ \t][A-Z])(?<!Amb|Gen|Col|Sen|Rep|Maj|Adm|Mrs)(?<!Mr|Dr|Ms|Lt|St)\.|[)\"”])[ \t]+"
    r"(?P<mixed>[A-Z][a-z]+(?:[A-Z][a-z]+)?)$"
)
_NOT_A_NAME = re.compile(
    r"^(?:END|BT|NNNN|SIPDIS|NOFORN|CONFIDENTIAL|SECRET|UNCLASSIFIED|UNCLAS|SUMMARY|COMMENT|TEXT|NOTE|"
    r"MINIMIZE|CONSIDERED|BEGIN|QUOTE|UNQUOTE|END TEXT|END COMMENT|END SUMMARY|END NOTE|"
    r"REGARDS|THANKS|THANK|CHEERS|BEST|CLEARED|DRAFTED|APPROVED)\b",
    re.IGNORECASE,
)
_SIGNER_TRAILER = re.compile(
    r"^(?:NNNN|BT|#\d+|"
    r"(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)(?://[A-Z0-9 /-]*)?|"
    r"Declassified/Released\b.*|Systematic Review\b.*|[A-Z]+//[A-Z/]+|"
    r"[\W_]+|End Cable Text|SELECT \* FROM .*|(?:Please )?[\"“]?Visit .*Classified Web ?Site.*|"
    # a redacted line ('XXXXXXXXXXXX', 04MADRID4687); NARA's id line ('2004CARACA02200 -
    # CONFIDENTIAL', 04CARACAS2200); a newspaper's print stamp ('EPET @ EL PAÍS', 'Track
    # impresión: asegovia @ Sat Dec 4 ...', 'ID: 187536', 05MADRID4026, 09SAOPAULO487)
    r"X{4,}|\d{4}[A-Z]{2,10}\d{5}[ \t]+-[ \t]+[A-Z /]+|EPET @ .*|Track impresi.*|ID:[ \t]*\d+)$",
    re.IGNORECASE,
)
_REDACTED = re.compile(r"^X{4,}$", re.IGNORECASE)
_WEBSITE = re.compile(r"Visit .*Classified Web ?Site", re.IGNORECASE)
# a closing formula and the name on a line of their own: 'END TEXT HEFFERN' (10USNATO52),
# 'MINIMIZE CONSIDERED SHANNON' (10BRASILIA43)
_CLOSING_LINE = re.compile(
    r"^(?i:END[ \t]+(?:OF[ \t]+)?(?:COMMENT|TEXT|NOTE|SUMMARY|MESSAGE)|MINIMIZE[ \t]+CONSIDERED)"
    r"[.)]?[ \t]+(?P<name>[A-Z][A-Z'-]{2,30}(?: [A-Z][A-Z'-]{2,30})?)$"
)
# a name with the date of a database row after it: 'SOBEL 2008-01-08' (08BRASILIA43)
_DATED_SIGNER = re.compile(
    r"^(?P<name>[A-Z][A-Z'-]{1,30}(?: [A-Z][A-Z'-]{1,30})?)[ \t]+\d{4}-\d\d-\d\d$"
)
# a signature the release wrote in lower case: 'curran' (10ASHGABAT245), 'tuttle' (07LONDON3175)
_LOWER_SIGNER = re.compile(r"^[a-z][a-z'-]{2,30}$")
