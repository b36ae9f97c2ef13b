"""The text captions of a telegram: banner, caveats, E.O., TAGS, SUBJECT, REF and Classified By.

    C O N F I D E N T I A L SECTION 01 OF 04 ROME 001240    <- banner
    SIPDIS                                                  <- handling caveat
    E.O. 12958: DECL: 11/02/2019                            <- declassify_on
    TAGS: PREL PARM UNSC KNNP KSUM
    SUBJECT: G-8 NONPROLIFERATION DIRECTORS GROUP MEETING
    Classified By: Political-Military Counselor Liam Wasley for Reasons 1.4
    (b) and (d)

Each reader takes the cleaned head lines (parse_lines.head_lines) and an index
and returns its value plus the index where it stopped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from generator.parse_lines import (
    CLASSIFIED_BY_CAPTION,
    DASH_LINE,
    EO_CAPTION,
    REF_CAPTION,
    SUBJECT_CAPTION,
    TAGS_CAPTION,
    is_numbered_paragraph,
    is_page_marker,
)

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
_PORTION_MARK = (
    r"\((?:U|C|S|TS|SBU|LOU|CONFIDENTIAL|SECRET|UNCLASSIFIED)"
    r"(?:[ \t]?/{1,2}[ \t]?[A-Z][A-Z .]{0,40})?\)"
)
_LEADING_MARK = re.compile(rf"^{_PORTION_MARK}[ \t]*", re.IGNORECASE)
_TRAILING_MARK = re.compile(rf"[ \t]*{_PORTION_MARK}[ \t.]*$", re.IGNORECASE)
_TAG_TOKEN = re.compile(r"\([^()]*\)|[^\s,;()]+")
_TAG_LINE = re.compile(
    r"^[A-Za-z0-9-]{1,12}(?:(?:[ \t]*[,;][ \t]*|[ \t]+)[A-Za-z0-9-]{1,12})*[ \t]*[,;]?$"
)
_UPPER_SHORT_LINE = re.compile(r"^[A-Z0-9][A-Z0-9 ,.'\"/&()?!-]{0,59}$")
_STOP_WORDS = re.compile(
    r"^(?:BEGIN[ \t]+)?(?:SUMMARY|INTRODUCTION|BACKGROUND|COMMENT|ACTION|THIS)\b", re.IGNORECASE
)
_LEADING_PORTION = re.compile(r"^\((?:U|C|S|SBU|S/NF|C/NF)[^)]{0,20}\)", re.IGNORECASE)

# E.O. lines: 'E.O. 12958: DECL: 11/02/2019', 'EO 12958 N/A', 'E.O.12356: DECL:OADR'
_EO_BODY = re.compile(
    r"^E\.?[ \t]?O\.?[ \t]*(?::[ \t]*)?\d{3,5}[ \t]*(?:[:,;.][ \t]*)?(?P<rest>.*)$", re.IGNORECASE
)
_DECL = re.compile(r"\bDECL(?!ASSIF)\w*[ \t]*(?:[:.][ \t]*)?(?P<value>.*)$", re.IGNORECASE)
_MDY = re.compile(r"^(?P<m>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?P<y>\d{4}|\d{2})(?!\d)")
_YMD = re.compile(r"^(?P<y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})(?!\d)")
_NOT_APPLICABLE = re.compile(r"^N[ \t]?/?[ \t]?A\b", re.IGNORECASE)
_DOWNGRADE = re.compile(r"[ \t]+DNG\b", re.IGNORECASE)
_TAG_CODE = re.compile(r"^[A-Z0-9]{2,6}\b")
_LAST_WORD = re.compile(r"[ \t(]")
_FIRST_WORD = re.compile(r"[ \t)]")
_EXEMPTION = re.compile(r"\b(?P<code>(?:25)?X[1-9])\b")

# Classified By: where the reasons begin
_FOR_REASONS = re.compile(r"[.,;:]?[ \t]*\bfor[ \t\n]+reasons?\b[ \t]*[:.]?", re.IGNORECASE)
_REASONS_LABEL = re.compile(
    r"(?P<lead>\n[ \t]*|[.,;:]?[ \t]*)\breasons?\b[ \t]*[:.]?", re.IGNORECASE
)
_BARE_REASON = re.compile(r"[,;]?[ \t]*(?=\b1[ \t]*\.[ \t]*[456]\b)")


@dataclass(frozen=True, slots=True)
class Captions:
    """What the captions between the banner and the first paragraph say."""

    handling: tuple[str, ...] = ()
    declassify_on: str | None = None
    tags: tuple[str, ...] | None = None  # None: no TAGS line at all
    subject: str | None = None
    ref_text: str | None = None  # the REF block as written; None: no REF line
    classified_by: str | None = None
    reasons: str | None = None
    problems: tuple[tuple[int, str], ...] = ()


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


def read_captions(lines: Sequence[str], begin: int, stop: int) -> Captions:
    """Read the captions among lines[begin:stop] (begin: the line after the banner).

    Each caption counts once (copies that repeat the opening block, like
    09ROME1240, repeat them). Caveat and passing lines before the E.O., TAGS
    and SUBJECT captions give `handling`; the region ends at the first
    numbered paragraph, or at the first line of text after those captions.
    """
    handling: list[str] = []
    problems: list[tuple[int, str]] = []
    values: dict[str, object] = {}
    main_seen = False
    index = begin
    while index < stop:
        line = lines[index].strip()
        if not line or is_page_marker(line):
            index += 1
            continue
        kind = caption_kind(line)
        if kind == "eo":
            if "eo" not in values:
                declassify_on, problem = parse_eo_line(line)
                values["eo"] = declassify_on
                if problem:
                    problems.append((index, problem))
            main_seen = True
            index += 1
        elif kind == "tags":
            tags, index = read_tags(lines, index)
            values.setdefault("tags", tags)
            main_seen = True
        elif kind == "subject":
            subject, index = read_subject(lines, index)
            values.setdefault("subject", subject)
            main_seen = True
        elif kind == "ref":
            ref_text, index = read_ref_block(lines, index)
            values.setdefault("ref", ref_text)
        elif kind == "classified_by":
            person, reasons, index = read_classified_by(lines, index)
            values.setdefault("classified_by", (person, reasons))
        elif is_numbered_paragraph(line):
            break
        elif not main_seen:
            handling.extend(caveats_in(line))
            index += 1
        elif caveats_in(line) or _PASSING_LINE.match(line):
            index += 1
        else:
            break
    person_reasons = values.get("classified_by")
    person, reasons = person_reasons if isinstance(person_reasons, tuple) else (None, None)
    tags_value = values.get("tags")
    return Captions(
        handling=tuple(dict.fromkeys(handling)),
        declassify_on=_text(values.get("eo")),
        tags=tags_value if isinstance(tags_value, tuple) else None,
        subject=_text(values.get("subject")),
        ref_text=_text(values.get("ref")),
        classified_by=person,
        reasons=reasons,
        problems=tuple(problems),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


_PASSING_LINE = re.compile(r"^[A-Z][A-Z/ ,.-]{0,40}\b(?:FOR|PASS|ALSO)\b")


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


def is_caption(line: str) -> bool:
    """True for a line that starts with E.O., TAGS, SUBJECT, REF or Classified By."""
    return caption_kind(line.lstrip()) is not None


def caption_kind(line: str) -> str | None:
    """'eo', 'tags', 'subject', 'ref' or 'classified_by' for a caption line, else None.

    `line` has no leading blanks. Dispatching on the first letter keeps this
    cheap: it runs on every line of the head of every cable.
    """
    initial = line[:1].upper()
    if initial == "E":
        return "eo" if EO_CAPTION.match(line) else None
    if initial == "T":
        return "tags" if _is_tags_caption(line) else None
    if initial == "S":
        return "subject" if _is_subject_caption(line) else None
    if initial == "R":
        return "ref" if REF_CAPTION.match(line) and _is_ref_caption(line) else None
    if initial in "C(":
        return "classified_by" if CLASSIFIED_BY_CAPTION.match(line) else None
    return None


_CAPTION_INITIALS = frozenset("EeTtSsRrCc(")


def _is_subject_caption(line: str) -> bool:
    """'SUBJECT: ...', 'SUBJ: ...', 'Subject: ...', and 'SUBJECT ...' without the colon."""
    if SUBJECT_CAPTION.match(line) is None:
        return False
    return ":" in line[:9] or line[:8].upper() == "SUBJECT "


def _is_tags_caption(line: str) -> bool:
    match = TAGS_CAPTION.match(line)
    if match is None:
        return False
    head = line[: len(line) - len(match["rest"])]
    return ":" in head or bool(_TAG_CODE.match(match["rest"]))


def _is_ref_caption(line: str) -> bool:
    upper = line[:12].upper()
    return ":" in upper or (
        upper.startswith(("REF ", "REF(", "REFTEL ")) and not upper.startswith("REF IS")
    )


def ends_caption(line: str) -> bool:
    """True for lines that end any caption's continuation lines."""
    stripped = line.strip()
    if not stripped:
        return True
    initial = stripped[0]
    if initial.isdigit():
        return is_numbered_paragraph(stripped)
    if initial in "-=_":
        return bool(DASH_LINE.match(stripped))
    return (
        caption_kind(stripped) is not None
        or is_page_marker(stripped)
        or (initial in "UCSLucsl" and parse_banner(stripped, 0) is not None)
    )


