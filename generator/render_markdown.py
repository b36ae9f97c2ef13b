"""A cable's Markdown body -> safe HTML with paragraph anchors and portion-marking badges.

The body parser writes numbered paragraphs as `1\\. (C) The last ...`. Each
becomes `<p id="p1" class="numbered">` whose number links to its own anchor
(a stable deep link, like the 2010 site's `#par1`; a repeated number gets
`p1-2`), and whose portion mark `(C)`, `(SBU)`, `(S/NF)`, `(C/REL LIBYA)`
becomes a badge with one class per level. Raw HTML is off, images are off,
linkify is off, and only http, https, mailto and relative links survive.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_NUMBERED = re.compile(r"(\d{1,3})\.(?=\s|$)\s*")
_PORTION = re.compile(
    r"\(((U|SBU|C|S|TS|LOU|FOUO|UNCLAS|UNCLASSIFIED|CONFIDENTIAL|SECRET)"
    r"(?:\s*(?:/{1,2}|-|\s)\s*"
    r"(?:NF|NOFORN|FOUO|SBU|REL(?:\s+(?:TO\s+)?[A-Z][A-Z ,]{0,40})?|ENTIRE TEXT|EXDIS|NODIS))*)\)"
    r"\s*"
)
LEVELS = {
    "U": ("u", "Unclassified"),
    "UNCLAS": ("u", "Unclassified"),
    "UNCLASSIFIED": ("u", "Unclassified"),
    "SBU": ("sbu", "Sensitive but unclassified"),
    "FOUO": ("sbu", "For official use only"),
    "LOU": ("sbu", "Limited official use"),
    "C": ("c", "Confidential"),
    "CONFIDENTIAL": ("c", "Confidential"),
    "S": ("s", "Secret"),
    "SECRET": ("s", "Secret"),
    "TS": ("ts", "Top secret"),
}


def is_safe_link(url: str) -> bool:
    """True for relative links and http, https, mailto; False for javascript:, data:, file:..."""
    cleaned = _CONTROL.sub("", url)
    match = _SCHEME.match(cleaned)
    if match is None:
        return True
    return match.group(1).lower() in SAFE_SCHEMES


def make_markdown() -> MarkdownIt:
    """The one Markdown renderer of cablesite (CommonMark, no raw HTML, no images, no linkify)."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # html_block and html_inline do nothing when html is off but are still called at every
    # line and every '<': about 3% of the time of a cable body
    md.disable(["image", "html_block", "html_inline"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    md.core.ruler.push("cable_paragraphs", _mark_paragraphs)
    md.add_render_rule("para_number", _render_number)
    badges: dict[str, str] = {}  # the markup of each portion mark seen, per renderer

    def render_portion(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        mark = tokens[idx].content
        markup = badges.get(mark)
        if markup is None:
            markup = badges[mark] = _render_portion(self, tokens, idx, options, env)
        return markup

    md.add_render_rule("portion_mark", render_portion)
    return md


def render_markdown(md: MarkdownIt, text: str) -> str:
    """A cable body (Markdown) as HTML; anchors are unique within the one body."""
    return str(md.render(text, {}))


def portion_badge(mark: str) -> tuple[str, str]:
    """('c', 'Confidential, NOFORN') for 'C/NF': the CSS level and a title for a badge."""
    level_word = re.split(r"[/\s-]", mark, maxsplit=1)[0]
    level, title = LEVELS.get(level_word, ("u", level_word))
    rest = mark[len(level_word) :]
    caveats = []
    if re.search(r"\bN(?:F|OFORN)\b", rest):
        caveats.append("NOFORN")
    released = re.search(r"\bREL(?:\s+TO)?\s+([A-Z][A-Z ,]*)", rest)
    if released:
        caveats.append(f"releasable to {released.group(1).strip().title()}")
    if "ENTIRE TEXT" in rest:
        caveats.append("entire text")
    if "FOUO" in rest:
        caveats.append("for official use only")
    return level, ", ".join([title, *caveats])


def _mark_paragraphs(state: StateCore) -> None:
    env: MutableMapping[str, Any] = state.env if isinstance(state.env, dict) else {}
    used: dict[str, int] = env.setdefault("anchor_ids", {})
    tokens = state.tokens
    for position, token in enumerate(tokens):
        if token.type in {"heading_open", "heading_close"}:
            # the page's own h2 sections frame the body, so the body's headings sit one level lower
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        if token.type == "heading_open" and position + 1 < len(tokens):
            text = tokens[position + 1].content
            slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
            token.attrSet("id", _unique(used, f"s-{slug[:40]}"))
            continue
        if token.type != "paragraph_open" or token.level != 0 or position + 1 >= len(tokens):
            continue
        inline = tokens[position + 1]
        children = inline.children or []
        if not children or children[0].type != "text":
            continue
        first = children[0]
        match = _NUMBERED.match(first.content)
        if match is None:
            continue
        number = match.group(1).lstrip("0") or "0"
        anchor = _unique(used, f"p{number}")
        token.attrSet("id", anchor)
        token.attrJoin("class", "numbered")
        rest = first.content[match.end() :]
        added: list[Token] = [_token("para_number", number, anchor)]
        portion = _PORTION.match(rest)
        if portion is not None:
            added.append(_token("portion_mark", portion.group(1), anchor))
            rest = rest[portion.end() :]
        first.content = rest
        inline.children = [*added, *children]


def _unique(used: dict[str, int], anchor: str) -> str:
    count = used.get(anchor, 0) + 1
    used[anchor] = count
    return anchor if count == 1 else f"{anchor}-{count}"


def _token(kind: str, content: str, anchor: str) -> Token:
    token = Token(kind, "", 0)
    token.content = content
    token.meta = {"anchor": anchor}
    return token


def _render_number(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    anchor = escapeHtml(token.meta["anchor"])
    return (
        f'<a class="para-number" href="#{anchor}" '
        f'aria-label="Paragraph {escapeHtml(token.content)}">'
        f"{escapeHtml(token.content)}.</a> "
    )


def _render_portion(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    mark = tokens[idx].content
    level, title = portion_badge(mark)
    noforn = " portion-nf" if "NOFORN" in title else ""  # ringed in the theme
    return (
        f'<abbr class="portion{noforn} portion-{level}" title="{escapeHtml(title)}">'
        f"({escapeHtml(mark)})</abbr> "
    )
