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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Categories of removals (tests/test_words.py checks each against its shape).
ROUTING = "routing"  # header lines before the banner; a cables.csv row prefix; distribution lines
BANNER = "banner"  # C O N F I D E N T I A L SECTION 01 OF 04 ROME 001240; a bare classification
CAVEAT = "caveat"  # SIPDIS, NOFORN, SENSITIVE...
EO = "eo"  # E.O. 12958: DECL: 11/02/2019
TAGS = "tags"  # TAGS: PREL PARM (and continuation lines)
SUBJECT = "subject"  # SUBJECT: ... (and continuation lines)
CLASSIFIED_BY = "classified_by"
PAGE_MARKER = "page_marker"  # ROME 00001240 002.2 OF 004; PAGE 02 ROME 01196 01 OF 02 082030Z
PAGE_SUBJECT = "page_subject"  # the SUBJECT some copies repeat after a page marker (09STATE82013)
PREAMBLE_COPY = "preamble_copy"
TRAILER = "trailer"  # BT, NNNN, #1240
APPENDED_RECORD = "appended_record"  # another cable glued after this one (07BERN881)
CHROME = "chrome"  # page chrome of a scraped web page ('pdf how-to read a cable')

PAGE_BREAK = "\x0c"  # a kept line standing for a removed page marker


@dataclass(frozen=True, slots=True)
class Removal:
    """A removed line or span: category, 1-based line of the normalised text, the text removed."""

    category: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Stripped:
    """What is left of the telegram text, and what was removed.

    `lines` are the kept lines (a PAGE_BREAK line marks a removed page marker),
    `line_numbers[i]` the 1-based line of `lines[i]` in the normalised text,
    `ref_lines` the indexes of kept lines that belong to a REF caption (they
    name documents and must not be repaired), `subject` the SUBJECT caption
    with whitespace normalised, or None.
    """

    lines: tuple[str, ...]
    line_numbers: tuple[int, ...]
    removed: tuple[Removal, ...]
    ref_lines: frozenset[int]
    subject: str | None


# --- normalisation -------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
_TRAILING = re.compile(r"[ \t\xa0]*(?:\\[ \t\xa0]*)?$", re.M)
# The 2010 site's ¶ paragraph links, kept as a character by some copies: '¶2. (C)', '¶B. MADRID 707'.
_PILCROW = re.compile(r"¶[ \t]*(?=\d|[A-Za-z][.)]|\()")
_PARTIAL_NOTE = re.compile(
    r"^(This record is a partial extract of the original cable\. "
    r"The full text of the original cable is not available\.)[ \t]*(?=\S)",
    re.M,
)