def parse_tags(text: str) -> tuple[str, ...]:
    """TAGS values of a TAGS line and its continuation lines, with or without the caption.

    'TAGS: PREL PARM UNSC KNNP KSUM' (09ROME1240) -> ('PREL', 'PARM', 'UNSC', 'KNNP', 'KSUM');
    'TAGS PREL, PHUM, IS, EG' -> ('PREL', 'PHUM', 'IS', 'EG').
    """
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    if not lines[0] or not _is_tags_caption(lines[0]):
        lines[0] = f"TAGS: {lines[0]}"
    return read_tags(lines, 0)[0]


def parse_subject(text: str) -> str | None:
    """The subject of a SUBJECT caption and its wrapped lines ('SUBJECT: ...' / '...')."""
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    if not _is_subject_caption(lines[0]):
        lines[0] = f"SUBJECT: {lines[0]}"
    return read_subject(lines, 0)[0]


def parse_classified_by(text: str) -> tuple[str | None, str | None]:
    """(classified_by, reasons) of a Classified By caption and its wrapped lines."""
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    person, reasons, _ = read_classified_by(lines, 0)
    return person, reasons


def read_tags(lines: Sequence[str], index: int) -> tuple[tuple[str, ...], int]:
    """TAGS values as written, wrapped lines joined: 'TAGS: KACT ... PREF' / 'PREL, IN, IR'.

    Split on blanks and commas; a parenthesised name stays one tag without its
    parentheses ('OVIP (STEINBERG, JAMES B.)' -> 'OVIP', 'STEINBERG, JAMES B.').
    Upper-cased; no spelling fixes; SIPDIS (a caveat, not a tag) and repeats dropped.
    """
    match = TAGS_CAPTION.match(lines[index].lstrip())
    parts = [match["rest"] if match else ""]
    index += 1
    while index < len(lines):
        line = lines[index].strip()
        if ends_caption(line) or not (parts[-1].rstrip().endswith(",") or _TAG_LINE.match(line)):
            break
        if _STOP_WORDS.match(line):
            break
        parts.append(line)
        index += 1
    tags: list[str] = []
    for token in _TAG_TOKEN.findall(" ".join(parts).upper()):
        tag = " ".join(token.strip("()").split()) if token.startswith("(") else token.strip(".;:")
        if tag and tag != "SIPDIS" and tag not in tags:
            tags.append(tag)
    return tuple(tags), index


