"""The import's fast paths give exactly what the code they replace gave.

Each fast path of the importer and the parser (issue 6: import speed) is
compared here with the plain definition it stands for, on chosen and on
generated input, so that a speed-up can never change a cable's files.
"""

from __future__ import annotations

import pickle
import re
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cable import Cable, cable_relative_path, cable_relative_posix
from generator.errors import ContentError, Problem
from generator.importer_write import PreparedCable
from generator.parse import RawCable
from generator.parse_artifacts_header import _FIRST_WINDOW, HeaderArtifacts
from generator.parse_normalise import split_lines
from generator.parse_repair import _MAX_WORD, _WORD_HEAD, _context, repair_paragraph
from generator.parse_shapes import MAX_HEADER_LINES

# letters (ASCII and not), digits, the underscore \\W leaves out, spaces, line breaks, the
# characters repairs look at
_TEXT = st.text(alphabet="ab Z09_\n,.&8)(’é\u00b5\u0663\t-", max_size=200)


# The word before a repair, as parse_repair found it before _context walked it back
_WORD_TAIL = re.compile(r"[^\W_]+$")


def _context_by_regex(text: str, start: int, end: int) -> tuple[int, int]:
    before = _WORD_TAIL.search(text, max(0, start - _MAX_WORD), start)
    after = _WORD_HEAD.match(text, end)
    return (before.start() if before else start), (after.end() if after else end)


@settings(max_examples=600)
@given(_TEXT, st.data())
def test_repair_context_is_the_regex_span(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert _context(text, start, end) == _context_by_regex(text, start, end)


def test_repair_context_on_chosen_words() -> None:
    text = "Iran,s nuclear\nfile,s " + "x" * 100 + ",s"
    for position in range(len(text)):
        assert _context(text, position, position + 1) == _context_by_regex(
            text, position, position + 1
        )
    assert repair_paragraph("Iran,s position")[1][0].raw == "Iran,s"


@pytest.mark.parametrize(
    "created",
    [None, datetime(2009, 11, 10, 16, 42), datetime(1966, 1, 2), datetime(985, 12, 31)],
)
def test_relative_md_path_is_the_pathlib_path(created: datetime | None) -> None:
    cable = Cable(id="09ROME1240", created=created)
    assert cable_relative_posix(cable) == cable_relative_path(cable).as_posix()
    folder = "undated" if created is None else f"{created.year:04d}/{created.month:02d}"
    assert cable_relative_posix(cable) == f"cables/{folder}/09ROME1240.md"


def test_relative_md_path_refuses_what_the_contract_refuses() -> None:
    for cable_id in ("../x", "CON", ""):
        with pytest.raises(ContentError):
            cable_relative_path(Cable(id=cable_id))
        with pytest.raises(ContentError):
            cable_relative_posix(Cable(id=cable_id))


def test_raw_and_prepared_cables_pickle_whole() -> None:
    """What goes to and comes back from an import worker arrives field for field."""
    problem = Problem("cables.csv", 12, "bytes that are not UTF-8", "warning")
    raw = RawCable(
        text="UNCLAS ROME 001240\n\u00b61. text\udc92",
        file="cables.csv",
        line=12,
        format="csv",
        metadata={"id": "09ROME1240", "origin": "Embassy Rome"},
        problems=(problem,),
    )
    prepared = PreparedCable(
        file="cables.csv",
        line=12,
        cable_id="09ROME1240",
        relative_path="cables/2009/11/09ROME1240.md",
        md_bytes=b"---\nid: 09ROME1240\n---\n",
        txt_bytes=None,
        problems=(problem,),
    )
    for value in (raw, prepared, RawCable("", "f", 1, "telegram"), PreparedCable("f", 3)):
        copy = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == value and type(copy) is type(value)
        assert [getattr(copy, name) for name in type(value).__slots__] == [
            getattr(value, name) for name in type(value).__slots__
        ]


def _split_lines_before(text: str) -> list[str]:
    """parse_normalise.split_lines as it was before its fast path for a final line break."""
    if "\\" in text:
        return [line.rstrip().removesuffix("\\").rstrip() for line in text.split("\n")]
    for _ in range(3):
        if " \n" not in text:
            break
        text = text.replace(" \n", "\n")
    if " \n" in text or "\t\n" in text or text[-1:].isspace():
        return [line.rstrip() for line in text.split("\n")]
    return text.split("\n")


@settings(max_examples=800)
@given(st.text(alphabet="ab \t\n\r\x0b\x0c\x1c\x1f\x85\u3000\\.", max_size=60))
def test_split_lines_is_the_line_by_line_strip(text: str) -> None:
    assert split_lines(text) == _split_lines_before(text)


def test_split_lines_on_chosen_texts() -> None:
    for text in ("A \nB\n", "A\nB\n", "A\nB\r\n", "A\x0b\nB\n", "A\u3000\nB\n", "A\nB \n\n", "A\t"):
        assert split_lines(text) == _split_lines_before(text)
    assert split_lines("A\x0b\nB\n") == ["A", "B", ""]


_HEADER_LINES = [
    "",
    "FM AMEMBASSY ROME",
    "TO SECSTATE WASHDC IMMEDIATE 2879",
    "INFO AMEMBASSY PARIS 0042",
    "UNCLAS SECTION 01 OF 02 ROME 001240",
    "C O N F I D E N T I A L ROME 001240",
    "CONFIDENTIAL",
    "Confidential stuff in a sentence.",
    "SECRET",
    "SECRETARY CLINTON SAID",
    "1. (C) The text of the cable.",
    "\x0cLIMITED OFFICIAL USE",
]


def _first_banner_in_full_window(lines: list[str], index: int) -> int | None:
    scanner = HeaderArtifacts()
    scanner.lines = lines  # type: ignore[attr-defined]
    return scanner._banner_after(index, MAX_HEADER_LINES)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_HEADER_LINES), min_size=1, max_size=500), st.data())
def test_banner_search_in_a_short_window_first(lines: list[str], data: st.DataObject) -> None:
    """header_block finds the same banner line as one search over MAX_HEADER_LINES lines."""
    index = data.draw(st.integers(0, len(lines) - 1))
    scanner = HeaderArtifacts()
    scanner.lines = lines  # type: ignore[attr-defined]
    short = scanner._banner_after(index, _FIRST_WINDOW)
    found = short if short is not None else scanner._banner_after(index, MAX_HEADER_LINES)
    assert found == _first_banner_in_full_window(lines, index)


def test_banner_beyond_the_short_window() -> None:
    lines = ["TO SECSTATE WASHDC"] * 100 + ["CONFIDENTIAL ROME 001240", "1. (C) Text."]
    scanner = HeaderArtifacts()
    scanner.lines = lines  # type: ignore[attr-defined]
    assert scanner._banner_after(0, _FIRST_WINDOW) is None
    assert _first_banner_in_full_window(lines, 0) == 100
