"""The fast front-matter reader gives exactly what yaml.CSafeLoader gives, on any cable."""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parser
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build_frontmatter import (
    _DIGITS,
    _FAST_RESOLVE,
    _LONGEST_WORD,
    _NOT_NUMERIC,
    _RESOLVERS,
    _UNUSUAL,
    _WORD_FIRST,
    _NotSimple,
    has_unusual_characters,
    parse_simple_front_matter,
    read_cable_fast,
    read_front_matter,
)
from generator.cable import (
    Addressee,
    Cable,
    SourceInfo,
    cable_from_front_matter,
    cable_to_markdown,
    load_front_matter,
    split_front_matter,
)
from generator.cable_files import read_cable, read_file
from generator.errors import ContentError

REPO = Path(__file__).resolve().parent.parent

# Text that stresses YAML: indicators, quotes, resolvable words, unicode, controls, line breaks.
TRICKY = [
    "",
    " ",
    "null",
    "Null",
    "~",
    "yes",
    "No",
    "on",
    "true",
    "0042",
    "42",
    "-7",
    "+1",
    "0x1F",
    "1:20",
    "1e3",
    ".5",
    ".inf",
    "2009-11-10",
    "2009-11-10T16:42:00",
    "<<",
    "=",
    "- item",
    "-x",
    "--",
    "? q",
    "a: b",
    "a:b",
    "a #b",
    "#c",
    "[x]",
    "{y}",
    "a, b",
    "it's",
    "'quoted'",
    '"double"',
    "back\\slash",
    "tab\there",
    "line\nbreak",
    "two\n\nlines",
    "trailing ",
    " leading",
    "NUL\x00",
    "bell\x07",
    "é ü ✓ 東京",
    "nbsp\xa0x",
    "nel\x85x",
    "ls\u2028x",
    "bom\ufeffx",
    "emoji \U0001f600",
    "*star",
    "&anchor",
    "!tag",
    "|pipe",
    ">fold",
    "%pct",
    "@at",
    "`tick",
    "what?",
    "x" * 200,
]
texts = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))
optional = st.one_of(st.none(), texts)
addressees = st.builds(
    Addressee,
    name=texts.filter(lambda t: t.strip() != ""),
    route=optional,
    precedence=optional,
    serial=optional,
    excluded=st.lists(texts, max_size=2).map(tuple),
)
cables = st.builds(
    Cable,
    id=st.from_regex(r"[0-9]{2}[A-Z]{3,10}[0-9]{1,5}", fullmatch=True),
    subject=optional,
    created=st.one_of(st.none(), st.datetimes(min_value=datetime(1960, 1, 1))),
    released=st.one_of(st.none(), st.dates(min_value=date(1960, 1, 1))),
    classification=optional,
    origin=optional,
    tags=st.lists(texts, max_size=6).map(tuple),
    precedence=optional,
    dtg=optional,
    sender=optional,
    to=st.lists(addressees, max_size=3).map(tuple),
    info=st.lists(addressees, max_size=3).map(tuple),
    references=st.lists(texts, max_size=3).map(tuple),
    classified_by=optional,
    reasons=optional,
    declassify_on=optional,
    handling=st.lists(texts, max_size=2).map(tuple),
    signer=optional,
    sections=st.one_of(st.none(), st.integers(min_value=0, max_value=99)),
    summary=optional,
    source=st.one_of(st.none(), st.builds(SourceInfo, format=texts, file=texts, sha256=texts)),
    warnings=st.lists(texts, max_size=2).map(tuple),
    extra=st.dictionaries(
        st.sampled_from(["note", "mine", "yes", "rating"]),
        st.one_of(texts, st.integers(), st.lists(texts, max_size=2)),
        max_size=2,
    ),
)


def front_of(cable: Cable) -> str:
    return split_front_matter(cable_to_markdown(cable, "Body."), "test")[0]