def read_subject(lines: Sequence[str], index: int) -> tuple[str | None, int]:
    """The SUBJECT line, wrapped lines joined with one space, portion marks removed.

    It ends at a blank line, another caption, a page marker, a numbered
    paragraph, a dashed heading or a banner - except that a single short
    upper-case line after one blank line still belongs to an upper-case
    subject ('...AFTER CURRENCY' / '' / 'REFORM', 10SHENYANG4).
    """
    match = SUBJECT_CAPTION.match(lines[index].lstrip())
    parts = [match["rest"].strip()] if match else []
    index += 1
    while index < len(lines):
        line = lines[index].strip()
        if not line and parts and _blank_inside_subject(lines, index, parts[-1]):
            index += 1
            continue
        if ends_caption(line) or _STOP_WORDS.match(line) or _LEADING_PORTION.match(line):
            break
        parts.append(line)
        index += 1
    subject = " ".join(" ".join(parts).split())
    subject = _LEADING_MARK.sub("", subject)
    subject = _TRAILING_MARK.sub("", subject).strip()
    return (subject or None), index


def _blank_inside_subject(lines: Sequence[str], blank: int, last: str) -> bool:
    if blank + 2 > len(lines) or not last.isupper() or last[-1:] in '.?!")':
        return False
    following = lines[blank + 1].strip()
    after = lines[blank + 2].strip() if blank + 2 < len(lines) else ""
    return (
        bool(_UPPER_SHORT_LINE.match(following))
        and ":" not in following
        and not ends_caption(following)
        and not _STOP_WORDS.match(following)
        and "UNCLASSIFIED" not in following
        and (not after or is_caption(after))
    )


def read_block(lines: Sequence[str], index: int, rest: str) -> tuple[list[str], int]:
    """A caption's text and its continuation lines, up to a blank line or what else ends it."""
    block = [rest.strip()]
    index += 1
    while index < len(lines):
        line = lines[index].strip()
        if ends_caption(line) or _STOP_WORDS.match(line):
            break
        block.append(line)
        index += 1
    return block, index


