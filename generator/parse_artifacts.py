"""Find the transmission artifacts of a telegram text: what the Markdown body leaves out.

A released telegram carries, besides its text, the routing header (VZCZC...,
FM/TO/INFO, cable-format.md 1.3), the classification banner and the captions
the front matter holds (1.4-1.10: SIPDIS and other caveats, E.O., TAGS,
SUBJECT, Classified By), page markers (1.12, also in mid-sentence as in
10STATE284), the preamble that some copies repeat (1.13, 09ROME1240) and
BT/NNNN trailers.  `strip_artifacts` removes exactly these and reports every
removal with its category, so that a test can check each removed piece against
the shape of its category and prove that no word of the cable text is lost.

Kept on purpose: REF lines (they name e-mails and memos as well as cables),
passing lines (`DEPT FOR EUR/NB`), corrected-copy notes, review stamps, the
signature, and anything this module does not recognise.

Removed lines are blanked in place, so that the text around them stays apart
and line numbers stay those of the normalised text.  Only the top of a cable
(header and captions) is read line by line with regular expressions; the rest
is skimmed with cheap prefix tests, since the whole release is 251,287 cables.
The scanner's routing-header methods live in parse_artifacts_header, its body
methods in parse_artifacts_body (mixins: this module holds the state).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator import parse_shapes as shape
from generator.parse_artifacts_body import BodyArtifacts
from generator.parse_artifacts_header import HeaderArtifacts
from generator.parse_normalise import (
    APPENDED_RECORD,
    BANNER,
    CAVEAT,
    CHROME,
    CLASSIFIED_BY,
    EO,
    PAGE_BREAK,
    PREAMBLE_COPY,
    ROUTING,
    SUBJECT,
    TAGS,
    Removal,
    remove_page_markers,
    split_lines,
)


@dataclass(frozen=True, slots=True)
class Stripped:
    """The lines of the telegram with the artifacts blanked out, and what was removed.

    `lines[i]` is line i + 1 of the normalised text ('' where removed; starting
    with PAGE_BREAK where a page marker opened it); `ref_lines` are the indexes
    of REF caption lines (they name documents and are not repaired); `subject`
    the SUBJECT caption with whitespace normalised, or None.
    """

    lines: list[str]
    removed: list[Removal]
    ref_lines: frozenset[int]
    subject: str | None


def strip_artifacts(text: str) -> Stripped:
    """Blank out the transmission artifacts of a normalised telegram text (see normalise_text)."""
    removed: list[Removal] = []
    lines = split_lines(text)
    remove_page_markers(text, lines, removed)
    scanner = _Scanner(lines, removed)
    scanner.run()
    return Stripped(lines, removed, frozenset(scanner.ref_lines), scanner.subject)


# A line is read again after a state change or after a part of it was taken out; more
# reads than this mean the states hand it round for ever (a hang found by fuzzing).
_MAX_VISITS = 100


class _Scanner(HeaderArtifacts, BodyArtifacts):
    """The state machine of strip_artifacts: top -> routing -> captions -> body (one per call)."""

    def __init__(self, lines: list[str], removed: list[Removal]) -> None:
        self.lines = lines
        self.removed = removed
        self.ref_lines: set[int] = set()
        self.subject: str | None = None
        self.state = "top"
        self.top_kept = 0
        self.routing: list[int] = []  # line indexes of the header block being read
        self.zone_banner: str | None = None  # normalised banner of the current caption zone
        self.zone_start = 0  # line index after that banner
        self.subject_seen = False
        self.zone_other = 0  # unrecognised lines kept in the caption zone
        self.numbered_seen = False
        self.captions_seen = False
        self.body_start = 0  # first line of the body since the last caption zone
        self.numbered_from = 0  # lines before this were looked at by seen_numbered
        self.unsplit = -1  # a line whose inline captions are already split
        self.not_header = -1  # a line the routing state handed back as text

    def run(self) -> None:
        index = 0
        count = len(self.lines)
        visits = 0  # reads of line `index` in a row: the states may hand a line round
        while index < count:
            visits, last = visits + 1, index
            if visits > _MAX_VISITS:  # a cycle the states did not foresee: the line is text
                self.flush_routing()
                self.start_body(index)
                index += 1
            elif self.state == "body":
                index = self.body(index)
            elif self.state == "top":
                index = self.top(index)
            elif self.state == "routing":
                index = self.route(index)
            elif self.state == "captions":
                index = self.captions(index)
            else:  # appended: another cable's record until the end
                self.removed.append(
                    Removal(APPENDED_RECORD, index + 1, "\n".join(self.lines[index:]))
                )
                self.lines[index:] = [""] * (count - index)
                index = count
            if index != last:
                visits = 0
        self.flush_routing()

    # --- each state returns the index of the next line to read (the same one to read it again)

    def top(self, index: int) -> int:
        line = self.lines[index]
        text = line.strip(" " + PAGE_BREAK)
        if not text:
            return index + 1
        if text in shape.CHROME:
            self.remove(CHROME, index)
            return index + 1
        if shape.CSV_ROW.match(line) or shape.HEADER_START.match(text):
            self.state = "routing"
            return index
        if shape.BANNER.match(line) or shape.CAVEAT.match(line) or shape.CAPTION_KEY.match(line):
            self.state = "captions"
            return index
        self.top_kept += 1
        if self.top_kept > shape.TOP_SEARCH_LINES:
            self.state = "body"
        return index + 1

    def captions(self, index: int) -> int:
        self.captions_seen = True
        line = self.lines[index]
        text = line.lstrip(PAGE_BREAK)
        if not text.strip():
            return index + 1
        if "SIPDIS" in text and not shape.CAVEAT.match(text) and shape.SIPDIS_WORD.search(text):
            self.remove_sipdis(index)  # 08RPODUBAI56: 'SIPDIS, DEA HQ FOR HARRIGAN'
            return index
        if index != self.unsplit and shape.may_hold_captions(text):
            pieces = shape.INLINE_CAPTION.split(text)
            if len(pieces) > 1:
                return self.caption_pieces(index, pieces)
        first = text.lstrip()[:1].upper()  # each shape is tried only on lines that can start it
        if first in "CSUL":
            banner = shape.BANNER.match(text)
            if banner:
                return self.banner(index, banner)
        if first in shape.CAVEAT_FIRST and shape.CAVEAT.match(text):
            self.remove(CAVEAT, index)
            return index + 1
        if first == "E" and shape.EO.match(text):
            self.remove(EO, index)
            return index + 1
        if first == "T" and shape.TAGS.match(text):
            return self.continued(index, text, TAGS, shape.is_tag_continuation)
        if first == "S" and shape.SUBJECT.match(text):
            self.subject_seen = True
            return self.continued(index, text, SUBJECT, shape.is_subject_continuation)
        if first == "C" and shape.CLASSIFIED.match(text):
            return self.continued(index, text, CLASSIFIED_BY, shape.is_reason_continuation)
        if first == "R" and shape.REF.match(text) and not shape.REF_WORD_ONLY.match(text):
            return self.reference(index)
        if (
            (first.isdigit() and shape.CSV_ROW.match(text)) or text.startswith("VZCZC")
        ) and index != self.not_header:  # 'VZCZCXRO2333&#x00' went back and forth for ever
            self.state = "routing"
            return index
        if first in "AI-" and shape.DISTRIBUTION.match(text):
            self.remove(ROUTING, index)
            return index + 1
        if (
            (first.isdigit() and shape.NUMBERED.match(text))
            or self.subject_seen
            or self.zone_other >= shape.MAX_ZONE_TEXT
        ):
            self.start_body(index)
            return index
        if not (first in "-=_" and shape.RULE.match(text)):
            self.zone_other += 1
        return index + 1

    def caption_pieces(self, index: int, pieces: list[str]) -> int:
        """A line of captions run together: remove the captions, keep the rest, read it again."""
        kept: list[str] = []
        following = index + 1
        for position, piece in enumerate(pieces):
            last = position == len(pieces) - 1
            category = _caption_category(piece)
            if category in (TAGS, SUBJECT, CLASSIFIED_BY) and last:
                continues = {
                    TAGS: shape.is_tag_continuation,
                    SUBJECT: shape.is_subject_continuation,
                    CLASSIFIED_BY: shape.is_reason_continuation,
                }[category]
                self.subject_seen = self.subject_seen or category == SUBJECT
                self.lines[index] = " ".join(kept)
                following = self.continued(index, piece, category, continues, keep_line=True)
            elif category == BANNER:
                banner = shape.BANNER.match(piece)
                assert banner is not None
                self.removed.append(Removal(BANNER, index + 1, banner.group()))
                if piece[banner.end() :].strip():
                    kept.append(piece[banner.end() :].strip())
            elif category is not None:
                self.subject_seen = self.subject_seen or category == SUBJECT
                self.removed.append(Removal(category, index + 1, piece))
                if category == SUBJECT and self.subject is None:
                    self.subject = shape.subject_text(piece)
            else:
                kept.append(piece)
        self.lines[index] = " ".join(kept)
        self.unsplit = index
        return index if kept else following

    def banner(self, index: int, banner: re.Match[str]) -> int:
        normalised = " ".join(banner.group().split()).upper()
        if self.zone_banner == normalised and not self.seen_numbered(index) and self.is_copy(index):
            # 1.13: the preamble starts again before paragraph 1; drop the first copy's kept lines
            for copied in range(self.zone_start, index):
                if self.lines[copied].strip(" " + PAGE_BREAK):
                    self.remove(PREAMBLE_COPY, copied)
            self.ref_lines -= set(range(self.zone_start, index))
        self.zone_banner = normalised
        self.zone_start = index + 1
        self.subject_seen = False
        self.zone_other = 0
        self.state = "captions"
        text = self.lines[index].lstrip(PAGE_BREAK)
        self.removed.append(Removal(BANNER, index + 1, banner.group()))
        self.lines[index] = text[banner.end() :]
        return index if self.lines[index].strip() else index + 1

    def is_copy(self, index: int) -> bool:
        """Whether every line kept since the zone's first banner comes again after this one."""
        first = {shape.comparable(line) for line in self.lines[self.zone_start : index]} - {""}
        if not first:
            return False  # nothing kept in between: nothing to drop
        ahead = {
            shape.comparable(line) for line in self.lines[index + 1 : index + 3 * len(first) + 40]
        }
        return first <= ahead

    def continued(
        self,
        index: int,
        text: str,
        category: str,
        continues: shape.Continuation,
        *,
        keep_line: bool = False,
    ) -> int:
        parts = [text]
        following = index + 1
        lines = self.lines
        while following < len(lines) and continues(parts, lines, following):
            parts.append(lines[following])
            lines[following] = ""
            following += 1
        if category == SUBJECT and shape.subject_resumes(parts, lines, following):
            # 10SHENYANG4: 'SUBJECT: ... NORTH KOREA AFTER CURRENCY' / '' / 'REFORM'
            parts.extend(lines[following : following + 2])
            lines[following : following + 2] = ["", ""]
            following += 2
        joined = "\n".join(parts)
        self.removed.append(Removal(category, index + 1, joined))
        if not keep_line:
            lines[index] = ""
        if category == SUBJECT and self.subject is None:
            self.subject = shape.subject_text(joined)
        return following

    def reference(self, index: int) -> int:
        lines = self.lines
        self.ref_lines.add(index)
        following = index + 1
        while following < len(lines):
            line = lines[following]
            if not line.strip() and shape.REF_ITEM.match(
                shape.next_nonblank(lines, following) or ""
            ):
                self.ref_lines.add(
                    following
                )  # 07BERN881: 'REF: A. STATE 124823' / '' / 'B. GUHA-CARTER...'
                following += 1
                continue
            if (
                not line.strip()
                or line.startswith(PAGE_BREAK)
                or shape.CAPTION_KEY.match(line)
                or shape.NUMBERED.match(line)
                or shape.RULE.match(line)
                or shape.BANNER.match(line)
                or not shape.REF_CONTINUATION.match(line)
            ):  # 06NEWDELHI5138: text runs on after a REF
                break
            self.ref_lines.add(following)
            following += 1
        return following

    def start_body(self, index: int) -> None:
        self.state = "body"
        self.body_start = index


def _caption_category(piece: str) -> str | None:
    """The category of a caption in a line of captions run together, or None for text."""
    if shape.BANNER.match(piece):
        return BANNER
    if shape.CAVEAT.match(piece):
        return CAVEAT
    if shape.EO.match(piece):
        return EO
    if shape.TAGS.match(piece):
        return TAGS
    if shape.SUBJECT.match(piece):
        return SUBJECT
    if shape.CLASSIFIED.match(piece) and not shape.NUMBERED.match(piece):
        return CLASSIFIED_BY
    return None
