"""The narrow Markdown that import writes, rendered without markdown-it, byte for byte the same.

A cable body as `cablesite import` writes it is paragraphs (`1\\. (C) text`),
ATX headings (`## Background`) and dash lists (`- item`), separated by blank
lines, with no inline markup. markdown-it-py spends about 1.5 ms on such a
6 KB body (a third of the CPU time of a cable page); this module renders it in
a few hundredths of that, with the same cable rules as render_markdown.py
(numbered paragraphs with anchors, portion-mark badges, headings one level
down with unique ids).

`render_plain` accepts a body only when every block is one of those three
shapes and its text holds nothing Markdown would read as markup: no
emphasis, code, link, HTML or entity characters, no indented or lazy lines,
no tabs or other odd whitespace. Anything else returns None and the caller
renders it with markdown-it, so the output never depends on which way a body
went (tests/test_render_plain.py compares both on the corpus and on generated
bodies full of the characters that matter).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from generator.render_markdown import _NUMBERED, _PORTION, portion_badge, render_markdown

# characters inline markdown-it would read as markup, and whitespace it would not keep as
# text (tabs, CR, NUL...): a body with any of them, unescaped, goes to markdown-it
_MARKUP_CHARACTERS = tuple("`*_[]<\t\r\x00\x0b\x0c\x1c\x1d\x1e\x1f")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# the other characters Python's str.strip() takes for whitespace (markdown-it-py strips with it)
_ODD_WHITESPACE = tuple(
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# a backslash escape of ASCII punctuation: the character itself, as text
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# a line that could open or interrupt a block: indentation, heading, quote, list, rule, fence...
_BLOCK_START = re.compile(r"[ #>*+=`~<_\[-]|\d{1,9}[.)](?: |$)")
_HEADING = re.compile(r"(#{1,6}) +([^ #][^#]*?) *")
_SLUG = re.compile(r"[^a-z0-9]+")


def render_body(md: MarkdownIt, text: str) -> str:
    """A cable body as HTML: the plain way when the body allows it, else markdown-it."""
    html = render_plain(text)
    return html if html is not None else render_markdown(md, text)


def render_plain(text: str) -> str | None:
    """The HTML markdown-it would give for a body of the narrow shape; None for any other body."""
    if not _is_plain_text(text):
        return None
    used: dict[str, int] = {}  # anchors given, as markdown-it's env["anchor_ids"]
    badges: dict[str, str] = {}  # the markup of each portion mark met in this body
    out: list[str] = []
    block: list[str] = []
    after_list = False
    for line in [*text.split("\n"), ""]:
        if line.strip(" "):
            block.append(line)
            continue
        if not block:
            continue
        first = block[0]
        if first.startswith("- "):
            if after_list:
                return None  # a second list after a blank line: one loose list in Markdown
            html = _list(block)
            after_list = True
        elif first.startswith("#"):
            html = _heading(block, used)
            after_list = False
        else:
            html = _paragraph(block, used, badges)
            after_list = False
        if html is None:
            return None
        out.append(html)
        block = []
    return "".join(out)


def _is_plain_text(text: str) -> bool:
    """No inline markup, entity or odd whitespace once backslash escapes are taken out.

    Checked once per body with `in` (a C scan), not per line with regexes: the
    usual escape is the importer's `1\\.` and leaves nothing to look at.
    """
    bare = text
    if not _only_dot_escapes(text):
        bare = _ESCAPE.sub("", text)
        if "\\" in bare:
            return False  # a hard break, or a backslash before a letter
    for character in _MARKUP_CHARACTERS:
        if character in bare:
            return False
    if "&" in bare and _ENTITY.search(bare):
        return False
    if not text.isascii():
        for character in _ODD_WHITESPACE:
            if character in text:
                return False
    return True


def _only_dot_escapes(text: str) -> bool:
    """Whether every backslash of the text is the importer's '\\.' (text.find is a memchr)."""
    position = text.find("\\")
    while position >= 0:
        if text[position + 1 : position + 2] != ".":
            return False
        position = text.find("\\", position + 2)
    return True


