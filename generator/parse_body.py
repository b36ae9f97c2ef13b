"""The telegram text -> the Markdown body of a cable page (artifacts removed, garbling repaired).

The body keeps every word of the cable text; it leaves out only the
transmission artifacts that parse_artifacts finds (routing header, banner,
captions the front matter holds, page markers, the repeated preamble,
trailers) and repairs the release's character garbling (parse_repair).

Markdown conventions (the renderer relies on them):

- a numbered paragraph is a paragraph whose text starts `N\\. ` (escaped dot,
  so that it is not an ordered list), then its portion mark in parentheses
  when it has one: `1\\. (C) The last Nonproliferation Directors Group...`;
  the renderer gives it the anchor #pN and shows the mark as a badge;
- a section heading (a short line underlined with dashes) is `## Heading`;
- dash and lettered list items are `- item`, lettered ones keep their letter
  as text (`- a) text`, `- (1) text`);
- fixed-width tables are fenced code blocks (```text);
- REF lines keep their line breaks (backslash hard breaks);
- every character Markdown could read as markup is escaped, so cable text
  never becomes HTML, a link, an image, emphasis or code; a number and a dot
  opening any other line are written `2010&#46; ...`, so that `N\\. ` stays the
  mark of numbered paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.errors import Problem
from generator.parse_artifacts import strip_artifacts
from generator.parse_blocks import Block, build_blocks
from generator.parse_normalise import Removal, normalise_text
from generator.parse_repair import Repair, repair_paragraph
from generator.parse_repair import repair_text as repair_text

__all__ = ["BodyResult", "body_to_markdown", "repair_text"]


@dataclass(frozen=True, slots=True)
class BodyResult:
    """The Markdown body, the summary paragraph(s) (repaired plain text) or None, and problems.

    `removed` lists every line or span left out of the body, with its category
    (parse_artifacts); `repairs` every character repair (parse_repair).  Both
    exist so that a test can prove that no word was lost.
    """

    markdown: str
    summary: str | None
    problems: tuple[Problem, ...] = ()
    removed: tuple[Removal, ...] = field(default=(), repr=False)
    repairs: tuple[Repair, ...] = field(default=(), repr=False)


def body_to_markdown(text: str, *, file: str = "<text>", line: int = 1) -> BodyResult:
    """Turn the telegram text (header lines included) into the cable's Markdown body.

    `file` and `line` say where the text starts, for the problems reported.
    """
    stripped = strip_artifacts(normalise_text(text))
    blocks = build_blocks(stripped.lines, stripped.ref_lines)
    repairs: list[Repair] = []
    for block in blocks:
        if block.text and block.kind in ("paragraph", "item", "heading"):
            block.text, found = repair_paragraph(block.text)
            if found:
                repairs.extend(found)
    markdown = render_blocks(blocks)
    problems: list[Problem] = []
    if not markdown.strip():
        problems.append(Problem(file, line, "no cable text found after the header", "warning"))
    return BodyResult(
        markdown=markdown + "\n" if markdown else "",
        summary=find_summary(blocks),
        problems=tuple(problems),
        removed=tuple(stripped.removed),
        repairs=tuple(repairs),
    )


# --- Markdown ------------------------------------------------------------------------------

# Everything CommonMark (and the usual extensions: tables, strikethrough) could read as markup
# inside a line, backslash first; and '{' '}' and the '%' of '{%', so that no '{{', '{%' or '{#'
# ever reaches a template engine (the escapes render as the characters themselves).
_INLINE_SPECIAL = "\\`*_[]<>#|~&{}"
# What could open a block at the start of a line: '1.' '1)' ordered lists, '-' '+' lists and rules,
# '=' underlines (the others are escaped everywhere).
_BLOCK_START = re.compile(r"(\d{1,9})([.)])")


def escape_inline(text: str) -> str:
    """Backslash-escape every character that is Markdown syntax inside a line."""
    for char in _INLINE_SPECIAL:
        if char in text:
            text = text.replace(char, "\\" + char)
    if "{%" in text:
        text = text.replace("{%", "{\\%")
    return text


def escape_line(text: str) -> str:
    """Escape a whole line of cable text that starts a Markdown block (or a line of one).

    A number and a dot are written '2010&#46;': 'N\\. ' at the start of a
    paragraph is reserved for numbered paragraphs (the renderer anchors them),
    and '2010. An October' (09ROME1240) is none.
    """
    text = escape_inline(text)
    first = text[:1]
    if first in ("-", "+", "="):
        return "\\" + text
    if first.isdigit():
        match = _BLOCK_START.match(text)
        if match:
            mark = "&#46;" if match.group(2) == "." else "\\)"
            return match.group(1) + mark + text[match.end() :]
    return text


def render_blocks(blocks: list[Block]) -> str:
    """The blocks as one Markdown text: blank lines between blocks, items of one list together."""
    pieces: list[str] = []
    for index, block in enumerate(blocks):
        if index:
            together = block.kind == "item" and blocks[index - 1].kind == "item"
            pieces.append("\n" if together else "\n\n")
        pieces.append(render_block(block))
    return "".join(pieces)


def render_block(block: Block) -> str:
    """One block of the body as Markdown (see the module docstring for the conventions)."""
    if block.kind == "paragraph":
        if block.number is not None:
            head = f"{block.number}\\."
            if block.mark:
                head += " " + escape_inline(block.mark)
            return f"{head} {escape_inline(block.text)}" if block.text else head
        return escape_line(block.text)
    if block.kind == "heading":
        return "## " + escape_inline(block.text)
    if block.kind == "item":
        return "- " + escape_line(block.text)
    lines = block.lines or []
    if block.kind == "ref":
        return "\\\n".join(escape_line(line.strip()) for line in lines)
    if block.kind == "table":
        longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
        fence = "`" * max(3, longest + 1)
        return "\n".join([fence + "text", *lines, fence])
    return "---"


# --- summary ---------------------------------------------------------------------------

# 'Summary:', 'SUMMARY.', 'Summary and Comment:', 'Introduction and summary:'
_SUMMARY_START = re.compile(
    r"^(?:(?:introduction|begin) and |begin )?summary(?: and [a-z]+(?: [a-z]+)?)?"
    r"\s*(?:[:.]+|--+|-)\s*",
    re.I,
)
# A heading or paragraph that is only the word: 'Summary', 'SUMMARY AND TABLE OF CONTENTS'
_SUMMARY_ALONE = re.compile(
    r"^(?:introduction and )?summary(?: and [a-z]+(?: [a-z]+){0,2})?\W*$", re.I
)
# 'End summary.', '(END SUMMARY)', 'End of summary and comment.'; found from the word 'summary'
# in a lower-case copy, because a case-blind regex search is slow on long paragraphs
_END_BEFORE = re.compile(r"\(?\s*\bend\s+(?:of\s+)?$")
_END_AFTER = re.compile(r"summary\b(?:\s+and\s+[a-z]+(?:\s+[a-z]+)?)?\s*[.:)\-]*\)?")
_MAX_SUMMARY_BLOCKS = 8


def end_of_summary(text: str) -> int | None:
    """Where 'End summary' starts in a paragraph, or None."""
    if "ummary" not in text and "UMMARY" not in text:
        return None
    lower = text.lower()
    position = lower.find("summary")
    while position >= 0:
        before = _END_BEFORE.search(lower, max(0, position - 24), position)
        if before and _END_AFTER.match(lower, position):
            return before.start()
        position = lower.find("summary", position + 7)
    return None


def find_summary(blocks: list[Block]) -> str | None:
    """The summary paragraph(s) as repaired plain text, or None (cable-format.md 1.11).

    From a 'Summary' heading or a paragraph opening 'Summary:' to 'End
    summary' (the first paragraph only when no end is written); when only
    'End summary' exists, the paragraph that holds it.
    """
    texts = [block for block in blocks if block.kind in ("paragraph", "heading", "item")]
    for position, block in enumerate(texts):
        if block.text[:1] not in "SsIiBb":
            continue
        start = _SUMMARY_START.match(block.text)
        if not (start or _SUMMARY_ALONE.match(block.text)):
            continue
        opening = block.text[start.end() :] if start else ""
        candidates = ([opening] if opening.strip() else []) + [
            part.text
            for part in texts[position + 1 : position + 1 + _MAX_SUMMARY_BLOCKS]
            if part.kind != "heading" or not opening.strip()
        ]
        collected: list[str] = []
        for text in candidates:
            if not collected:
                text = _SUMMARY_START.sub(
                    "", text, count=1
                )  # a 'Summary' heading, then 'Summary: ...'
            end = end_of_summary(text)
            if end is not None:
                before = text[:end].strip()
                if before:
                    collected.append(before)
                return "\n\n".join(" ".join(part.split()) for part in collected) or None
            collected.append(text.strip())
        return " ".join(collected[0].split()) if collected and collected[0] else None
    for block in texts:
        end = end_of_summary(block.text)
        if end and block.text[:end].strip():
            return " ".join(block.text[:end].split())
    return None
