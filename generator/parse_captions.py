"""The captions between the banner and the first paragraph: caveats, TAGS, SUBJECT and REF.

    C O N F I D E N T I A L SECTION 01 OF 04 ROME 001240    <- banner (parse_banner)
    SIPDIS                                                  <- handling caveat
    E.O. 12958: DECL: 11/02/2019                            <- declassify_on (parse_authority)
    TAGS: PREL PARM UNSC KNNP KSUM
    SUBJECT: G-8 NONPROLIFERATION DIRECTORS GROUP MEETING
    Classified By: Political-Military Counselor Liam Wasley for Reasons 1.4
    (b) and (d)                                             <- (parse_authority)

read_captions walks the caption region once and hands each caption to its
reader. Each reader takes the cleaned head lines (parse_lines.head_lines) and
an index and returns its value plus the index where it stopped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generator.parse_authority import parse_eo_line, read_classified_by
from generator.parse_banner import caveats_in
from generator.parse_lines import (
    REF_CAPTION,
    STOP_WORDS,
    SUBJECT_CAPTION,
    TAGS_CAPTION,
    caption_kind,
    ends_caption,
    is_caption,
    is_numbered_paragraph,
    is_page_marker,
    is_subject_caption,
    is_tags_caption,
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
_LEADING_PORTION = re.compile(r"^\((?:U|C|S|SBU|S/NF|C/NF)[^)]{0,20}\)", re.IGNORECASE)


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
        kind = caption_kind(line) if line else None
        if kind is None and (not line or is_page_marker(line)):
            index += 1
            continue
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
            # a stray line ('(C-RE8-02675)', the rest of a broken REF item) before a REF or
            # Classified By caption does not end the captions; any other text does
            following = _caption_ahead(lines, index + 1, stop)
            if following is None:
                break
            index = following
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


def _caption_ahead(lines: Sequence[str], begin: int, stop: int) -> int | None:
    """Index of a REF or Classified By caption among the next three non-blank lines, else None."""
    seen = 0
    for index in range(begin, stop):
        line = lines[index].strip()
        if not line:
            continue
        if caption_kind(line) in ("ref", "classified_by"):
            return index
        seen += 1
        if seen == 3:
            return None
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


_PASSING_LINE = re.compile(r"^[A-Z][A-Z/ ,.-]{0,40}\b(?:FOR|PASS|ALSO)\b")


def parse_tags(text: str) -> tuple[str, ...]:
    """TAGS values of a TAGS line and its continuation lines, with or without the caption.

    'TAGS: PREL PARM UNSC KNNP KSUM' (09ROME1240) -> ('PREL', 'PARM', 'UNSC', 'KNNP', 'KSUM');
    'TAGS PREL, PHUM, IS, EG' -> ('PREL', 'PHUM', 'IS', 'EG').
    """
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    if not lines[0] or not is_tags_caption(lines[0]):
        lines[0] = f"TAGS: {lines[0]}"
    return read_tags(lines, 0)[0]


def parse_subject(text: str) -> str | None:
    """The subject of a SUBJECT caption and its wrapped lines ('SUBJECT: ...' / '...')."""
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    if not is_subject_caption(lines[0]):
        lines[0] = f"SUBJECT: {lines[0]}"
    return read_subject(lines, 0)[0]


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
        if STOP_WORDS.match(line):
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
        if line[:1] in _PAGE_FRAME_INITIALS:
            frame = _page_frame(lines, index, line)
            if frame is not None:
                # a printed page's frame inside the subject (00HARARE6677): ' CONFIDENTIAL' /
                # 'PAGE 02 HARARE 06677 01 OF 03 291400Z OPPOSITION LEADER'; the subject goes on
                index, line = frame
                if not line:
                    index += 1
                    continue
            elif _CLASSIFICATION_LINE.match(line):
                break
        elif line and not _HAS_WORD.search(line):
            break  # a stray mark after the subject: ' <' (10MADRID87)
        if ends_caption(line) or STOP_WORDS.match(line) or _LEADING_PORTION.match(line):
            break
        probe = line.replace("x", "") if "xxx" in line else line  # redactions: 'xxxxxxxxxxxx'
        if parts and parts[0].isupper() and probe != probe.upper():
            break  # a line of prose after an upper-case subject ('This cable is sensitive...')
        parts.append(line)
        index += 1
    subject = " ".join(" ".join(parts).split())
    if subject.startswith("("):
        subject = _LEADING_MARK.sub("", subject)
    if subject.endswith((")", ").")):
        subject = _TRAILING_MARK.sub("", subject).strip()
    return (subject or None), index


def _page_frame(lines: Sequence[str], index: int, line: str) -> tuple[int, str] | None:
    """(index of the page header, text glued after it) when lines[index] opens a frame, else None.

    An old printed page starts with its classification on a line of its own and
    a header 'PAGE nn POST SERIAL [nn OF nn] DDHHMMZ'; text may follow the header
    on its line. None when the line is no page header nor a classification line
    right before one.
    """
    if _CLASSIFICATION_LINE.match(line):
        following = index + 1
        while following < len(lines) and following <= index + 2 and not lines[following].strip():
            following += 1
        if following >= len(lines) or not _OLD_PAGE_HEADER.match(lines[following].strip()):
            return None
        index, line = following, lines[following].strip()
    header = _OLD_PAGE_HEADER.match(line)
    if header is None:
        return None
    return index, line[header.end() :].strip()


def remove_page_markers(subject: str, post: str) -> str:
    """The subject without the page markers of its cable glued into it.

    'SCENESETTER FOR ... TO WASHINGTON BRASILIA 00000351 001.2 OF 003' -> '... TO
    WASHINGTON' (08BRASILIA351, post 'BRASILIA'). Only a marker that names the
    cable's own post (the banner's, spaces removed) is taken out, so no word of
    the subject is taken for the post of a marker.
    """
    for marker in reversed(list(_MARKER_NUMBERS.finditer(subject))):
        words = subject[: marker.start()].split(" ")
        for count in range(1, min(4, len(words)) + 1):
            if "".join(words[-count:]).upper() == post:
                before = " ".join(words[:-count]).rstrip()
                subject = f"{before} {subject[marker.end() :].lstrip()}".strip()
                break
    return subject


_PAGE_FRAME_INITIALS = frozenset("PCSUL")
_CLASSIFICATION_LINE = re.compile(
    r"^(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)$"
)
_OLD_PAGE_HEADER = re.compile(
    r"^PAGE[ \t]+\d{1,3}[ \t]+[A-Z][A-Z .'&/-]{0,30}?[ \t]+\d{2,8}"
    r"(?:[ \t]+\d{1,3}[ \t]+OF[ \t]+\d{1,3})?[ \t]+\d{6}Z(?=[ \t]|$)"
)
_MARKER_NUMBERS = re.compile(r"(?<= )\d{8} +\d{3}(?:\.\d{1,2})? +OF +\d{3}(?![\w.])")
_HAS_WORD = re.compile(r"[^\W_]")


def _blank_inside_subject(lines: Sequence[str], blank: int, last: str) -> bool:
    if blank + 2 > len(lines) or not last.isupper() or last[-1:] in '.?!")':
        return False
    following = lines[blank + 1].strip()
    after = lines[blank + 2].strip() if blank + 2 < len(lines) else ""
    return (
        bool(_UPPER_SHORT_LINE.match(following))
        and ":" not in following
        and not ends_caption(following)
        and not STOP_WORDS.match(following)
        and "UNCLASSIFIED" not in following
        and (not after or is_caption(after))
    )


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
        if ends_caption(line) or STOP_WORDS.match(line):
            break
        parts.append(line)
        index += 1
    return "\n".join(parts), index


_REF_ITEM = re.compile(r"^(?:\(?[A-Za-z]\)|[A-Za-z]\.[ \t]|\[[A-Za-z]\])")