def normalise_text(text: str) -> str:
    """Line ends to LF; control characters, ¶ links, trailing blanks and line-end backslashes dropped.

    None of these changes a word.  The backslash is the line end of cables.csv
    fields (07BERN881 carries such a row inside its page).
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if "\xa0" in text:
        text = text.replace("\xa0", " ")
    if "¶" in text:
        text = _PILCROW.sub("", text)
    if "This record is a partial" in text:
        text = _PARTIAL_NOTE.sub("\\1\n", text)
    return _TRAILING.sub("", text)


# --- page markers ------------------------------------------------------------------------

# 'ROME 00001240 002.2 OF 004', 'NEW DELHI 00005138  002 OF 003', 'PAGE 02 ROME 01196 01 OF 02 082030Z',
# anywhere in a line (10STATE284: 'LIFG, STATE 00000284 002 OF 002 foreign fighters').  The run of
# upper-case words before the serial may hold more than the post; _marker_start decides.
_PAGE_MARKER = re.compile(
    r"(?:(?<=\s)|^)(?:(?P<page>PAGE +\d{1,3} +)(?P<oldrun>(?:[A-Za-z][A-Za-z.'&/-]* +){1,4})\d{4,8} +\d{1,3}"
    r" +OF +\d{1,3}(?: +\d{6}Z)?"
    r"|(?P<run>(?:[A-Za-z][A-Za-z.'&/-]* +){1,4})0\d{7} +\d{3}(?:\.\d)?"
    r"(?: +(?:OF|of|Of) +(?:\d{3}|\d{0,2}\.\.\.)|\.(?=\s*$)))"
    r"(?=\s|$)",
    re.M,
)


def _split_page_markers(
    text: str, banner_post: str | None, removed: list[Removal]
) -> list[tuple[int, str]]:
    """Split the text into numbered lines, page markers replaced by PAGE_BREAK lines or removed in-line."""
    lines = text.split("\n")
    items = [(number, line) for number, line in enumerate(lines, start=1)]
    matches = list(_PAGE_MARKER.finditer(text))
    if not matches:
        return items
    posts = {
        " ".join(m.group("run").split()).upper()
        for m in matches
        if m.group("run") and _at_line_start(text, m.start())
    }
    if banner_post:
        posts.add(banner_post)
    known_posts = sorted(posts, key=len, reverse=True)
    # map each match to its line and column, walking forward once
    spans: dict[int, list[tuple[int, int]]] = {}
    line_index = 0
    line_start = 0
    cursor = 0
    for match in matches:
        newlines = text.count("\n", cursor, match.start())
        if newlines:
            line_index += newlines
            line_start = text.rfind("\n", cursor, match.start()) + 1
        cursor = match.start()
        start = (
            match.start()
            if _at_line_start(text, match.start())
            else _marker_start(match, known_posts)
        )
        spans.setdefault(line_index, []).append((start - line_start, match.end() - line_start))
    result: list[tuple[int, str]] = []
    for index, (number, line) in enumerate(items):
        if index not in spans:
            result.append((number, line))
            continue
        kept: list[str] = []
        last = 0
        for start, end in spans[index]:
            removed.append(Removal(PAGE_MARKER, number, line[start:end].strip()))
            kept.append(line[last:start])
            last = end
        kept.append(line[last:])
        if spans[index][0][0] == 0:
            result.append((number, PAGE_BREAK))
            rest = " ".join(piece.strip() for piece in kept if piece.strip())
            if rest:
                result.append((number, rest))
        else:
            result.append((number, " ".join(piece.strip(" ") for piece in kept if piece.strip())))
    return result


def _at_line_start(text: str, position: int) -> bool:
    return position == 0 or text[position - 1] == "\n"


def _marker_start(match: re.Match[str], known_posts: list[str]) -> int:
    """Where a mid-line marker starts: at the known post that ends its run of words, else its last word.

    An old-style marker starts with PAGE and is removed whole.
    """
    if match.group("page"):
        return match.start()
    run = match.group("run")
    joined = " ".join(run.split()).upper()
    count = 1
    for post in known_posts:
        if joined == post or joined.endswith(" " + post):
            count = len(post.split())
            break
    offsets = [word.start() for word in re.finditer(r"\S+", run)]
    return match.start("run") + offsets[len(offsets) - count]


# --- line shapes ---------------------------------------------------------------------------

_CLASSIFICATION = (
    r"(?:U ?U?N ?C ?L ?A ?S(?: ?S ?I ?F ?I ?E ?D)?|C ?O ?N ?F ?I ?D ?E ?N ?T ?I ?A ?L|S ?E ?C ?R ?E ?T"
    r"|L ?I ?M ?I ?T ?E ?D +O ?F ?F ?I ?C ?I ?A ?L +U ?S ?E)"
)
_BANNER_HEAD = (
    _CLASSIFICATION + r"(?: +(?:E ?F ?T ?O|SENSITIVE|NOFORN))?(?: +SECTION +\d{1,2} +OF +\d{1,2})?"
    r" +(?P<post>[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,3}) +(?P<serial>\d{2,8})\b"
)
# Where the header ends; any case ('S e c r e t nairobi 001938'), possibly followed by captions (10STATE284).
_BANNER = re.compile(r"^ *" + _BANNER_HEAD, re.I)
# A banner inside the body (next section): upper case and alone on its line.
_BODY_BANNER = re.compile(r"^ *" + _BANNER_HEAD + r" *$")
_BARE_CLASSIFICATION = re.compile(r"^ *" + _CLASSIFICATION + r"(?: +[A-Z]{3}\d{3,5})? *$")

_CSV_ROW = re.compile(r"^(?:\d+\t)?\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\t(?:[^\t\n]*\t){4}")
_HEADER_START = re.compile(
    r"^(?:VZCZC\w*|(?:[ZOPR]{2}|[ZOPR] [ZOPR])(?: +R[A-Z0-9]{3,7})+|[ZOPR](?: [ZOPR])? +\d{6}Z ?[A-Z]{3} \d{2}\b.*"
    r"|\d{6}Z [A-Za-z]{3} \d{2}|FM [A-Z].*|TO [A-Z].*|INFO +[A-Z].*|XMT [A-Z].*|DE [A-Z]{4,7} .*"
    r"|ORIGIN [A-Z]+-\d\d.*|ACTION [A-Z]+-\d\d.*)$"
)
_HEADER_LINE = re.compile(
    r"^(?:[^a-z\t]*|\d{6}Z [A-Za-z]{3} \d{2}"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d)$"
)
# Distribution lines of State's own copies, also found inside old multi-section bodies (00HARARE6677).
_DISTRIBUTION = re.compile(
    r"^ *(?:ACTION +[A-Z]+-\d\d *|INFO +LOG-\d\d(?: +[A-Z0-9]+-\d\d)* *(?:/\d+ ?[A-Z])?"
    r"|-{5,}[A-Z0-9]+ +\d{6}Z +/\d+)$"
)
# The record labels of some copies between header and banner ('ID: 190648', 'ORIGIN: 09KUWAIT110').
_RECORD_LABEL = re.compile(r"^(?:ID|ORIGIN|DATE|SOURCE|CLASSIFICATION|MISC|DESTINATION): ")
_DISTRIBUTION_CODE = re.compile(r"\b[A-Z]+-\d\d\b")
_MAX_HEADER_WORDS = 10  # an addressee line is a few words; a longer line is text
_CHROME = re.compile(r"^(?:pdf how-to read a cable)$")

_CAVEAT_WORD = (
    r"(?:SIPDIS|NOFORN|NOCONTRACT|ORCON|PROPIN|EXDIS|LIMDIS|NODIS|STADIS|E ?F ?T ?O|FOUO"
    r"|SENSITIVE(?: BUT UNCLASSIFIED)?|FOR OFFICIAL USE ONLY|NOT FOR INTERNET DISTRIBUTION)"
)
_CAVEAT = re.compile(
    r"^ *" + _CAVEAT_WORD + r"(?:[ ,.;:/-]+" + _CAVEAT_WORD + r")*[ .;,]*"
    r"(?:-* *(?:PLEASE )?(?:HANDLE|PROTECT) ACCORDINGLY\.?)?$",
    re.I,
)
_SIPDIS_WORD = re.compile(r"(?<![\w-])SIPDIS(?![\w-]) ?")
_EO = re.compile(r"^ *E\.? ?O\.? ?\d{4,5}\b", re.I)
_TAGS = re.compile(r"^ *TAGS?\b *:?", re.I)
_SUBJECT = re.compile(r"^ *(?:SUBJ(?:ECT)? *:|SUBJECT\b|SUBJ\b|Subject\b)")
_REF = re.compile(r"^ *(?:REF(?:S|TEL|TELS|ERENCES?)?|Ref\(s\)|Refs?)\b *[:.]?", re.I)
_CLASSIFIED = re.compile(r"^ *(?:\d\. *(?:\([A-Z]+\) *)?)?CLASSIFIED +BY\b", re.I)
_CAPTION_KEY = re.compile(
    r"^ *(?:E\.? ?O\.? ?\d{4,5}\b|TAGS?\b *:?|SUBJ(?:ECT)?\b|REF(?:S|TEL|TELS|ERENCES?)?\b *:|CLASSIFIED +BY\b)",
    re.I,
)
# Captions run together on one line in flattened copies (10STATE284, 09BRASILIA1383).
_INLINE_CAPTION = re.compile(
    r" +(?=SIPDIS\b|E\.O\. ?\d{4,5}\b|EO \d{5}\b|TAGS?:|SUBJECT:|SUBJ:|Classified By:|CLASSIFIED BY:"
    r"|REF(?:TEL)?S?:|1\. ?\((?:U|C|S|SBU)[^)]{0,12}\) )"
)
_NUMBERED = re.compile(r"^ *\d{1,3} ?\.(?!\d)")
_RULE = re.compile(r"^ *[-=_]{3,}[-=_ ]*$")
_TRAILER = re.compile(r"^ *(?:BT|NNNN|#\d{3,6})$")
_TAG_CONTINUATION = re.compile(r"^ *[A-Z0-9][A-Z0-9 ,()/.&'-]{0,60}$")
_REASON_CONTINUATION = re.compile(
    r"^ *(?:[^\w\n]*$|\(? *[a-hA-H] *\)|[a-hA-H]\b|and\b|AND\b|or\b|for\b|FOR\b|[Rr]easons?\b|REASONS?\b"
    r"|[a-zA-Z]{1,4} +1\.[45]\b|1\.[45]\b|\(?[xX]{4,})"
)
_SENTENCE_END = re.compile(r"[.!?:;\"”)]$")
_OPEN_WORDS = frozenset(
    "A AN AND AS AT BUT BY FOR FROM IN OF ON OR THE TO WITH -- - : , ;".split()
)
_CAPS_LINE = re.compile(r"^[^a-z]*[A-Z][^a-z]*$")
_BANNER_ANYWHERE = re.compile(r"^ *" + _BANNER_HEAD, re.I | re.M)
_Continuation = Callable[[list[str], list[tuple[int, str]], int], bool]
# unrecognised lines allowed before a header or banner appears
_TOP_SEARCH_LINES = 12
# passing lines, notes... kept between banner and SUBJECT before the text starts
_MAX_ZONE_TEXT = 30
# text lines after the captions in which a stray caption is still one
_CAPTION_GRACE = 6
# header lines are short; a longer line is text
_MAX_HEADER_LINE = 90


class _Scanner:
    """The line-by-line state machine of strip_artifacts (one instance per call, no shared state)."""

    def __init__(self, items: list[tuple[int, str]], removed: list[Removal]) -> None:
        self.items = items
        self.removed = removed
        self.kept: list[tuple[int, str]] = []
        self.ref_lines: set[int] = set()
        self.subject: str | None = None
        self.state = "top"
        self.top_kept = 0
        self.zone_banner: str | None = None  # normalised banner of the current caption zone
        self.zone_kept_from = 0  # first kept index since that banner
        self.subject_seen = False
        self.zone_other = 0  # unrecognised lines kept in the caption zone
        self.numbered_seen = False
        self.body_lines = 0                   # kept text lines since the last caption zone
        self.captions_seen = False

    def remove(self, category: str, number: int, text: str, *, whole_line: bool = True) -> None:
        self.removed.append(Removal(category, number, text))
        if whole_line:
            self.separate()

    def separate(self) -> None:
        """Keep a blank line where lines were removed, so that kept text around them stays apart."""
        if self.kept and self.kept[-1][1].strip() and self.kept[-1][1] != PAGE_BREAK:
            self.kept.append((self.kept[-1][0], ""))

    def keep(self, number: int, text: str) -> None:
        self.kept.append((number, text))

    def run(self) -> None:
        queue = self.items
        index = 0
        while index < len(queue):
            number, line = queue[index]
            index += 1
            if self.state == "appended":
                self.remove(APPENDED_RECORD, number, line)
                continue
            consumed = getattr(self, "_" + self.state)(queue, index, number, line)
            index = consumed

    # each state handler returns the index of the next line to read

    def _top(self, queue: list[tuple[int, str]], index: int, number: int, line: str) -> int:
        stripped = line.strip()
        if not stripped or line == PAGE_BREAK:
            return index
        if _CHROME.match(stripped):
            self.remove(CHROME, number, line)
            return index
        if _CSV_ROW.match(line) or _HEADER_START.match(stripped):
            self.state = "routing"
            return index - 1
        if _BANNER.match(line) or _CAVEAT.match(line) or _CAPTION_KEY.match(line):
            self.state = "captions"
            return index - 1
        self.keep(number, line)
        self.top_kept += 1
        if self.top_kept > _TOP_SEARCH_LINES:
            self.state = "body"
        return index

    def _routing(self, queue: list[tuple[int, str]], index: int, number: int, line: str) -> int:
        row = _CSV_ROW.match(line)
        if row:
            self.remove(ROUTING, number, row.group())
            queue.insert(index, (number, line[row.end() :]))
            return index
        if "\t" in line:
            first, rest = line.split("\t", 1)
            queue.insert(index, (number, rest))
            line = first
        stripped = line.strip()
        if _BANNER.match(line):
            self.state = "captions"
            return index - 1
        if not stripped:
            following = _next_nonblank(queue, index)
            if following is None:
                return index
            nxt = following.strip()
            if not (
                _BANNER.match(following)
                or _HEADER_START.match(nxt)
                or _CSV_ROW.match(following)
                or _DISTRIBUTION.match(following)
                or nxt.startswith("PAGE ")
                or following == PAGE_BREAK
                or _BARE_CLASSIFICATION.match(following)
            ):
                self.state = "captions"  # no banner: captions may still follow (old cables)
            return index
        if line == PAGE_BREAK:
            return index
        if _RECORD_LABEL.match(line) or (
            len(stripped) <= _MAX_HEADER_LINE
            and not _NUMBERED.match(line)
            and not _CAPTION_KEY.match(line)
            and len(_DISTRIBUTION_CODE.sub("", stripped).split()) <= _MAX_HEADER_WORDS
            and not stripped.endswith(".")
            and (_HEADER_LINE.match(stripped) or _HEADER_START.match(stripped))
        ):
            self.remove(ROUTING, number, line)
            return index
        self.state = "captions"  # something the header cannot hold: keep it
        return index - 1

    def _captions(self, queue: list[tuple[int, str]], index: int, number: int, line: str) -> int:
        self.captions_seen = True
        stripped = line.strip()
        if not stripped or line == PAGE_BREAK:
            self.separate()
            return index
        if "SIPDIS" in line and not _CAVEAT.match(line) and _SIPDIS_WORD.search(line):
            # 08RPODUBAI56: 'SIPDIS, DEA HQ FOR HARRIGAN'
            for match in _SIPDIS_WORD.finditer(line):
                self.remove(CAVEAT, number, match.group(), whole_line=False)
            queue[index - 1] = (number, _SIPDIS_WORD.sub("", line))
            return index - 1   # read the line again without it
        pieces = _INLINE_CAPTION.split(line)
        if len(pieces) > 1:
            queue[index:index] = [(number, piece) for piece in pieces]
            return index
        banner = _BANNER.match(line)
        if banner:
            return self._banner(queue, index, number, line, banner)
        if _CAVEAT.match(line):
            self.remove(CAVEAT, number, line)
            return index
        if _EO.match(line):
            self.remove(EO, number, line)
            return index
        if _TAGS.match(line):
            return self._continued(queue, index, number, line, TAGS, _is_tag_continuation)
        if _SUBJECT.match(line):
            self.subject_seen = True
            return self._continued(queue, index, number, line, SUBJECT, _is_subject_continuation)
        if _CLASSIFIED.match(line) and not _NUMBERED.match(line):
            return self._continued(
                queue, index, number, line, CLASSIFIED_BY, _is_reason_continuation
            )
        if _REF.match(line) and not _REF_WORD_ONLY.match(line):
            return self._reference(queue, index, number, line)
        if _CSV_ROW.match(line) or stripped.startswith("VZCZC"):
            self.state = "routing"
            return index - 1
        if _DISTRIBUTION.match(line):
            self.remove(ROUTING, number, line)
            return index
        if _NUMBERED.match(line) or self.subject_seen or self.zone_other >= _MAX_ZONE_TEXT:
            self.state = "body"
            return index - 1
        if not _RULE.match(line):
            self.zone_other += 1
        self.keep(number, line)
        return index

    def _banner(
        self,
        queue: list[tuple[int, str]],
        index: int,
        number: int,
        line: str,
        banner: re.Match[str],
    ) -> int:
        normalised = " ".join(banner.group().split()).upper()
        if (
            self.zone_banner == normalised
            and not self.numbered_seen
            and self._is_copy(queue, index)
        ):
            # 1.13: the preamble starts again before paragraph 1; drop the first copy's kept lines
            for kept_number, kept_line in self.kept[self.zone_kept_from :]:
                if kept_line != PAGE_BREAK and kept_line.strip():
                    self.remove(PREAMBLE_COPY, kept_number, kept_line)
            del self.kept[self.zone_kept_from :]
            self.ref_lines = {i for i in self.ref_lines if i < self.zone_kept_from}
        self.zone_banner = normalised
        self.zone_kept_from = len(self.kept)
        self.subject_seen = False
        self.zone_other = 0
        self.body_lines = 0
        self.state = "captions"
        self.remove(BANNER, number, banner.group())
        rest = line[banner.end() :]
        if rest.strip():
            queue.insert(index, (number, rest))
        return index

    def _is_copy(self, queue: list[tuple[int, str]], index: int) -> bool:
        """Whether every line kept since the zone's first banner comes again right after this one."""
        first = {_comparable(line) for _, line in self.kept[self.zone_kept_from :]} - {""}
        ahead = {_comparable(line) for _, line in queue[index : index + 3 * len(first) + 40]}
        return first <= ahead

    def _continued(
        self,
        queue: list[tuple[int, str]],
        index: int,
        number: int,
        line: str,
        category: str,
        continues: _Continuation,
    ) -> int:
        parts = [line]
        while index < len(queue) and continues(parts, queue, index):
            parts.append(queue[index][1])
            index += 1
        if category == SUBJECT and _subject_resumes(parts, queue, index):
            # 10SHENYANG4: 'SUBJECT: ... NORTH KOREA AFTER CURRENCY' / '' / 'REFORM'
            parts.extend(line for _, line in queue[index : index + 2])
            index += 2
        text = "\n".join(parts)
        self.remove(category, number, text)
        if category == SUBJECT and self.subject is None:
            self.subject = " ".join(_SUBJECT.sub("", text, count=1).split()) or None
        return index

    def _reference(self, queue: list[tuple[int, str]], index: int, number: int, line: str) -> int:
        self.ref_lines.add(len(self.kept))
        self.keep(number, line)
        while index < len(queue):
            following = queue[index][1]
            if not following.strip() and _REF_ITEM.match(_next_nonblank(queue, index) or ""):
                index += (
                    1  # 07BERN881: 'REF: A. STATE 124823' / '' / 'B. GUHA-CARTER E-MAIL (07SEP07)'
                )
                continue
            if (
                not following.strip()
                or following == PAGE_BREAK
                or _CAPTION_KEY.match(following)
                or _NUMBERED.match(following)
                or _RULE.match(following)
                or _BANNER.match(following)
            ):
                break
            if not _REF_CONTINUATION.match(following):
                break   # 06NEWDELHI5138: the text runs on after a garbled REF line
            self.ref_lines.add(len(self.kept))
            self.keep(*queue[index])
            index += 1
        return index

    def _body(self, queue: list[tuple[int, str]], index: int, number: int, line: str) -> int:
        if line == PAGE_BREAK:
            self.keep(number, line)
            return index
        stripped = line.strip()
        if not stripped:
            self.keep(number, "")
            return index
        if _NUMBERED.match(line):
            self.numbered_seen = True
        elif (not self.numbered_seen and self.captions_seen
              and self.body_lines < _CAPTION_GRACE and _is_stray_caption(line)):
            # a caption after a stray line of the preamble (04MADRID3914: a REF line cut by a blank)
            self.state = "captions"
            return index - 1
        self.body_lines += 1
        if _CSV_ROW.match(line):
            self.state = "appended" if self.numbered_seen or len(self.kept) > 20 else "routing"
            return index - 1
        if stripped.startswith("VZCZC"):
            self.state = "routing"
            return index - 1
        banner = _BODY_BANNER.match(line)
        if banner:
            return self._banner(queue, index, number, line, banner)
        if _BARE_CLASSIFICATION.match(line):
            self.remove(BANNER, number, line)
            return index
        if _CAVEAT.match(line):
            self.remove(CAVEAT, number, line)
            return index
        if _TRAILER.match(line) or _DISTRIBUTION.match(line):
            self.remove(TRAILER if _TRAILER.match(line) else ROUTING, number, line)
            return index
        if "SIPDIS" in line:
            for match in _SIPDIS_WORD.finditer(line):
                self.remove(CAVEAT, number, match.group(), whole_line=False)
            line = _SIPDIS_WORD.sub("", line)
        if self.subject and _SUBJECT.match(line) and self._after_page_break():
            line = self._page_subject(number, line)
            if not line.strip():
                return index
        self.keep(number, line)
        return index

    def _after_page_break(self) -> bool:
        for _, kept_line in reversed(self.kept):
            if kept_line == PAGE_BREAK:
                return True
            if kept_line.strip():
                return False
        return False

    def _page_subject(self, number: int, line: str) -> str:
        """Drop the SUBJECT a page repeats (possibly cut short and glued to the text); keep the rest."""
        assert self.subject is not None
        head = _SUBJECT.match(line)
        assert head is not None
        subject_words = self.subject.split()
        rest = line[head.end() :]
        words = list(re.finditer(r"\S+", rest))
        matched = 0
        for position, word in enumerate(words):
            if position >= len(subject_words):
                break
            if word.group() == subject_words[position]:
                matched = position + 1
            elif subject_words[position].startswith(word.group()):
                matched = position + 1
                break
            else:
                break
        if matched < min(3, len(subject_words)):
            return line
        cut = head.end() + words[matched - 1].end()
        self.remove(PAGE_SUBJECT, number, line[:cut].strip())
        return line[cut:].strip()


