"""Where the parts of a cable's head are: format lines, banner, caption region.

    [print-out box, VZCZC block]  O 101642Z NOV 09 / FM ... / TO ... / INFO ...   <- header
    C O N F I D E N T I A L SECTION 01 OF 04 ROME 001240                          <- banner
    SIPDIS / E.O. / TAGS / SUBJECT / REF / Classified By                          <- captions
    1. (C) The last Nonproliferation Directors Group (NPDG) meeting of            <- body

read_structure finds each part in the cleaned head lines (parse_lines.head_lines)
and hands it to its reader: parse_header, parse_banner, parse_captions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from generator.parse_authority import parse_classified_by
from generator.parse_banner import Banner, find_banner
from generator.parse_captions import Captions, read_captions, remove_page_markers
from generator.parse_header import Header, find_header
from generator.parse_lines import Lines, caption_kind

# '1. (U) ', '1.(C) ', '1. ': the number and portion mark that open a paragraph
_PARAGRAPH_LEAD = re.compile(r"^\d{1,3}[ \t]?\.[ \t]*(?:\([A-Z/ ]{1,12}\)[ \t]*)?")
# How far after the banner the captions may reach when no numbered paragraph ends them.
_CAPTION_REACH = 80


@dataclass(frozen=True, slots=True)
class Structure:
    """The head of a cable, read: its format lines, banner and captions (any may be missing)."""

    header: Header
    banner: Banner | None
    captions: Captions
    found: bool  # a header, a banner or a caption: the text has the shape of a telegram
    problems: tuple[tuple[int, str], ...] = ()  # (index in the head lines, message)


def read_structure(head: Lines, precedence_variants: Mapping[str, str]) -> Structure:
    """Find the header, the banner and the caption region of a cable's head, and read them."""
    lines = head.text
    body_start = head.paragraph if head.paragraph is not None else len(lines)
    caption_start = _first_caption(lines, 0, body_start)
    header = find_header(lines, caption_start, precedence_variants)
    if header.start is not None and header.start > caption_start:
        # captions of a print-out box before the header (03ABUDHABI2641)
        caption_start = _first_caption(lines, header.end, body_start)
    begin = header.end if header.start is not None else 0
    banner_stop = caption_start if caption_start < len(lines) else min(len(lines), begin + 40)
    banner = find_banner(lines, begin, banner_stop)
    captions = _read_captions(lines, banner, begin, caption_start, body_start)
    if banner is None and caption_start < body_start:
        # Captions with no banner before them, and a banner soon after: the first block was a
        # print-out box or database row (09KHARTOUM881); the telegram's own captions follow
        # its banner. They win; the first block fills in what they lack.
        later = find_banner(lines, caption_start, min(len(lines), caption_start + _CAPTION_REACH))
        if later is not None:
            banner = later
            own = _read_captions(lines, later, begin, later.index + 1, body_start)
            captions = _merge_captions(own, captions)
    if banner is not None and captions.subject is not None and " OF " in captions.subject:
        subject = remove_page_markers(captions.subject, banner.post)
        if subject != captions.subject:
            captions = replace(captions, subject=subject or None)
    found = header.start is not None or banner is not None or caption_start < len(lines)
    return Structure(
        header, banner, captions, found, problems=(*header.problems, *captions.problems)
    )


def _first_caption(lines: tuple[str, ...], begin: int, stop: int) -> int:
    for index in range(begin, stop):
        line = lines[index]
        if line[:1] in _CAPTION_INITIALS and caption_kind(line) is not None:
            return index
        if line[:1] in " \t" and caption_kind(line.lstrip()) is not None:
            return index
    return len(lines)


_CAPTION_INITIALS = frozenset("EeTtSsRrCc(")


def _read_captions(
    lines: tuple[str, ...], banner: Banner | None, begin: int, caption_start: int, body_start: int
) -> Captions:
    """The caption region: from the banner (or first caption) to the first numbered paragraph.

    A Classified By line that old cables put inside paragraph 1 ('1. (U) CLASSIFIED BY
    ROBERT P. FINN, DEPUTY CHIEF OF MISSION. REASON: 1.5 (D)') counts when the
    captions have none.
    """
    start = banner.index + 1 if banner is not None else min(begin, caption_start)
    stop = min(body_start, max(start, caption_start) + _CAPTION_REACH)
    captions = read_captions(lines, start, stop)
    if captions.classified_by is None and body_start < len(lines):
        paragraph = _PARAGRAPH_LEAD.sub("", lines[body_start].lstrip(), count=1)
        if caption_kind(paragraph) == "classified_by":
            block = [paragraph, *lines[body_start + 1 :]]
            person, reasons = parse_classified_by("\n".join(block))
            captions = replace(captions, classified_by=person, reasons=reasons)
    return captions


def _merge_captions(first: Captions, fallback: Captions) -> Captions:
    """The captions of `first`, with those it lacks taken from `fallback`."""
    return Captions(
        handling=tuple(dict.fromkeys((*first.handling, *fallback.handling))),
        declassify_on=first.declassify_on or fallback.declassify_on,
        tags=first.tags if first.tags is not None else fallback.tags,
        subject=first.subject if first.subject is not None else fallback.subject,
        ref_text=first.ref_text if first.ref_text is not None else fallback.ref_text,
        classified_by=first.classified_by or fallback.classified_by,
        reasons=first.reasons or fallback.reasons,
        problems=(*first.problems, *fallback.problems),
    )