def read_classified_by(lines: Sequence[str], index: int) -> tuple[str | None, str | None, int]:
    """(classified_by, reasons, next index) from a Classified By caption.

    'Classified By: Political-Military Counselor Liam Wasley for Reasons 1.4' /
    '(b) and (d)' -> ('Political-Military Counselor Liam Wasley', '1.4 (b) and (d)').
    The person is kept as written; reasons lose their final period, and a
    reason broken across lines is rejoined ('1.4 (' / 'B) AND (D)', '(b) an' /
    'd (d)').
    """
    match = CLASSIFIED_BY_CAPTION.match(lines[index].lstrip())
    block, index = read_block(lines, index, match["rest"] if match else "")
    text = "\n".join(" ".join(part.split()) for part in block if part)
    person, reasons = _split_reasons(text)
    person_text = " ".join(person.split()).rstrip(",;:") if person else ""
    return (person_text or None), reasons, index


def _split_reasons(text: str) -> tuple[str, str | None]:
    marker = _FOR_REASONS.search(text)
    if marker is None:
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


def read_ref_block(lines: Sequence[str], index: int) -> tuple[str, int]:
    """The text of a REF caption and its items, which may continue over lines and blank lines."""
    match = REF_CAPTION.match(lines[index].lstrip())
    parts = [match["rest"].strip()] if match else []
    index += 1
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            following = index + 1
            while following < len(lines) and following < index + 3 and not lines[following].strip():
                following += 1
            if following < len(lines) and _REF_ITEM.match(lines[following].strip()):
                index = following
                continue
            break
        if is_page_marker(line):
            index += 1
            continue
        if ends_caption(line) or _STOP_WORDS.match(line):
            break
        parts.append(line)
        index += 1
    return "\n".join(parts), index


_REF_ITEM = re.compile(r"^(?:\(?[A-Za-z]\)|[A-Za-z]\.[ \t]|\[[A-Za-z]\])")


def find_signer(raw_lines: Sequence[str]) -> str | None:
    """The closing signature: a last line of one to three capitalised words ('THORNE').

    Trailers after it are skipped (page markers, NARA review stamps,
    classification lines, NNNN, a truncated '...' line); a name glued to the
    end of the last sentence counts too ('Minimize considered. CLINTON').
    Returns None when the text simply ends with a paragraph.
    """
    seen = 0
    for raw in reversed(raw_lines):
        line = raw.strip().rstrip("\\").strip().replace("¶", "")
        if not line:
            continue
        seen += 1
        if seen > 8:
            return None
        if _SIGNER_TRAILER.match(line) or is_page_marker(line) or line.endswith("..."):
            continue
        if line.endswith(" ."):
            line = line[:-2]
        if _SIGNER.match(line) and not _NOT_A_NAME.match(line):
            return line
        glued = _GLUED_SIGNER.search(line)
        if (
            glued is not None
            and not _NOT_A_NAME.match(glued["name"])
            and (len(line) <= _GLUED_LINE_LIMIT or _CLOSING.search(line, 0, glued.start() + 1))
        ):
            return glued["name"]
        return None
    return None


# A capitalised word glued to the end of a paragraph is a signature when the line
# is short ('Minimize considered. CLINTON', 09STATE15113) or a closing formula
# comes right before it ('End comment. STEVENS', 08TRIPOLI220); at the end of a
# long paragraph it is not taken (06MOSCOW5645 '...beyond. BURNS' and 10RIYADH61
# '...evidence. SMITH' are recorded without a signature in the corpus).
_GLUED_LINE_LIMIT = 200
_CLOSING = re.compile(
    r"\b(?:END[ \t]+(?:OF[ \t]+)?(?:COMMENT|TEXT|NOTE|SUMMARY|MESSAGE)|MINIMIZE[ \t]+CONSIDERED)"
    r"[ \t]*[.)\"]$",
    re.IGNORECASE,
)
_SIGNER = re.compile(r"^[A-Z][A-Za-z'-]{1,30}(?: [A-Z][A-Za-z'-]{1,30}){0,2}$")
_GLUED_SIGNER = re.compile(r"[.)\"][ \t]+(?P<name>[A-Z][A-Z'-]{2,30})$")
_NOT_A_NAME = re.compile(
    r"^(?:END|BT|NNNN|SIPDIS|NOFORN|CONFIDENTIAL|SECRET|UNCLASSIFIED|UNCLAS|SUMMARY|COMMENT|TEXT|NOTE|"
    r"MINIMIZE|CONSIDERED|BEGIN|QUOTE|UNQUOTE|END TEXT|END COMMENT|END SUMMARY|END NOTE)\b",
    re.IGNORECASE,
)
_SIGNER_TRAILER = re.compile(
    r"^(?:NNNN|BT|#\d+|"
    r"(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)(?://[A-Z0-9 /-]*)?|"
    r"Declassified/Released\b.*|Systematic Review\b.*|[A-Z]+//[A-Z/]+|"
    r"[\W_]+|End Cable Text|SELECT \* FROM .*|[\"“]?Visit .*Classified Web ?Site.*)$",
    re.IGNORECASE,
)
