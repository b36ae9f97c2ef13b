"""Artifacts inside the body of a telegram: section banners, caveats, trailers, repeated subjects.

Most of a body is text.  The lines that may hold an artifact are found with one
regular expression over the whole body (parse_shapes.body_candidates); only
those are looked at here.  A mixin of parse_artifacts' scanner, which owns the
state these methods read and change.
"""

from __future__ import annotations

import re

from generator import parse_shapes as shape
from generator.parse_normalise import (
    BANNER,
    CAVEAT,
    PAGE_BREAK,
    PAGE_SUBJECT,
    ROUTING,
    TRAILER,
    Removal,
)

_FIRST_WINDOW = 16  # lines searched for artifacts at a time, doubled for each further window


class BodyArtifacts:
    """Body-skimming methods of the scanner (see parse_artifacts._Scanner for the state)."""

    lines: list[str]
    removed: list[Removal]
    state: str
    subject: str | None
    captions_seen: bool
    numbered_seen: bool
    numbered_from: int
    body_start: int
    not_header: int

    def remove(self, category: str, index: int, text: str | None = None) -> None:
        """Record a removal; without `text`, the whole line is removed and blanked."""
        if text is None:
            line = self.lines[index]
            text = line.lstrip(PAGE_BREAK)
            self.lines[index] = PAGE_BREAK if line.startswith(PAGE_BREAK) else ""
        self.removed.append(Removal(category, index + 1, text))

    def banner(self, index: int, banner: re.Match[str]) -> int:
        raise NotImplementedError  # parse_artifacts._Scanner.banner

    def body(self, index: int) -> int:
        """Skim the body: deal only with the lines that may hold an artifact (found by a regex).

        The lines are searched in windows that double in size: the body may hand
        over to another state after a few lines and come back, and searching all
        the rest of the text each time made that quadratic (100,000 stray 'VZCZC'
        lines took minutes).
        """
        window = _FIRST_WINDOW
        count = len(self.lines)
        while index < count:
            stop = min(count, index + window)
            for candidate in shape.body_candidates(self.lines, index, stop):
                if candidate < index:
                    continue
                following = self.body_artifact(candidate)
                if following is None:
                    continue
                if self.state != "body":
                    return following
                index = following
            index = max(index, stop)
            window *= 2
        return count

    def seen_numbered(self, index: int) -> bool:
        """Whether a numbered paragraph came before line `index` (found lazily, only when asked)."""
        if not self.numbered_seen:
            for line in self.lines[self.numbered_from : index]:
                if line and (line[0].isdigit() or line[0] == " ") and shape.NUMBERED.match(line):
                    self.numbered_seen = True
                    break
            self.numbered_from = max(self.numbered_from, index)
        return self.numbered_seen

    # (body_start, index, count) of the last text_lines call: candidates come in order, so each
    # call counts only the lines since the previous one (recounting from body_start made a body
    # of 100,000 DTG lines quadratic: 45 s for 400 kB).
    text_count: tuple[int, int, int] = (-1, 0, 0)

    def text_lines(self, index: int) -> int:
        """How many lines of text the body holds before line `index` since the last caption zone."""
        start, counted_to, count = self.text_count
        if start != self.body_start or index < counted_to:
            counted_to, count = self.body_start, 0
        count += sum(1 for line in self.lines[counted_to:index] if line.strip(" " + PAGE_BREAK))
        self.text_count = (self.body_start, index, count)
        return count

    def body_artifact(self, index: int) -> int | None:
        """Remove the artifact on a body line: the next index to read; None for a line of text."""
        line = self.lines[index]
        text = line.lstrip(PAGE_BREAK)
        if shape.CSV_ROW.match(text):
            appended = self.seen_numbered(index) or self.text_lines(index) > shape.APPENDED_AFTER
            self.state = "appended" if appended else "routing"
            return index
        if index != self.not_header and (
            text.startswith("VZCZC")
            or (
                shape.DTG_LINE.match(text)
                and (shape.next_nonblank(self.lines, index + 1) or "").startswith("FM ")
            )
        ):
            self.state = "routing"  # the header of the next section (90CAPETOWN97)
            return index
        banner = shape.BODY_BANNER.match(text)
        if banner:
            return self.banner(index, banner)
        if shape.BARE_CLASSIFICATION.match(text):
            self.remove(BANNER, index)
            return index + 1
        if shape.CAVEAT.match(text):
            self.remove(CAVEAT, index)
            return index + 1
        if shape.TRAILER.match(text):
            self.remove(TRAILER, index)
            return index + 1
        if shape.DISTRIBUTION.match(text):
            self.remove(ROUTING, index)
            return index + 1
        if (
            self.captions_seen
            and not self.seen_numbered(index)
            and self.text_lines(index) < shape.CAPTION_GRACE
            and (
                shape.STRAY_CAPTION.match(text)
                or (shape.CLASSIFIED.match(text) and not shape.NUMBERED.match(text))
            )
        ):
            self.state = (
                "captions"  # a caption after a stray line (04MADRID3914: a REF cut by a blank)
            )
            return index
        if "SIPDIS" in text and shape.SIPDIS_WORD.search(text):
            self.remove_sipdis(index)
            return index if not self.lines[index].strip(" " + PAGE_BREAK) else None
        if (
            self.subject
            and shape.SUBJECT.match(text)
            and (line.startswith(PAGE_BREAK) or self.after_page_break(index))
        ):
            return self.page_subject(index)
        return None

    def remove_sipdis(self, index: int) -> None:
        """SIPDIS inside a line of text is a distribution marker too: cut it out (1.5)."""
        line = self.lines[index]
        for match in shape.SIPDIS_WORD.finditer(line):
            self.removed.append(Removal(CAVEAT, index + 1, match.group()))
        self.lines[index] = shape.SIPDIS_WORD.sub("", line)

    def after_page_break(self, index: int) -> bool:
        for previous in range(index - 1, max(-1, index - 4), -1):
            line = self.lines[previous]
            if line.startswith(PAGE_BREAK):
                return not line.strip(" " + PAGE_BREAK)
            if line.strip():
                return False
        return False

    def page_subject(self, index: int) -> int | None:
        """Drop the SUBJECT a page repeats (maybe cut short, glued to the text); keep the rest."""
        assert self.subject is not None
        line = self.lines[index]
        prefix = PAGE_BREAK if line.startswith(PAGE_BREAK) else ""
        text = line.lstrip(PAGE_BREAK)
        head = shape.SUBJECT.match(text)
        assert head is not None
        subject_words = self.subject.split()
        words = list(re.finditer(r"\S+", text[head.end() :]))
        matched = 0
        for position, word in enumerate(words[: len(subject_words)]):
            if word.group() == subject_words[position]:
                matched = position + 1
                continue
            if subject_words[position].startswith(word.group()):
                matched = position + 1
            break
        if matched < min(3, len(subject_words)):
            return None
        cut = head.end() + words[matched - 1].end()
        self.removed.append(Removal(PAGE_SUBJECT, index + 1, text[:cut].strip()))
        self.lines[index] = prefix + text[cut:].strip()
        return index + 1 if not text[cut:].strip() else None