# A REF line goes on with items ('B. MADRID 707', 'D) RIGA 514'), ids and dates; text stops it.
_REF_CONTINUATION = re.compile(r"^ *(?:\(?[A-Za-z]\)|[A-Za-z]\.|[^a-z]*$|.*\d)")
_REF_ITEM = re.compile(r"^ *(?:\(?[A-Za-z]\)|[A-Za-z]\.) *\S")
_REF_WORD_ONLY = re.compile(r"^ *(?:REF|REFTEL|Ref|Reftel)\b(?! *[:.])(?= +[a-z])")


def _comparable(line: str) -> str:
    """A line for comparing two copies of the preamble: rules of any length are alike (1.13)."""
    if line == PAGE_BREAK:
        return ""
    return "---" if _RULE.match(line) else " ".join(line.split())


def _is_stray_caption(line: str) -> bool:
    """A caption line the caption zone removes (so that handing it back cannot loop)."""
    return bool(
        _EO.match(line)
        or (_CLASSIFIED.match(line) and not _NUMBERED.match(line))
        or re.match(r"^ *(?:TAGS?\b|Tags:)", line)
        or re.match(r"^ *(?:SUBJ(?:ECT)?\b|Subject:)", line)
    )


def _next_nonblank(queue: list[tuple[int, str]], index: int) -> str | None:
    for position in range(index, min(len(queue), index + 6)):
        if queue[position][1].strip():
            return queue[position][1]
    return None