def typed(value: object) -> object:
    """A value with the type of every scalar made visible (True == 1 must not pass)."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cables)
def test_fast_reader_equals_the_yaml_loader_on_written_cables(cable: Cable) -> None:
    front = front_of(cable)
    expected = load_front_matter(front, "test")
    got = read_front_matter(front, "test")
    assert typed(got) == typed(expected)
    assert cable_from_front_matter(got) == cable_from_front_matter(expected)


def test_fast_reader_reads_a_plain_cable_without_the_yaml_loader() -> None:
    cable = Cable(
        id="09ROME1240",
        subject="G-8 NONPROLIFERATION DIRECTORS GROUP MEETING, ROME",
        created=datetime(2009, 11, 10, 16, 42),
        classification="CONFIDENTIAL",
        origin="Embassy Rome",
        tags=("PREL", "PARM", "UNSC", "KNNP", "KSUM"),
        to=(Addressee("SECSTATE WASHDC", "RUEHC", "IMMEDIATE", "2872"),),
        info=(Addressee("NATO EU COLLECTIVE", "RUCNMEM", "PRIORITY", None),),
        references=("09STATE111", "09ROME1111"),
        sections=4,
        summary="The G-8's last meeting under Italy's presidency: 'a success'.",
    )
    front = front_of(cable)
    data = parse_simple_front_matter(front)  # raises _NotSimple if it needed the loader
    assert data["tags"] == ["PREL", "PARM", "UNSC", "KNNP", "KSUM"]
    assert data["to"] == [
        {"route": "RUEHC", "name": "SECSTATE WASHDC", "precedence": "IMMEDIATE", "serial": "2872"}
    ]
    assert data["sections"] == 4 and data["released"] is None
    assert cable_from_front_matter(data) == cable


@pytest.mark.parametrize(
    "front",
    [
        "id: 09X1\n# a comment\nsubject: S\n",
        "id: 09X1\n\nsubject: S\n",
        "id: 09X1\nsubject: S # note\n",
        "id: 09X1\nsubject: >\n  folded\n",
        "id: 09X1\ntags:\n  - PREL\n",
        "id: 09X1\nsections: 0x10\n",
        "id: 09X1\nreleased: 2010-11-28\n",
        "id: 09X1\nflag: yes\n",
        "id: 09X1\nsubject: 'open\n  quote'\n",
        "id: &a 09X1\nalias: *a\n",
        "id: 09X1\r\nsubject: S\r\n",
    ],
)
def test_anything_unusual_goes_to_the_yaml_loader_and_reads_the_same(front: str) -> None:
    with pytest.raises(_NotSimple):
        parse_simple_front_matter(front)
    assert typed(read_front_matter(front, "t")) == typed(load_front_matter(front, "t"))


CORPUS_FILES = sorted((REPO / "content" / "cables").rglob("*.md"))


def test_every_cable_of_the_demo_archive_reads_the_same_fast() -> None:
    assert len(CORPUS_FILES) > 900
    fast_read = 0
    for md_path in CORPUS_FILES:
        assert read_cable_fast(md_path) == read_cable(md_path), md_path
        front, _ = split_front_matter(md_path.read_text(encoding="utf-8"), str(md_path))
        try:
            parse_simple_front_matter(front)
            fast_read += 1
        except _NotSimple:
            pass
    assert fast_read > len(CORPUS_FILES) * 0.8  # most real cables avoid the YAML loader


def test_unusual_characters_are_found_as_the_regex_finds_them_for_every_code_point() -> None:
    for start in range(0, 0x110000, 0x800):
        for point in range(start, start + 0x800):
            text = f"subject: A{chr(point)}B\n"
            assert has_unusual_characters(text) == (_UNUSUAL.search(text) is not None), hex(point)
    assert not has_unusual_characters("id: 09ROME1240\nsubject: 'ROME: IT’S TIME'\n")
    assert has_unusual_characters("subject: A\tB\n")
    assert has_unusual_characters("subject: A\u2028B\n")


def _pattern_characters(pattern: re.Pattern[str]) -> set[str]:
    """Every character a regex can match, read from its parsed form (literals, classes)."""
    found: set[str] = set()

    def walk(items: object) -> None:
        for op, arg in items:  # type: ignore[attr-defined]
            if op is sre_constants.LITERAL:
                found.add(chr(arg))
            elif op is sre_constants.IN:
                for inner_op, inner in arg:
                    if inner_op is sre_constants.LITERAL:
                        found.add(chr(inner))
                    elif inner_op is sre_constants.RANGE:
                        found.update(map(chr, range(inner[0], inner[1] + 1)))
                    else:
                        raise AssertionError(f"{pattern.pattern}: cannot read {inner_op}")
            elif op is sre_constants.SUBPATTERN:
                walk(arg[3])
            elif op is sre_constants.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                walk(arg[2])
            elif op is not sre_constants.AT:
                raise AssertionError(f"{pattern.pattern}: cannot read {op}")

    walk(sre_parser.parse(pattern.pattern, pattern.flags))
    return found


def test_the_resolver_shortcuts_hold_for_the_installed_pyyaml_patterns() -> None:
    # the shortcuts are on for the PyYAML the rules were read from (a new one turns them off)
    assert _FAST_RESOLVE
    allowed = {chr(point) for point in range(0x3000) if not _NOT_NUMERIC.search(chr(point))}
    assert set("0123456789.:-+_eExbabcdefTtZ ") <= allowed and not set("GHUVWYz(,/") & allowed
    for first in _DIGITS:
        assert _RESOLVERS[first]  # float, int, timestamp
        for _, pattern in _RESOLVERS[first]:
            assert _pattern_characters(pattern) <= allowed, pattern.pattern
    for first in _WORD_FIRST:
        for _, pattern in _RESOLVERS[first]:
            longest = sre_parser.parse(pattern.pattern, pattern.flags).getwidth()[1]
            assert longest < _LONGEST_WORD, pattern.pattern  # '$' also lets a newline through


@pytest.mark.parametrize(
    "value",
    [
        "09ROME1240",
        "022118Z NOV 09",
        "1.4 (b), (d)",
        "1",
        "0042",
        "1_000",
        "0x1F",
        "1:20",
        "1e3",
        "2.5",
        "2009-11-10",
        "2009-11-10 16:42:00Z",
        "2009-11-10T16:42:00.5+01:00",
        "0b101",
        "12:30:45",
        "6E",
        "07",
        "08",
        "Nonetheless",
        "Null",
        "NULL",
        "null",
        "False",
        "FALSE",
        "falsely",
        "No",
        "Not yet",
        "ON",
        "Off",
        "offset",
        "TRUE",
        "Truest",
        "yes",
        "Yesterday",
        "N/A",
        "t",
        "3f4e",
    ],
)
def test_plain_values_resolve_as_the_yaml_loader_resolves_them(value: str) -> None:
    front = f"id: 09X1\nsubject: {value}\nsha: {{file: x, sha256: {value}}}\n"
    assert typed(read_front_matter(front, "t")) == typed(load_front_matter(front, "t"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.:-+_eExXbabcdefTtZ ONFYnotyrsulA(", min_size=1, max_size=12))
def test_numeric_looking_values_resolve_as_the_yaml_loader_resolves_them(value: str) -> None:
    front = f"id: 09X1\nsubject: {value}\n"
    try:
        expected = typed(load_front_matter(front, "t"))
    except ContentError:
        return  # not YAML at all
    assert typed(read_front_matter(front, "t")) == expected


def test_read_file_reads_what_read_bytes_reads(tmp_path: Path) -> None:
    for size in (0, 1, 4095, 4096, 70_000):
        path = tmp_path / f"f{size}"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        assert read_file(str(path)) == path.read_bytes()
    with pytest.raises(FileNotFoundError):
        read_file(str(tmp_path / "missing"))
    with pytest.raises(IsADirectoryError):
        read_file(str(tmp_path))
