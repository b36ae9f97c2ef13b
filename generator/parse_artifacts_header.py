"""The routing header of a telegram: VZCZC..., FM/TO/INFO lines, database rows (1.3).

The header is usually one block of lines ending at the classification banner,
read at once by one regular expression (`header_block`); anything doubtful is
read line by line (`route`).  A mixin of parse_artifacts' scanner, which owns
the state these methods read and change.
"""

from __future__ import annotations

from generator import parse_shapes as shape
from generator.parse_normalise import PAGE_BREAK, ROUTING, Removal

# Lines searched first for the banner that ends a routing header (TO, up to 25 INFO
# addressees and the format lines fit); the search goes on to MAX_HEADER_LINES
_FIRST_WINDOW = 64


class HeaderArtifacts:
    """Routing-header methods of the scanner (see parse_artifacts._Scanner for the state)."""

    lines: list[str]
    removed: list[Removal]
    state: str
    routing: list[int]
    not_header: int

    def route(self, index: int) -> int:
        if not self.routing:
            banner = self.header_block(index)
            if banner is not None:
                self.routing.extend(range(index, banner))
                self.flush_routing()
                self.state = "captions"
                return banner
        line = self.lines[index]
        cut = self.row_heads(index, line)
        if cut:
            self.lines[index] = line[cut:]
            return index
        text = line.strip(" " + PAGE_BREAK)
        if not text:
            following = shape.next_nonblank(self.lines, index + 1)
            if following is not None and not shape.continues_header(following):
                self.flush_routing()
                self.state = "captions"  # no banner: captions may still follow (old cables)
            return index + 1
        if (line.startswith(shape.BANNER_START) or line[:1] in " sS") and shape.BANNER.match(line):
            self.flush_routing()
            self.state = "captions"
            return index
        if shape.is_header_line(text):
            self.routing.append(index)
            return index + 1
        self.flush_routing()
        self.state = "captions"  # something a header cannot hold: keep it
        self.not_header = index
        return index

    def row_heads(self, index: int, line: str) -> int:
        """Remove the database rows and tab-separated header fields that open a line: where the
        rest starts (0: none).

        All of them at once: taking one and reading the line again made a line of
        100,000 rows quadratic (each pass copied the rest of the line).
        """
        position = 0
        while True:
            row = shape.CSV_ROW.match(line, position)
            if row:
                self.removed.append(Removal(ROUTING, index + 1, row.group()))
                position = row.end()
                continue
            tab = line.find("\t", position)
            if tab < 0 or not shape.is_header_line(line[position:tab].strip()):
                return position
            self.removed.append(Removal(ROUTING, index + 1, line[position:tab]))
            position = tab + 1

    def header_block(self, index: int) -> int | None:
        """The banner's index when every line from `index` to it is a header line (the usual case).

        One regex reads the whole block; any doubt (a tab, a record label, a long
        line, a blank line the header does not go on after) leaves it to `route`.
        """
        lines = self.lines
        first = lines[index]
        if (
            first.strip(" " + PAGE_BREAK)
            and not shape.HEADER_REGION.fullmatch(first)
            and not shape.BANNER.match(first.lstrip(PAGE_BREAK))
        ):  # the block cannot start here: spare the search of the next 400 lines
            return None
        end = self._banner_after(index, _FIRST_WINDOW)
        if end is None:
            end = self._banner_after(index, shape.MAX_HEADER_LINES)
        if end is None:
            return None
        region = lines[index:end]
        if not shape.HEADER_REGION.fullmatch("\n".join(region)):
            return None
        for offset, line in enumerate(region):
            if not line.strip(" " + PAGE_BREAK):
                following = shape.next_nonblank(lines, index + offset + 1)
                if following is not None and not shape.continues_header(following):
                    return None
            elif line.count(" ") >= shape.MAX_HEADER_WORDS and not shape.is_header_line(
                line.strip(" " + PAGE_BREAK)
            ):
                return None
        return end

    def _banner_after(self, index: int, window_lines: int) -> int | None:
        """The index of the first banner line in the `window_lines` lines from `index`, or None.

        BANNER_LINE matches the start of one line only, so what it finds among
        the first lines does not depend on how many lines follow: a short
        window first spares joining up to MAX_HEADER_LINES lines of a body.
        """
        lines = self.lines
        window = "\n" + "\n".join(lines[index : index + window_lines])
        for found in shape.BANNER_LINE.finditer(window):
            end = index + window.count("\n", 0, found.start() + 1) - 1
            if shape.BANNER.match(lines[end].lstrip(PAGE_BREAK)):
                return end
        return None

    def flush_routing(self) -> None:
        """One Removal for each run of header lines (the test checks them line by line)."""
        if not self.routing:
            return
        first = self.routing[0]
        self.removed.append(
            Removal(
                ROUTING,
                first + 1,
                "\n".join(
                    self.lines[index].lstrip(PAGE_BREAK)
                    for index in range(first, self.routing[-1] + 1)
                ),
            )
        )
        for index in self.routing:
            self.lines[index] = ""
        self.routing = []