def _is_heading_line(queue: list[tuple[int, str]], index: int) -> bool:
    """True when the line just read is followed by a rule, i.e. it is a section heading."""
    following = _next_nonblank(queue, index)
    return following is not None and bool(_RULE.match(following))


def _ends_caption(line: str) -> bool:
    return (
        not line.strip()
        or line == PAGE_BREAK
        or bool(_CAPTION_KEY.match(line))
        or bool(_NUMBERED.match(line))
        or bool(_RULE.match(line))
        or bool(_BANNER.match(line))
        or bool(_CAVEAT.match(line))
    )


def _is_tag_continuation(parts: list[str], queue: list[tuple[int, str]], index: int) -> bool:
    line = queue[index][1]
    if _ends_caption(line):
        return False
    if parts[-1].rstrip().endswith(","):
        return True
    return (
        bool(_TAG_CONTINUATION.match(line))
        and len(line.split()) <= 6
        and not _SENTENCE_END.search(line)
    )


def _is_subject_continuation(parts: list[str], queue: list[tuple[int, str]], index: int) -> bool:
    line = queue[index][1]
    if _ends_caption(line) or _is_heading_line(queue, index + 1) or len(parts) >= 4:
        return False
    # a subject wraps only when its line was long; a short line ends it
    return len(parts[-1].strip()) >= 40 or parts[-1].rstrip().endswith(
        (",", ":", "-", "/", "AND", "OF", "THE")
    )


