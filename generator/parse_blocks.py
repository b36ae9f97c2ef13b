"""The kept lines of a telegram -> blocks: numbered paragraphs, headings, lists, tables, REF lines.

Cables are hard-wrapped at about 70 columns, paragraphs are numbered `1. (C)`,
headings are short lines underlined with dashes, lists use `--`, `-`, `a)`,
`(1)`, and tables are aligned with spaces (cable-format.md 1.11).  A sentence
cut by a page marker or a stray blank line (09ROME1240, paragraphs 3, 4 and
11) is joined again.  Blocks are working values of parse_body only.

Most lines are plain continuation lines; they are told apart by their first
characters before any regular expression runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.parse_blocks_shapes import (
    DASH_ITEM,
    FRAMED_HEADING,
    GLUED,
    ITEM_FIRST,
    LETTER_ITEM,
    MAX_FIRST_NUMBER,
    MAX_HEADING,
    MAX_MARKED_SKIP,
    MAX_NUMBER_SKIP,
    NUMBERED,
    PORTION_MARK,
    RULE,
    RULE_FIRST,
    STRUCTURE_FIRST,
    TABULAR_GAP,
    ends_sentence,
    item_label,
    normal_mark,
)
from generator.parse_normalise import PAGE_BREAK


@dataclass(slots=True)
class Block:
    """One Markdown block in the making.

    kind: 'paragraph' (number and mark set for numbered paragraphs), 'heading',
    'item' (text keeps a lettered label: 'a) text'), 'ref', 'table', 'rule'.
    `text` is the joined text of paragraphs, headings and items; `lines` the
    lines of REF blocks and tables, and the parts of a block being built.
    """

    kind: str
    text: str = ""
    number: int | None = None
    mark: str | None = None
    lines: list[str] | None = None
    list_style: str | None = None  # for items: the label style, to follow a list's sequence
    label: int | None = None


def build_blocks(lines: list[str], ref_lines: frozenset[int]) -> list[Block]:
    """Group the kept lines (artifacts blanked, see parse_artifacts) into blocks."""
    return _Builder(lines, ref_lines).run()


class _Builder:
    def __init__(self, lines: list[str], ref_lines: frozenset[int]) -> None:
        self.lines = lines
        self.ref_lines = ref_lines
        self.blocks: list[Block] = []
        self.current: Block | None = None  # the block that takes continuation lines
        self.parts: list[str] = []  # its lines so far
        self.gap: str | None = None  # 'blank' or 'page' since the current block's last line
        self.last_number: int | None = None

    def run(self) -> list[Block]:
        lines = self.lines
        count = len(lines)
        index = 0
        ref_lines = self.ref_lines
        parts = self.parts
        while index < count:
            line = lines[index]
            if not line:
                if self.gap is None:
                    self.gap = "blank"
                index += 1
                continue
            if (
                self.gap is None
                and self.current is not None
                and line[0] not in STRUCTURE_FIRST
                and line[1:2] not in (".", ")")
                and "   " not in line
                and "\t" not in line
                and not (ref_lines and index in ref_lines)
                and index + 1 < count
                and lines[index + 1][:1] not in RULE_FIRST
            ):
                parts.append(line)  # the common case: the next line of a paragraph
                index += 1
                continue
            if line[0] == PAGE_BREAK:
                self.gap = "page"
                line = line.lstrip(PAGE_BREAK)
                if not line.strip():
                    index += 1
                    continue
            index = self.line(index, line)
            parts = self.parts
        self.close()
        return self.blocks

    # --- one line of text; returns the next index

    def line(self, index: int, line: str) -> int:
        first = line[0]
        if first == " " or first == "-":
            stripped = line.strip()
            # a lone '-' separates the paragraphs of old cables (90CAPETOWN97)
            if not stripped or stripped == "-":
                if self.gap is None:
                    self.gap = "blank"
                return index + 1
            first = stripped[0]
        if self.ref_lines and index in self.ref_lines:
            return self.reference(index)
        if ("   " in line or "\t" in line) and (end := self.table_end(index)) > index:
            self.close()
            self.blocks.append(Block("table", lines=self.lines[index:end]))
            self.gap = None
            return end
        if first == "-" and (framed := FRAMED_HEADING.match(line)):
            self.close()  # '------- Summary -------' (07SANTIAGO983)
            self.blocks.append(Block("heading", text=framed.group(1)))
            self.gap = "blank"
            return index + 1
        if first in RULE_FIRST and RULE.match(line):
            self.close()
            if (
                not self.blocks or self.blocks[-1].kind not in ("rule", "heading")
            ) and not self.heading_end(index + 1):
                self.blocks.append(Block("rule"))
            self.gap = "blank"
            return index + 1
        if (
            self.current is None
            or self.gap is not None
            or (
                self.parts
                and ends_sentence(self.parts[-1])
                and (len(self.parts) > 1 or self.current.number is not None)
                and not line.endswith(".")
            )
        ):
            # also right under a paragraph's last sentence: '.' / 'COMMENT' / '---' (06MOSCOW5740)
            heading_end = self.heading_end(index)
            if heading_end:
                self.close()
                text = " ".join(line.split())
                # a heading wrapped with each line underlined (06PARIS7424, 07PARIS2027)
                while (
                    self.lines[heading_end : heading_end + 1] != [""]
                    and not ends_sentence(text)
                    and (following := self.heading_end(heading_end))
                ):
                    text += " " + " ".join(self.lines[heading_end].split())
                    heading_end = following
                self.blocks.append(Block("heading", text=text))
                self.gap = "blank"
                return heading_end
        if first.isdigit() and self.numbered(line):
            return index + 1
        if (
            first in ITEM_FIRST or line[1:2] in (".", ")") or line.lstrip()[1:2] in (".", ")")
        ) and self.item(line):
            return index + 1
        if self.current is not None and (self.gap is None or self.joins(line)):
            self.parts.append(line.strip())
            self.gap = None
            return index + 1
        self.close()
        self.open(Block("paragraph"), line.strip())
        return index + 1

    def open(self, block: Block, text: str) -> None:
        self.current = block
        self.parts = [text] if text else []
        self.gap = None

    def close(self) -> None:
        current = self.current
        if current is not None:
            current.text = " ".join(self.parts)
            self.blocks.append(current)
            if self.last_number is not None and f" {self.last_number + 1}." in current.text:
                self.split_glued(current)
        self.current = None
        self.parts = []

    def split_glued(self, block: Block) -> None:
        """Split paragraphs run together ('...between the two. 2. (C) German...', 09STATE82013)."""
        assert self.last_number is not None
        number = self.last_number
        text = block.text
        pieces: list[
            tuple[int, str | None, int, int]
        ] = []  # number, mark, start of text, start of match
        for match in GLUED.finditer(text):
            if int(match.group(1)) == number + 1:
                number += 1
                pieces.append((number, normal_mark(match.group(2)), match.end(), match.start()))
        if not pieces:
            return
        block.text = text[: pieces[0][3]].rstrip()
        for position, (number, mark, start, _) in enumerate(pieces):
            end = pieces[position + 1][3] if position + 1 < len(pieces) else len(text)
            self.blocks.append(
                Block("paragraph", text=text[start:end].strip(), number=number, mark=mark)
            )
        self.last_number = number

    # --- shapes

    def reference(self, index: int) -> int:
        self.close()
        end = index
        while end < len(self.lines) and end in self.ref_lines:
            end += 1
        self.blocks.append(
            Block(
                "ref",
                lines=[
                    line.strip(" " + PAGE_BREAK)
                    for line in self.lines[index:end]
                    if line.strip(" " + PAGE_BREAK)
                ],
            )
        )
        self.gap = "blank"
        return end

    def table_end(self, index: int) -> int:
        """End of a fixed-width table starting here (index itself when there is none)."""
        lines = self.lines
        end = index
        gaps = 0
        while end < len(lines) and lines[end] and lines[end][0] != PAGE_BREAK:
            found = len(TABULAR_GAP.findall(lines[end]))
            if not found:
                break
            gaps += found
            end += 1
        rows = end - index
        return end if rows >= 3 or (rows == 2 and gaps >= 4) else index

    def heading_end(self, index: int) -> int:
        """After a heading line and its underline: the next index; 0 when the line is no heading."""
        lines = self.lines
        if index + 1 >= len(lines):
            return 0
        underline = lines[index + 1]
        if not (underline and underline.lstrip()[:1] in RULE_FIRST and RULE.match(underline)):
            # 'Summary' / '' / '-------' / '' (10BOGOTA13): underlined after a blank line
            if underline or index + 2 >= len(lines):
                return 0
            underline = lines[index + 2]
            if not (underline and underline.lstrip()[:1] in RULE_FIRST and RULE.match(underline)):
                return 0
            if index + 3 < len(lines) and lines[index + 3].strip(" " + PAGE_BREAK):
                return 0
            end = index + 3
        else:
            end = index + 2
        text = lines[index].strip(" " + PAGE_BREAK)
        if (
            not text
            or len(text) > MAX_HEADING
            or text.count(" ") > 11
            or RULE.match(text)
            or NUMBERED.match(text)
        ):
            return 0
        return end

    def numbered(self, line: str) -> bool:
        """Open a numbered paragraph when the line starts the next paragraph number.

        A portion mark ('4. (C)') is evidence enough; a bare number must follow
        the last one closely and start a sentence.
        """
        match = NUMBERED.match(line)
        if not match:
            return False
        number = int(match.group(1))
        rest = line[match.end() :]
        mark_match = PORTION_MARK.match(rest)
        skip = MAX_MARKED_SKIP if mark_match else MAX_NUMBER_SKIP
        if self.last_number is None:
            if number > MAX_FIRST_NUMBER or number == 0:
                return False
        elif not self.last_number < number <= self.last_number + skip:
            return False
        if (
            not mark_match
            and self.current is not None
            and self.gap is None
            and self.parts
            and not ends_sentence(self.parts[-1])
        ):
            return False
        mark = None
        if mark_match:
            mark = normal_mark(mark_match.group())
            rest = rest[mark_match.end() :]
        self.close()
        self.last_number = number
        self.open(Block("paragraph", number=number, mark=mark), rest.strip())
        return True

    def item(self, line: str) -> bool:
        """Open a list item: '-- text', '- text', or a letter that starts or follows a list."""
        current = self.current
        if not (
            current is None
            or self.gap is not None
            or current.kind == "item"
            or (self.parts and ends_sentence(self.parts[-1]))
        ):
            return False
        dash = DASH_ITEM.match(line)
        if dash:
            self.close()
            self.open(Block("item", list_style="dash"), line[dash.end() :].strip())
            return True
        letter = LETTER_ITEM.match(line)
        if not letter:
            return False
        style, label = item_label(letter)
        previous = (
            current
            if current is not None and current.kind == "item"
            else (self.blocks[-1] if self.blocks and self.blocks[-1].kind == "item" else None)
        )
        follows = (
            previous is not None and previous.list_style == style and previous.label == label - 1
        )
        if not (label == 1 or follows):
            return False
        self.close()
        self.open(Block("item", list_style=style, label=label), line.strip())
        return True

    def joins(self, line: str) -> bool:
        """Whether a line after a blank line or page break goes on with the current sentence."""
        assert self.current is not None
        if self.current.kind not in ("paragraph", "item") or not self.parts:
            return False
        first = line.lstrip()[:1]
        if ends_sentence(self.parts[-1]):
            return self.gap == "page" and first.islower()
        return self.gap == "page" or first.islower() or first.isdigit()
