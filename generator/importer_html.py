"""Read a page of the 2010 cable website (metadata table, two <pre> blocks) into a RawCable.

Split from importer_read, which detects the formats and reads the text ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.entities import html5 as html5_entities
from html.parser import HTMLParser

from generator.errors import Problem
from generator.parse import RawCable

_PRE_OPEN = re.compile(r"<pre\b[^>]*>", re.IGNORECASE)
_PRE_CLOSE = re.compile(r"</pre\s*>", re.IGNORECASE)
_CABLE_TABLE = re.compile(
    r"<table\b[^>]*\bclass\s*=\s*['\"]?cable\b.*?</table\s*>", re.IGNORECASE | re.DOTALL
)
# The site's own paragraph links around the pilcrow: <a id='par1' href='#par1'>¶</a>
_PARAGRAPH_LINK = re.compile(
    r"<a\b[^>]*\bhref\s*=\s*['\"]?#par[^>]*>\s*(?:¶|&para;|&#182;|&#xb6;|&#x00b6;)?\s*</a\s*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_CHARREF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HTML_LABELS = {
    "reference id": "id",
    "reference": "id",
    "identifier": "id",
    "created": "created",
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}


def read_cablegate_html(text: str, file: str) -> RawCable | Problem:
    """A page of the 2010 cable site -> RawCable with the metadata table's values.

    The original is the text of the <pre> blocks (routing header, then the
    cable text) joined by a line end: character references decoded, the site's
    paragraph links around '¶' removed with the pilcrow, other markup (the TAGS
    links) reduced to its text. The site did not escape '&' in cable text
    (garbled quotes such as '&material collateral,8'), so only references that
    end with ';' and name a real character are decoded: '&notably8' stays as written.
    """
    blocks = [block for block in map(_pre_text, _iter_pre_html(text)) if block.strip()]
    if not blocks:
        return Problem(file, 1, "an HTML page without <pre> blocks: not a page of a cable")
    original = blocks[0]
    for block in blocks[1:]:
        original += block if original.endswith(("\n", "\r")) else "\n" + block
    table = _CABLE_TABLE.search(text)
    if table is None:  # no table of class 'cable': look for the labels before the first <pre>
        first_pre = _PRE_OPEN.search(text)
        metadata = _table_metadata(text[: first_pre.start() if first_pre else 0])
    else:
        metadata = _table_metadata(table.group(0))
    return RawCable(text=original, file=file, line=1, format="cablegate-html", metadata=metadata)


def _iter_pre_html(page: str) -> Iterator[str]:
    """The inner HTML of each <pre> block (an unclosed block runs to the end of the page)."""
    position = 0
    while opening := _PRE_OPEN.search(page, position):
        closing = _PRE_CLOSE.search(page, opening.end())
        end = closing.start() if closing else len(page)
        yield page[opening.end() : end]
        position = closing.end() if closing else len(page)


def _pre_text(inner_html: str) -> str:
    without_links = _PARAGRAPH_LINK.sub("", inner_html)
    # every line end of a page is '&#x000A;': replacing it first saves most regex calls
    text = _TAG.sub("", without_links).replace("&#x000A;", "\n")
    return _CHARREF.sub(_decode_charref, text) if "&" in text else text


def _decode_charref(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref.startswith("#"):
        code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        is_character = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
        return chr(code) if is_character else match.group(0)
    return html5_entities.get(ref + ";", match.group(0))


class _TableReader(HTMLParser):
    """Collects the text of each cell of each row of an HTML table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, str]]] = []  # (cell tag, text)
        self._cell: list[str] | None = None
        self._cell_tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._close_cell()
            self._cell, self._cell_tag = [], tag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "tr"):
            self._close_cell()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _close_cell(self) -> None:
        if self._cell is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append((self._cell_tag, " ".join("".join(self._cell).split())))
        self._cell = None


def _table_metadata(table_html: str) -> dict[str, str]:
    """Label the cells of the first data row by the header row ('Reference ID', 'Created', ...)."""
    reader = _TableReader()
    reader.feed(table_html)
    reader.close()
    labels: list[str] = []
    for row in reader.rows:
        if row and all(tag == "th" for tag, _ in row):
            labels = [_HTML_LABELS.get(text.lower(), "") for _, text in row]
        elif labels and len(row) == len(labels):
            pairs = zip(labels, (value for _, value in row), strict=True)
            return {key: value for key, value in pairs if key and value}
    return {}