def _inline(text: str) -> str:
    """Escaped HTML of a line of plain text (backslash escapes resolved)."""
    return _escape_html(_unescape(text))


def _escape_html(text: str) -> str:
    """markdown-it's escapeHtml (& < > " as entities), each replace only where the character is.

    Looking for a character is a memchr; str.replace scans a text with any
    non-ASCII character (a ’ is enough) several times slower, and a body
    seldom holds more than one of the four.
    """
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    return text


def _unescape(text: str) -> str:
    """Text with its backslash escapes resolved: '1\\. (C)' -> '1. (C)'."""
    if "\\" not in text:
        return text
    resolved = text.replace("\\.", ".")
    if "\\" not in resolved:  # every backslash was the importer's '1\\.'
        return resolved
    return _ESCAPE.sub(_escaped_character, text)


def _escaped_character(match: re.Match[str]) -> str:
    return match.group(1)


def _list(block: list[str]) -> str | None:
    items = ["<ul>\n"]
    for line in block:
        content = line[2:]
        if (
            not line.startswith("- ")
            or _BLOCK_START.match(content)
            or line.endswith(" ")
            or not content
        ):
            return None
        items.append(f"<li>{_inline(content)}</li>\n")
    items.append("</ul>\n")
    return "".join(items)


def _heading(block: list[str], used: dict[str, int]) -> str | None:
    match = _HEADING.fullmatch(block[0])
    if len(block) != 1 or match is None:
        return None
    content = match.group(2)
    html = _inline(content)
    level = min(len(match.group(1)) + 1, 6)
    slug = _SLUG.sub("-", content.lower()).strip("-") or "section"
    anchor = escapeHtml(_unique(used, f"s-{slug[:40]}"))
    return f'<h{level} id="{anchor}">{html}</h{level}>\n'


def _paragraph(block: list[str], used: dict[str, int], badges: dict[str, str]) -> str | None:
    rest = ""
    if len(block) == 1:  # most paragraphs: the importer writes one line each
        if _BLOCK_START.match(block[0]):
            return None
        first_text = _unescape(block[0].rstrip())
    else:
        last = len(block) - 1
        for position, line in enumerate(block):
            if _BLOCK_START.match(line) or (position < last and line.endswith(" ")):
                return None
        block[last] = block[last].rstrip()
        # markdown-it's first text token is the first line with its escapes resolved
        first_text = _unescape(block[0])
        rest = "\n" + "\n".join([_escape_html(_unescape(line)) for line in block[1:]])
    match = _NUMBERED.match(first_text)
    if match is None:
        return f"<p>{_escape_html(first_text)}{rest}</p>\n"
    # digits, and an anchor made of them: nothing escapeHtml would change
    number = match.group(1).lstrip("0") or "0"
    anchor = _unique(used, f"p{number}")
    head = (
        f'<p id="{anchor}" class="numbered"><a class="para-number" href="#{anchor}" '
        f'aria-label="Paragraph {number}">{number}.</a> '
    )
    text = first_text[match.end() :]
    portion = _PORTION.match(text)
    if portion is not None:
        mark = portion.group(1)
        badge = badges.get(mark)
        if badge is None:
            badge = badges[mark] = _badge(mark)
        head += badge
        text = text[portion.end() :]
    return f"{head}{_escape_html(text)}{rest}</p>\n"


def _badge(mark: str) -> str:
    level, title = portion_badge(mark)
    noforn = " portion-nf" if "NOFORN" in title else ""
    return (
        f'<abbr class="portion{noforn} portion-{level}" title="{escapeHtml(title)}">'
        f"({escapeHtml(mark)})</abbr> "
    )


def _unique(used: dict[str, int], anchor: str) -> str:
    count = used.get(anchor, 0) + 1
    used[anchor] = count
    return anchor if count == 1 else f"{anchor}-{count}"
