"""The kept lines of a telegram -> blocks: numbered paragraphs, headings, lists, tables, REF lines.

Cables are hard-wrapped at about 70 columns, paragraphs are numbered `1. (C)`,
headings are short lines underlined with dashes, lists use `--`, `-`, `a)`,
`(1)`, and tables are aligned with spaces (cable-format.md 1.11).  A sentence
cut by a page marker or a stray blank line (09ROME1240, paragraphs 3, 4 and
11) is joined again.  Blocks are working values of parse_body only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.parse_artifacts import PAGE_BREAK, Stripped


@dataclass(slots=True)
class Block:
    """One Markdown block in the making.

    kind: 'paragraph' (number and mark set for numbered paragraphs), 'heading',
    'item' (text keeps a lettered label: 'a) text'), 'ref', 'table', 'rule'.
    `text` is the joined text of paragraphs, headings and items; `lines` the
    lines of REF blocks and tables.
    """

    kind: str
    text: str = ""
    number: int | None = None
    mark: str | None = None
    lines: list[str] = field(default_factory=list)
    list_style: str | None = None  # for items: the label style, to follow a list's sequence
    label: int | None = None


# '1. (C) text', '1.(C)', '11.  ( C ) text', '5.(C/REL LIBYA) text', '2. text'
_NUMBERED = re.compile(r"^ *(\d{1,3}) ?\.(?!\d) *(.*)$")
_PORTION_MARK = re.compile(
    r"^(\( *(?:U|SBU|C|S|TS|LOU|FOUO|CUI)(?: *(?://?|-) *[A-Za-z][A-Za-z ,/.-]{0,30}?)? *\))(?: +|$|(?=\S))",
    re.I,
)
_RULE = re.compile(r"^ *[-=_]{3,}[-=_ ]*$")
_DASH_ITEM = re.compile(r"^ *(?:--? +|--(?=[A-Za-z(\"“'])|[•*–] +)(?=\S)")
_LETTER_ITEM = re.compile(
    r"^ *(?:\((?P<paren>[a-zA-Z]|[ivx]{1,4}|[IVX]{1,4}|\d{1,2})\)|(?P<half>[a-zA-Z]|\d{1,2})\)|(?P<dot>[a-zA-Z])\.)(?= +\S)"
)
_TABULAR_GAP = re.compile(r"[^\s.:;?!,](?: {3,}|\t+)(?=\S)")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$|[\"”]$")
_SPACES = re.compile(r"\s+")
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}
_MAX_HEADING = 80
_MAX_FIRST_NUMBER = (
    20  # a first paragraph number beyond this is a number in the text ('2010. An October')
)
_MAX_NUMBER_SKIP = 3  # paragraphs may be missing from a released copy


def build_blocks(stripped: Stripped) -> list[Block]:
    """Group the kept lines into blocks."""
    return _Builder(stripped).run()


class _Builder:
    def __init__(self, stripped: Stripped) -> None:
        self.lines = stripped.lines
        self.ref_lines = stripped.ref_lines
        self.blocks: list[Block] = []
        self.current: Block | None = None  # the block that accepts continuation lines
        self.current_parts: list[str] = []
        self.gap: str | None = None  # 'blank' or 'page' since the current block's last line
        self.last_number: int | None = None
        self.tabular = [bool(_TABULAR_GAP.search(line)) for line in self.lines]

    def run(self) -> list[Block]:
        index = 0
        count = len(self.lines)
        while index < count:
            line = self.lines[index]
            if line == PAGE_BREAK:
                self.gap = "page"
                index += 1
                continue
            if not line.strip():
                if self.gap is None:
                    self.gap = "blank"
                index += 1
                continue
            index = self.line(index, line)
        self.close()
        return self.blocks

    # --- one content line; returns the next index ---

    def line(self, index: int, line: str) -> int:
        if index in self.ref_lines:
            return self.reference(index)
        table_end = self.table_end(index)
        if table_end > index:
            self.close()
            self.blocks.append(Block("table", lines=list(self.lines[index:table_end])))
            self.gap = None
            return table_end
        if _RULE.match(line):
            self.close()
            if not self.blocks or self.blocks[-1].kind not in ("rule", "heading"):
                if not self.is_heading(index + 1, after_rule=True):
                    self.blocks.append(Block("rule"))
            self.gap = "blank"
            return index + 1
        at_start = self.current is None or self.gap is not None
        heading_end = self.heading_end(index) if at_start or self.previous_is_rule(index) else 0
        if heading_end:
            self.close()
            self.blocks.append(Block("heading", text=_SPACES.sub(" ", line).strip()))
            self.gap = "blank"
            return heading_end
        numbered = self.numbered(line)
        if numbered is not None:
            self.close()
            number, mark, text = numbered
            self.last_number = number
            self.open(Block("paragraph", number=number, mark=mark), text)
            return index + 1
        item = self.item(line)
        if item is not None:
            self.close()
            self.open(item, item.text)
            return index + 1
        if self.current is not None and (self.gap is None or self.joins(line)):
            self.current_parts.append(line.strip())
            self.gap = None
            return index + 1
        self.close()
        self.open(Block("paragraph"), line.strip())
        return index + 1

    def open(self, block: Block, text: str) -> None:
        self.current = block
        self.current_parts = [text] if text else []
        self.gap = None

    def close(self) -> None:
        if self.current is not None:
            self.current.text = _SPACES.sub(" ", " ".join(self.current_parts)).strip()
            self.blocks.append(self.current)
        self.current = None
        self.current_parts = []

    # --- shapes ---

    def reference(self, index: int) -> int:
        self.close()
        end = index
        while end < len(self.lines) and end in self.ref_lines:
            end += 1
        self.blocks.append(
            Block("ref", lines=[line for line in self.lines[index:end] if line.strip()])
        )
        self.gap = "blank"
        return end

    def table_end(self, index: int) -> int:
        """End of a fixed-width table starting here (index itself when there is none)."""
        if not self.tabular[index]:
            return index
        end = index
        gaps = 0
        while end < len(self.lines) and self.tabular[end] and self.lines[end] != PAGE_BREAK:
            gaps += len(_TABULAR_GAP.findall(self.lines[end]))
            end += 1
        rows = end - index
        if rows >= 3 or (rows == 2 and gaps >= 4):
            return end
        return index

    def previous_is_rule(self, index: int) -> bool:
        return index > 0 and bool(_RULE.match(self.lines[index - 1]))

    def heading_end(self, index: int) -> int:
        """After a heading line and its underline: the next index; 0 when the line is no heading."""
        line = self.lines[index].strip()
        if len(line) > _MAX_HEADING or len(line.split()) > 12 or _RULE.match(line):
            return 0
        following = index + 1
        if following < len(self.lines) and _RULE.match(self.lines[following]):
            return following + 1
        # 'Summary' / '' / '-------' / '' (10BOGOTA13): an underline after one blank line, not framing a line
        if (
            following + 1 < len(self.lines)
            and not self.lines[following].strip()
            and _RULE.match(self.lines[following + 1])
            and (following + 2 >= len(self.lines) or not self.lines[following + 2].strip())
        ):
            return following + 2
        return 0

    def is_heading(self, index: int, *, after_rule: bool) -> bool:
        return (
            index < len(self.lines)
            and self.lines[index].strip() != ""
            and bool(self.heading_end(index))
        )

    def numbered(self, line: str) -> tuple[int, str | None, str] | None:
        match = _NUMBERED.match(line)
        if not match:
            return None
        number = int(match.group(1))
        if self.last_number is None:
            if number > _MAX_FIRST_NUMBER or number == 0:
                return None
        elif not self.last_number < number <= self.last_number + _MAX_NUMBER_SKIP:
            return None
        if not (
            self.current is None
            or self.gap is not None
            or _SENTENCE_END.search(self.current_parts[-1] if self.current_parts else ".")
        ):
            return None
        rest = match.group(2)
        mark_match = _PORTION_MARK.match(rest)
        mark = None
        if mark_match:
            mark = "(" + " ".join(mark_match.group(1)[1:-1].split()) + ")"
            rest = rest[mark_match.end() :]
        return number, mark, rest.strip()

    def item(self, line: str) -> Block | None:
        previous_open = (
            self.current is None
            or self.gap is not None
            or (bool(self.current_parts) and bool(_SENTENCE_END.search(self.current_parts[-1])))
            or (self.current is not None and self.current.kind == "item")
        )
        if not previous_open:
            return None
        dash = _DASH_ITEM.match(line)
        if dash:
            return Block("item", text=line[dash.end() :].strip(), list_style="dash")
        letter = _LETTER_ITEM.match(line)
        if not letter:
            return None
        style, label = _label(letter)
        previous = (
            self.current
            if self.current is not None and self.current.kind == "item"
            else (self.blocks[-1] if self.blocks and self.blocks[-1].kind == "item" else None)
        )
        follows = (
            previous is not None and previous.list_style == style and previous.label == label - 1
        )
        if not (label == 1 or follows):
            return None
        return Block("item", text=line.strip(), list_style=style, label=label)

    def joins(self, line: str) -> bool:
        """Whether a line after a blank line or page break continues the current block's sentence."""
        assert self.current is not None
        if self.current.kind not in ("paragraph", "item") or not self.current_parts:
            return False
        if _SENTENCE_END.search(self.current_parts[-1]):
            return self.gap == "page" and line.lstrip()[:1].islower()
        first = line.lstrip()[:1]
        return self.gap == "page" or first.islower() or first.isdigit()


def _label(match: re.Match[str]) -> tuple[str, int]:
    """('paren-alpha', 2) for '(b)', ('half-digit', 3) for '3)', ('dot-alpha', 1) for 'a.'."""
    for group in ("paren", "half", "dot"):
        value = match.group(group)
        if value is None:
            continue
        if value.isdigit():
            return f"{group}-digit", int(value)
        if value.lower() in _ROMAN and value.lower() != "i" and len(value) > 1:
            return f"{group}-roman", _ROMAN[value.lower()]
        case = "upper" if value.isupper() else "lower"
        return f"{group}-alpha-{case}", ord(value.lower()) - ord("a") + 1
    raise AssertionError("a letter item matched no label group")
