"""The shapes of telegram lines that parse_artifacts looks for, and small tests on lines.

Banner, caveats, E.O., TAGS, SUBJECT, REF and Classified By captions, header
lines, distribution lines, rules and numbered paragraphs (cable-format.md,
section 1), written as regular expressions that are tried with `match` at the
start of a line, plus the tests that decide whether a caption goes on to the
next line.  Shared by parse_artifacts only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from generator.parse_normalise import PAGE_BREAK

# --- line shapes ---------------------------------------------------------------------------

CLASSIFICATION = (
    r"(?:U ?U?N ?C ?L ?A ?S(?: ?S ?I ?F ?I ?E ?D)?|C ?O ?N ?F ?I ?D ?E ?N ?T ?I ?A ?L"
    r"|S ?E ?C ?R ?E ?T"
    r"|L ?I ?M ?I ?T ?E ?D +O ?F ?F ?I ?C ?I ?A ?L +U ?S ?E)"
)
BANNER_HEAD = (
    CLASSIFICATION + r"(?: +(?:E ?F ?T ?O|SENSITIVE|NOFORN))?(?: +SECTION +\d{1,2} +OF +\d{1,2})?"
    r" +(?P<post>[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,3}) +(?P<serial>\d{2,8})\b"
)
# Where the header ends; any case ('S e c r e t nairobi 001938'), maybe with captions (10STATE284).
BANNER = re.compile(r" *" + BANNER_HEAD, re.I)
# A banner inside the body (next section): upper case and alone on its line.
BODY_BANNER = re.compile(r" *" + BANNER_HEAD + r" *$")
BARE_CLASSIFICATION = re.compile(r" *" + CLASSIFICATION + r"(?: +[A-Z]{3}\d{3,5})? *$")
BANNER_START = (
    "C O N",
    "C ON",
    "CONFIDENTIAL",
    "Confidential",
    "confidential",
    "S E C",
    "SE C",
    "SECRET",
    "Secret",
    "S e c",
    "UNCLAS",
    "UUNCLAS",
    "Unclas",
    "UN CLAS",
    "U N C",
    "LIMITED",
    "L I M",
)

# the DTG line of a header: 'R 171512Z JAN 90', 'P R 041820Z JAN 10'
DTG_LINE = re.compile(r"[ZOPR](?: [ZOPR])? +\d{6}Z ?[A-Z]{3} \d{2}\b")
CSV_ROW = re.compile(r"(?:\d+\t)?\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\t(?:[^\t\n]*\t){4}")
HEADER_START = re.compile(
    r"(?:VZCZC\w*|(?:[ZOPR]{2}|[ZOPR] [ZOPR])(?: +R[A-Z0-9]{3,7})+"
    r"|[ZOPR](?: [ZOPR])? +\d{6}Z ?[A-Z]{3} \d{2}\b.*"
    r"|\d{6}Z [A-Za-z]{3} \d{2}|FM [A-Z].*|TO [A-Z].*|INFO +[A-Z].*|XMT [A-Z].*|DE [A-Z]{4,7} .*"
    r"|ORIGIN [A-Z]+-\d\d.*|ACTION [A-Z]+-\d\d.*)$"
)
# A header line: short, no lower case (but 'Nov 00' DTGs and weekday dates), no text, no caption.
HEADER_LINE = re.compile(
    r"(?! *\d{1,3} ?\.(?!\d))(?! *(?:E\.? ?O\.? ?\d|TAGS|SUBJ|CLASSIFIED BY))"
    r"(?:[^a-z\t\n]{0,90}(?<!\.)|\d{6}Z [A-Za-z]{3} \d{2}"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d)$"
)
# A block of header lines (checked in one go), and where a banner may start a line.
# Each line atomic: a blank line matched two ways (empty line or no line), and a block of
# blank lines that fails at its end backtracked 2^n ways (a hang found by fuzzing)
HEADER_REGION = re.compile(
    r"(?:(?>(?:" + HEADER_LINE.pattern.removesuffix("$") + r")?(?:\n|$)))*"
)
BANNER_LINE = re.compile(
    r"\n\x0c? *(?:C ?O ?N ?F|S ?E ?C ?R ?E ?T|SE C R|U ?U?N ?C ?L ?A ?S|L ?I ?M ?I ?T)", re.I
)
# Distribution lines of State's own copies, also inside old multi-section bodies (00HARARE6677).
DISTRIBUTION = re.compile(
    r" *(?:ACTION +[A-Z]+-\d\d *|INFO +LOG-\d\d(?: +[A-Z0-9]+-\d\d)* *(?:/\d+ ?[A-Z])?"
    r"|-{5,}[A-Z0-9]+ +\d{6}Z +/\d+)$"
)
DISTRIBUTION_CODE = re.compile(r"\b[A-Z]+-\d\d\b")
# The record labels of some copies between header and banner ('ID: 190648', 'ORIGIN: 09KUWAIT110').
RECORD_LABEL = re.compile(r"(?:ID|ORIGIN|DATE|SOURCE|CLASSIFICATION|MISC|DESTINATION): ")
CHROME = ("pdf how-to read a cable",)

CAVEAT_WORD = (
    r"(?:SIPDIS|NOFORN|NOCONTRACT|ORCON|PROPIN|EXDIS|LIMDIS|NODIS|STADIS|E ?F ?T ?O|FOUO"
    r"|SENSITIVE(?: BUT UNCLASSIFIED)?|FOR OFFICIAL USE ONLY|NOT FOR INTERNET DISTRIBUTION)"
)
CAVEAT = re.compile(
    r" *" + CAVEAT_WORD + r"(?:[ ,.;:/-]+" + CAVEAT_WORD + r")*[ .;,]*"
    r"(?:-* *(?:PLEASE )?(?:HANDLE|PROTECT) ACCORDINGLY\.?)?$",
    re.I,
)
SIPDIS_WORD = re.compile(r"SIPDIS(?<![\w-]SIPDIS)(?![\w-]) ?")
EO = re.compile(r" *E\.? ?O\.? ?\d{4,5}\b", re.I)
TAGS = re.compile(r" *TAGS?\b *:?", re.I)
SUBJECT = re.compile(r" *(?:SUBJ(?:ECT)? *:|SUBJECT\b|SUBJ\b|Subject\b)")
REF = re.compile(r" *(?:REF(?:S|TEL|TELS|ERENCES?)?|Ref\(s\)|Refs?)\b *[:.]?", re.I)
REF_WORD_ONLY = re.compile(r" *(?:REF|REFTEL|Ref|Reftel)\b(?! *[:.])(?= +[a-z])")
REF_ITEM = re.compile(r" *(?:\(?[A-Za-z]\)|[A-Za-z]\.) *\S")
# A REF line goes on with items ('B. MADRID 707', 'D) RIGA 514'), ids and dates; text stops it.
REF_CONTINUATION = re.compile(r" *(?:\(?[A-Za-z]\)|[A-Za-z]\.|[^a-z]*$|.*\d)")
CLASSIFIED = re.compile(r" *(?:\d\. *(?:\([A-Z]+\) *)?)?CLASSIFIED +BY\b", re.I)
CAPTION_KEY = re.compile(
    r" *(?:E\.? ?O\.? ?\d{4,5}\b|TAGS?\b *:?|SUBJ(?:ECT)?\b|REF(?:S|TEL|TELS|ERENCES?)?\b *:"
    r"|CLASSIFIED +BY\b)",
    re.I,
)
CAVEAT_FIRST = frozenset("SNOPELF")  # first letters of the caveat words
STRAY_CAPTION = re.compile(
    r" *(?:E\.? ?O\.? ?\d{4,5}\b|TAGS?\b|Tags:|SUBJ(?:ECT)?\b|Subject:)", re.I
)
# Captions run together on one line in flattened copies (10STATE284, 09BRASILIA1383).
INLINE_CAPTION = re.compile(
    r" +(?=SIPDIS\b|E\.O\. ?\d{4,5}\b|EO \d{5}\b|TAGS?:|SUBJECT:|SUBJ:"
    r"|Classified By:|CLASSIFIED BY:"
    r"|REF(?:TEL)?S?:|1\. ?\((?:U|C|S|SBU)[^)]{0,12}\) )"
)
NUMBERED = re.compile(r" *\d{1,3} ?\.(?!\d)")
RULE = re.compile(r" *[-=_]{3,}[-=_ ]*$")
TRAILER = re.compile(r" *(?:BT|NNNN|#\d{3,6})$")
TAG_CONTINUATION = re.compile(r" *[A-Z0-9][A-Z0-9 ,()/.&'-]{0,60}$")
REASON_CONTINUATION = re.compile(
    r" *(?:[^\w\n]*$|\(? *[a-hA-H] *\)|[a-hA-H]\b|and\b|AND\b|or\b|for\b|FOR\b"
    r"|[Rr]easons?\b|REASONS?\b"
    r"|[a-zA-Z]{1,4} +1\.[45]\b|1\.[45]\b|\(?[xX]{4,})"
)
SENTENCE_END = re.compile(r"[.!?:;\"”)]$")
OPEN_WORDS = frozenset(
    [
        "A",
        "AN",
        "AND",
        "AS",
        "AT",
        "BUT",
        "BY",
        "FOR",
        "FROM",
        "IN",
        "OF",
        "ON",
        "OR",
        "THE",
        "TO",
        "WITH",
        "--",
        "-",
        ":",
        ",",
        ";",
    ]
)
CAPS_LINE = re.compile(r"[^a-z]*[A-Z][^a-z]*$")
# First characters of every line the body can hold an artifact on (a cheap test before any regex).
BODY_SPECIAL = (
    *BANNER_START,
    "SIPDIS",
    "Sipdis",
    "sipdis",
    "NOFORN",
    "SENSITIVE",
    "Sensitive",
    "EXDIS",
    "LIMDIS",
    "NODIS",
    "STADIS",
    "NOCONTRACT",
    "ORCON",
    "PROPIN",
    "E F T O",
    "EFTO",
    "FOUO",
    "FOR OFFICIAL",
    "BT",
    "NNNN",
    "#",
    "VZCZC",
    "ACTION ",
    "INFO ",
    "---",
    "SUBJ",
    "Subj",
    "E.O",
    "E. O",
    "EO ",
    "E.o",
    "TAGS",
    "Tags",
    "TAG ",
    "Classified",
    "CLASSIFIED",
    PAGE_BREAK,
)
# A line start that may hold a body artifact; the regex starts with a newline, so it skips fast.
BODY_SPECIAL_LINE = re.compile(
    "\n\x0c?(?: *(?:"
    + "|".join(re.escape(prefix) for prefix in BANNER_START)
    + ")|"
    + "|".join(
        re.escape(prefix)
        for prefix in BODY_SPECIAL
        if prefix not in BANNER_START and prefix != PAGE_BREAK
    )
    + r"|\d+\t|\d{4}-\d\d-\d\d \d\d:\d\d|[ZOPR](?: [ZOPR])? \d{6}Z )"
)
Continuation = Callable[[list[str], list[str], int], bool]

TOP_SEARCH_LINES = 12  # unrecognised lines allowed before a header or banner appears
MAX_ZONE_TEXT = 30  # passing lines, notes... kept between banner and SUBJECT
CAPTION_GRACE = 6  # text lines after the captions in which a stray caption is still one
MAX_HEADER_WORDS = 10  # an addressee line is a few words; a longer line is text
MAX_HEADER_LINES = 400  # a header longer than this is read line by line
APPENDED_AFTER = 20  # text lines after which a cables.csv row is another cable


def body_candidates(lines: list[str], start: int, stop: int | None = None) -> list[int]:
    """Indexes of the lines from `start` (to `stop`) that may hold an artifact, in order."""
    text = "\n" + "\n".join(lines[start:stop])
    positions = [match.start() for match in BODY_SPECIAL_LINE.finditer(text)]
    if "SIPDIS" in text:
        positions.extend(text.rfind("\n", 0, match.start()) for match in SIPDIS_WORD.finditer(text))
        positions = sorted(set(positions))
    candidates: list[int] = []
    line = start - 1
    cursor = 0
    for position in positions:
        line += text.count("\n", cursor, position + 1)
        cursor = position + 1
        candidates.append(line)
    return candidates


def is_header_line(text: str) -> bool:
    if RECORD_LABEL.match(text):
        return True
    if not (HEADER_LINE.match(text) or HEADER_START.match(text)):
        return False
    return (
        text.count(" ") < MAX_HEADER_WORDS
        or len(DISTRIBUTION_CODE.sub("", text).split()) <= MAX_HEADER_WORDS
    )


def continues_header(line: str) -> bool:
    """After a blank line inside the header: does the header go on?"""
    text = line.strip(" " + PAGE_BREAK)
    return (
        not text
        or bool(BANNER.match(line))
        or bool(HEADER_START.match(text))
        or bool(CSV_ROW.match(line))
        or bool(DISTRIBUTION.match(line))
        or text.startswith("PAGE ")
        or bool(BARE_CLASSIFICATION.match(line))
    )


def may_hold_captions(text: str) -> bool:
    """A cheap test before INLINE_CAPTION: does the line name a caption after its start?"""
    return " " in text and (
        "SIPDIS" in text
        or "E.O." in text
        or "EO 1" in text
        or "TAGS" in text
        or "SUBJ" in text
        or "lassified" in text
        or "LASSIFIED" in text
        or "REF" in text
        or ". (" in text
        or ".(" in text
    )


def subject_text(removed: str) -> str | None:
    return " ".join(SUBJECT.sub("", removed, count=1).split()) or None


def comparable(line: str) -> str:
    """A line for comparing two copies of the preamble: rules of any length are alike (1.13)."""
    text = line.strip(" " + PAGE_BREAK)
    return "---" if text and RULE.match(text) else " ".join(text.split())


def next_nonblank(lines: list[str], index: int) -> str | None:
    for position in range(index, min(len(lines), index + 6)):
        if lines[position].strip(" " + PAGE_BREAK):
            return lines[position]
    return None


def is_heading_line(lines: list[str], index: int) -> bool:
    """True when the line before `index` is followed by a rule, i.e. it is a section heading."""
    following = next_nonblank(lines, index)
    return following is not None and bool(RULE.match(following))


def ends_caption(line: str) -> bool:
    """Whether a line ends a caption: blank, a page break, another caption, a paragraph."""
    text = line.lstrip()
    if not text or line.startswith(PAGE_BREAK):
        return True
    first = text[0].upper()
    return bool(
        (first in "ETSRC" and CAPTION_KEY.match(text))
        or (first.isdigit() and NUMBERED.match(text))
        or (first in "-=_" and RULE.match(text))
        or (first in "CSUL" and BANNER.match(text))
        or (first in CAVEAT_FIRST and CAVEAT.match(text))
    )


def is_tag_continuation(parts: list[str], lines: list[str], index: int) -> bool:
    line = lines[index]
    if ends_caption(line):
        return False
    if parts[-1].rstrip().endswith(","):
        return True
    return (
        bool(TAG_CONTINUATION.match(line))
        and len(line.split()) <= 6
        and not SENTENCE_END.search(line)
    )


def is_subject_continuation(parts: list[str], lines: list[str], index: int) -> bool:
    line = lines[index]
    if ends_caption(line) or is_heading_line(lines, index + 1) or len(parts) >= 4:
        return False
    # a subject wraps only when its line was long; a short line ends it
    return len(parts[-1].strip()) >= 40 or parts[-1].rstrip().endswith(
        (",", ":", "-", "/", "AND", "OF", "THE")
    )


def subject_resumes(parts: list[str], lines: list[str], index: int) -> bool:
    """An upper-case subject cut by one blank line before its last line."""
    if index + 2 > len(lines) or lines[index].strip() or not CAPS_LINE.match(parts[-1]):
        return False
    line = lines[index + 1]
    after = lines[index + 2] if index + 2 < len(lines) else ""
    if SENTENCE_END.search(parts[-1].rstrip()) or not CAPS_LINE.match(line) or ends_caption(line):
        return False
    if parts[-1].split()[-1] in OPEN_WORDS and len(line.strip()) <= 70:
        return True  # 09LONDON1946: '... HOLDS EMERGENCY' / 'SESSION AS' / '' / 'DEBATE OVER ...'
    return (
        len(line.strip()) <= 30
        and len(line.split()) <= 3
        and (not after.strip() or bool(CAPTION_KEY.match(after)))
    )


def is_reason_continuation(parts: list[str], lines: list[str], index: int) -> bool:
    line = lines[index]
    if ends_caption(line) or len(parts) >= 3 or len(line.strip()) > 45:
        return False
    return bool(REASON_CONTINUATION.match(line))
