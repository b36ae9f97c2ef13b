"""The parser on text it was not written for: shuffled, truncated and garbled telegrams.

Whatever the input, parse_cable either raises ParseError (the text is not a cable) or
returns a cable whose values keep their invariants: the original is kept byte for
byte, the id is usable as a file name, every warning is also a problem.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator.parse as parse_module
from generator.cable import validate_cable_id
from generator.errors import ParseError
from generator.parse import ParseResult, RawCable, parse_cable
from generator.parse_body import BodyResult
from generator.reference import ReferenceTables, load_reference_tables

TABLES: ReferenceTables = load_reference_tables()

# Real lines of the seed and other corpus cables, to be shuffled, cut and glued.
FRAGMENTS = [
    "VZCZCXRO4723",
    "OO RUEHSL RUEHTRO",
    "DE RUEHRO #1240/01 3141642",
    "ZNY CCCCC ZZH",
    "O 101642Z NOV 09",
    "P R 041820Z JAN 10",
    "R 181313Z JUN 09 ZDK MANY SVCS",
    "FM AMEMBASSY ROME",
    "FM USEU BRUSSELS",
    "TO RUEHC/SECSTATE WASHDC IMMEDIATE 2872",
    "TO PAGE 02        STATE   015113 182333Z",
    "INFO RUCNNSG/NUCLEAR SUPPLIERS GROUP COLLECTIVE PRIORITY",
    "INFO  LOG-00   MFA-00   EEB-00   AF-00",
    "RUEHAK/AMEMBASSY ANKARA PRIORITY 3363",
    "AMEMBASSY NEW DELHI PIORITY",
    "XMT AMCONSUL JOHANNESBURG",
    "C O N F I D E N T I A L SECTION 01 OF 04 ROME 001240",
    "S e c r e t nairobi 001938",
    "UNCLAS SECTION 01 OF 02 ADANA 0386",
    "This record is a partial extract of the original cable. "
    "The full text of the original cable is not available.",
    "SIPDIS",
    "NOFORN, NOT FOR INTERNET DISTRIBUTION",
    "E.O. 12958: DECL: 11/02/2019",
    "E.O. 12958: DECL: 13/45/2019",
    "EO 12958 N/A TAGS: PGOV PREL",
    "TAGS: PREL PARM UNSC KNNP KSUM",
    "Tags: ovip (steinberg, james b.), prel,",
    "SUBJECT: G-8 NONPROLIFERATION DIRECTORS GROUP MEETING",
    "SUBJECT: (S) GERMANY TAKING ACTION ON",
    "REF: A. STATE 12345 B. ROME 1234",
    "Ref(s): A) 08 RIO DE JAN 138; B) 08 RIO DE JAN 0044 and previous",
    "REF: A. SECSTATE 15113  B. DOHA 152 (08)",
    "ROME 00001240 002.2 OF 004",
    "Classified By: Political-Military Counselor Liam Wasley for Reasons 1.4",
    "(b) and (d)",
    "Summary",
    "-------",
    "1. (C) The last Nonproliferation Directors Group (NPDG) meeting of",
    "¶2. (C) legitimizing Iran,s nuclear",
    "End comment. STEVENS 0 03/13/2008 9871 PGOV,PREL,PHUM,PINR,LY DETAINED ",
    "2007-09-11 09:44:00\t07BERN881\tEmbassy Bern\tSECRET\t07STATE124823\tVZCZCXRO4549\\",
    "Declassified/Released US Department of State EO",
    "THORNE",
    "",
    " ",
]

lines = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.builds(
        lambda a, b: a[: len(a) // 2] + b, st.sampled_from(FRAGMENTS), st.sampled_from(FRAGMENTS)
    ),
)
texts = st.builds(
    lambda parts, end: end.join(parts),
    st.lists(lines, max_size=40),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
metadata: st.SearchStrategy[dict[str, str]] = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {"id": st.sampled_from(["09ROME1240", "09SECTION01OF03SANJOSE525", "x y", "../../etc"])},
        optional={
            "created": st.sampled_from(
                ["2009-11-10 16:42:00", "Wed Nov 20 00:00:00 +0100 2002", "soon"]
            ),
            "classification": st.sampled_from(["CONFIDENTIAL", "secret"]),
            "tags": st.sampled_from(["PREL PARM", ""]),
        },
    ),
)


def check_invariants(result: ParseResult, text: str) -> None:
    cable = result.document.cable
    assert result.document.original == text
    assert validate_cable_id(cable.id) == cable.id
    assert cable.source is not None and cable.source.file == "fuzz.txt"
    if cable.created is not None:
        assert 1966 <= cable.created.year <= 2065
    if cable.declassify_on is not None and re.fullmatch(r"\d{4}-\d\d-\d\d", cable.declassify_on):
        assert cable.declassify_on >= "1966"
    assert cable.sections is not None and cable.sections >= 0
    assert all(tag and tag == tag.strip() for tag in cable.tags)
    assert all(a.name for a in (*cable.to, *cable.info))
    assert set(cable.warnings) == {p.message for p in result.problems}
    assert all(p.path == "fuzz.txt" and p.line is not None and p.line >= 1 for p in result.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, meta=metadata)
def test_parse_cable_keeps_its_invariants_on_any_text(text: str, meta: dict[str, str]) -> None:
    raw = RawCable(text=text, file="fuzz.txt", line=1, format="telegram", metadata=meta)
    try:
        result = parse_cable(raw, TABLES)
    except ParseError as exc:
        assert str(exc).startswith("fuzz.txt:1: ")
        return
    check_invariants(result, text)


@pytest.mark.parametrize(
    "text",
    [
        "UNCLAS ROME 001234\nE.O." + " " * 50_000 + "x\n",
        "UNCLAS" + "/" * 50_000 + "x\n",
        "SUBJECT: " + "(U/A" * 12_000 + "\n",
        "TAGS: X,\n" + "ABCDEFGHIJKL" * 4_000 + "!\n",
        "Classified By: " + "x" + " " * 50_000 + "for\n",
        "REF: ROME 12 AND " + "1 , " * 12_000 + "\n",
        "x" * 1_000_000,
        "\n" * 100_000 + "UNCLAS ROME 001234\n",
    ],
    ids=[
        "eo-spaces",
        "banner-slashes",
        "portion-marks",
        "tag-run",
        "classified-spaces",
        "ref-numbers",
        "one-long-line",
        "blank-lines",
    ],
)
def test_parse_cable_reads_pathological_text_in_one_pass(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs that make backtracking regular expressions take quadratic or exponential time.

    Each is parsed after a valid header, so every front-matter reader runs over it;
    the result is a cable (the header names it) with its original kept whole. The
    Markdown body is left out here (parse_body has its own tests): this is about the
    front-matter readers, which must get through each of these in well under a second.
    """
    monkeypatch.setattr(parse_module, "body_to_markdown", lambda text, **_: BodyResult("", None))
    header = (
        "O 101642Z NOV 09\nFM AMEMBASSY ROME\nTO RUEHC/SECSTATE WASHDC\n\n"
        "C O N F I D E N T I A L ROME 001240\n"
    )
    raw = RawCable(text=header + text, file="fuzz.txt", line=1, format="telegram")
    result = parse_cable(raw, TABLES)
    assert result.document.cable.id == "09ROME1240"
    assert result.document.original == header + text