def _subject_resumes(parts: list[str], queue: list[tuple[int, str]], index: int) -> bool:
    """An upper-case subject cut by one blank line before its last short line."""
    if index + 2 > len(queue) or queue[index][1].strip() or not _CAPS_LINE.match(parts[-1]):
        return False
    line = queue[index + 1][1]
    after = queue[index + 2][1] if index + 2 < len(queue) else ""
    if _SENTENCE_END.search(parts[-1].rstrip()) or not _CAPS_LINE.match(line) or _ends_caption(line):
        return False
    if parts[-1].split()[-1] in _OPEN_WORDS and len(line.strip()) <= 70:
        return True   # 09LONDON1946: '... HOLDS EMERGENCY' / 'SESSION AS' / '' / 'DEBATE OVER ...'
    return (
        len(line.strip()) <= 30
        and len(line.split()) <= 3
        and (not after.strip() or bool(_CAPTION_KEY.match(after)))
    )


def _is_reason_continuation(parts: list[str], queue: list[tuple[int, str]], index: int) -> bool:
    line = queue[index][1]
    if _ends_caption(line) or len(parts) >= 3 or len(line.strip()) > 45:
        return False
    return bool(_REASON_CONTINUATION.match(line))


def strip_artifacts(text: str) -> Stripped:
    """Remove the transmission artifacts from a normalised telegram text (see normalise_text)."""
    removed: list[Removal] = []
    banner = _BANNER_ANYWHERE.search(text, 0, 20000)
    banner_post = " ".join(banner.group("post").split()).upper() if banner else None
    items = _split_page_markers(text, banner_post, removed)
    scanner = _Scanner(items, removed)
    scanner.run()
    lines = tuple(line for _, line in scanner.kept)
    numbers = tuple(number for number, _ in scanner.kept)
    return Stripped(lines, numbers, tuple(removed), frozenset(scanner.ref_lines), scanner.subject)
