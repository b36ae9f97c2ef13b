"""Classification authority: the E.O. line (declassify_on) and the Classified By caption.

E.O. 12958: DECL: 11/02/2019                            <- declassify_on '2019-11-02'
Classified By: Political-Military Counselor Liam Wasley for Reasons 1.4
(b) and (d)                                             <- classified_by, reasons
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from generator.parse_lines import CLASSIFIED_BY_CAPTION, read_block

# E.O. lines: 'E.O. 12958: DECL: 11/02/2019', 'EO 12958 N/A', 'E.O.12356: DECL:OADR'
_EO_BODY = re.compile(
    r"^E\.?[ \t]?O\.?[ \t]*(?::[ \t]*)?\d{3,5}[ \t]*(?:[:,;.][ \t]*)?(?P<rest>.*)$", re.IGNORECASE
)
_DECL = re.compile(r"\bDECL(?!ASSIF)\w*[ \t]*(?:[:.][ \t]*)?(?P<value>.*)$", re.IGNORECASE)
_MDY = re.compile(r"^(?P<m>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?P<y>\d{4}|\d{2})(?!\d)")
_YMD = re.compile(r"^(?P<y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})(?!\d)")
_NOT_APPLICABLE = re.compile(r"^N[ \t]?/?[ \t]?A\b", re.IGNORECASE)
_DOWNGRADE = re.compile(r"[ \t]+DNG\b", re.IGNORECASE)
_LAST_WORD = re.compile(r"[ \t(]")
_FIRST_WORD = re.compile(r"[ \t)]")
_EXEMPTION = re.compile(r"\b(?P<code>(?:25)?X[1-9])\b")


# Classified By: where the reasons begin. The word may have a blank or a line end inside it, as
# the release wrapped some lines in mid-word ('for reaso' / 'ns 1.4 b and d', 06PARIS953), and
# an E.O. number may stand before it ('Godec for E.O. 12958 reasons 1.4', 09TUNIS492).
_REASONS = r"r[ \t\n]?e[ \t\n]?a[ \t\n]?s[ \t\n]?o[ \t\n]?n(?:[ \t\n]?s)?"
_EO_NUMBER = r"(?:E\.?[ \t]?O\.?[ \t]*\d{4,5}[.,;:]?[ \t]*)?"
_FOR_REASONS = re.compile(
    rf"[.,;:]?[ \t]*\b(?:for[ \t\n]+{_EO_NUMBER}{_REASONS}|under[ \t]+Section)\b[ \t]*[:.]?",
    re.IGNORECASE,
)
_REASONS_LABEL = re.compile(
    rf"(?P<lead>\n[ \t]*|[.,;:]?[ \t]*{_EO_NUMBER})\b{_REASONS}\b[ \t]*[:.]?", re.IGNORECASE
)
_REASON_WORD = re.compile(rf"{_REASONS}|under[ \t]+Section", re.IGNORECASE)
# a paragraph of its own under the caption: a portion mark and a word (not '(C) and (d)')
_NEXT_PARAGRAPH = re.compile(
    r"^\((?:U|C|S|TS|SBU|LOU|FOUO|S/NF|C/NF)\)[ \t]+(?!(?:and|or)\b)[A-Za-z]{2,}", re.IGNORECASE
)
_BARE_REASON = re.compile(r"[,;]?[ \t]*(?=\b1[ \t]*\.[ \t]*[456]\b)")


def parse_eo_line(line: str) -> tuple[str | None, str | None]:
    """declassify_on from an E.O. line, and a problem message (or None).

    'E.O. 12958: DECL: 11/02/2019' -> '2019-11-02'; 'EO 12958 DECL: 2020/02/23'
    -> '2020-02-23'; 'E.o. 12958: decl: 6/3/08' -> '2008-06-03'; 'E.O. 12958: N/A'
    -> 'N/A'; 'DECL: 1.6 X1' -> 'X1'; 'DECL: OADR', 'DECL: MR' -> the marker as
    written. Lines without a DECL date (old 'GDS' orders, 'DNG:' downgrades,
    NARA 'DECLASSIFIED' notes) give None: they state no declassification date.
    """
    match = _EO_BODY.match(line.strip())
    if match is None:
        return None, None
    rest = match["rest"].strip()
    if _NOT_APPLICABLE.match(rest):
        return "N/A", None
    decl = _DECL.search(rest)
    if decl is None:
        dated = _date_value(rest)
        return dated if dated is not None else (None, None)
    value = decl["value"].strip()
    if not value:
        return None, f"the E.O. line '{line.strip()}' has DECL: but no date"
    if value.upper().startswith("DECLASSIFIED"):
        return None, None
    dated = _date_value(value)
    if dated is not None:
        return dated
    exemption = _EXEMPTION.search(value.upper())
    if exemption is not None:
        return exemption["code"], None
    value = _DOWNGRADE.split(value, maxsplit=1)[0]
    marker = " ".join(value.split()).rstrip(".,;:")
    if not marker or marker[0].isdigit():
        return None, f"cannot read the declassification date in '{line.strip()}'"
    return marker, None


def _date_value(value: str) -> tuple[str | None, str | None] | None:
    """(ISO date, None) or (None, problem) when value starts with a date; None otherwise."""
    value = value.strip()
    if value[:4].isdigit() and len(value) >= 8 and value[4] in "/.-":
        match = _YMD.match(value)
        year_text = match["y"] if match else ""
    else:
        match = _MDY.match(value)
        year_text = match["y"] if match else ""
    if match is None:
        return None
    year = int(year_text)
    if len(year_text) == 2:
        year += 1900 if year >= 66 else 2000
    try:
        return date(year, int(match["m"]), int(match["d"])).isoformat(), None
    except ValueError:
        return None, f"the declassification date '{match.group(0)}' is not a real date"


def parse_classified_by(text: str) -> tuple[str | None, str | None]:
    """(classified_by, reasons) of a Classified By caption and its wrapped lines."""
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    person, reasons, _ = read_classified_by(lines, 0)
    return person, reasons


def read_classified_by(lines: Sequence[str], index: int) -> tuple[str | None, str | None, int]:
    """(classified_by, reasons, next index) from a Classified By caption.

    'Classified By: Political-Military Counselor Liam Wasley for Reasons 1.4' /
    '(b) and (d)' -> ('Political-Military Counselor Liam Wasley', '1.4 (b) and (d)').
    The person is kept as written; reasons lose their final period, and a
    reason broken across lines is rejoined ('1.4 (' / 'B) AND (D)', '(b) an' /
    'd (d)').
    """
    match = CLASSIFIED_BY_CAPTION.match(lines[index].lstrip())
    rest = match["rest"] if match else ""
    again = CLASSIFIED_BY_CAPTION.match(rest)
    if again is not None:
        rest = again["rest"]  # the caption written twice: 'Classified By: Classified By: ...'
    block, index = read_block(lines, index, rest)
    for position in range(1, len(block)):
        if _NEXT_PARAGRAPH.match(block[position].strip()):
            # 'Reason s 1.4(b) and (d).' / '(U) This message has been coordinated with ...'
            block = block[:position]
            break
    text = "\n".join(" ".join(part.split()) for part in block if part)
    person, reasons = _split_reasons(text)
    person_text = " ".join(person.split()).rstrip(",;:") if person else ""
    return (person_text or None), reasons, index


def _split_reasons(text: str) -> tuple[str, str | None]:
    has_reason_word = _REASON_WORD.search(text) is not None
    marker = _FOR_REASONS.search(text) if has_reason_word else None
    if marker is None and has_reason_word:
        marker = _REASONS_LABEL.search(text)
        if marker is not None and marker["lead"].startswith("\n"):
            return text[: marker.start()], _join_reasons(text[marker.end() :])
    if marker is None:
        marker = _BARE_REASON.search(text)
        if marker is None or marker.start() == 0:
            return text, None
    return text[: marker.start()], _join_reasons(text[marker.end() :])


def _join_reasons(text: str) -> str | None:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        return None
    joined = lines[0]
    for line in lines[1:]:
        last_word = _LAST_WORD.split(joined)[-1]
        first_word = _FIRST_WORD.split(line)[0]
        glue = (
            joined.endswith(("(", "/"))
            or line.startswith((")", "/", ","))
            or ((last_word + first_word).lower() == "and" and bool(last_word) and bool(first_word))
        )
        joined = joined + ("" if glue else " ") + line
    joined = " ".join(joined.split()).rstrip(". ")
    return joined or None
