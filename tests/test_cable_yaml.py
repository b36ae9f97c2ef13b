"""The fast front-matter writer gives exactly the bytes yaml.dump gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cable import SafeDumper, cable_from_markdown, cable_to_front_matter
from generator.cable_files import iter_content_files
from generator.cable_yaml import WORDS_YAML_RESOLVES, dump_front_matter

DEMO_CONTENT = Path(__file__).resolve().parent.parent / "content"
STR_TAG = "tag:yaml.org,2002:str"


def reference_dump(data: object) -> str:
    return str(
        yaml.dump(
            data,
            Dumper=SafeDumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=None,
            width=10_000,
        )
    )


def test_every_demo_cable_front_matter_is_written_as_yaml_dump_writes_it() -> None:
    paths = list(iter_content_files(DEMO_CONTENT))
    assert len(paths) > 1000
    for path in paths:
        cable, _ = cable_from_markdown(path.read_text(encoding="utf-8"), path)
        data = cable_to_front_matter(cable)
        assert dump_front_matter(data, SafeDumper) == reference_dump(data), path


# Characters that decide YAML styles: indicators, quotes, spaces, breaks, controls, non-ASCII
PIECES = [
    *"aZ09 -:#,[]{}&*!|>'\"%@`?.~/()\\=<\t\n\r\x85\u2028\xa0\ufeff’—é",
    *["yes", "No", "null", "true", "1e3", "0x1F", "2019-11-02", "0282", ".inf", "<<"],
    "AMEMBASSY ",
]
TRICKY = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
SPECIAL = ["", " ", "-", "---", "...", "? x", ": x", "- x", "a: b"]
WORDS = st.one_of(TRICKY, st.sampled_from(SPECIAL))
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), WORDS)
ADDRESSEE = st.fixed_dictionaries(
    {"route": st.one_of(st.none(), WORDS), "name": WORDS, "precedence": SCALAR, "serial": SCALAR}
)


@settings(max_examples=400, deadline=None)
@given(
    subject=SCALAR,
    tags=st.lists(WORDS, max_size=4),
    to=st.lists(ADDRESSEE, max_size=3),
    source=st.fixed_dictionaries({"format": WORDS, "file": WORDS, "sha256": WORDS}),
    extra=st.dictionaries(
        st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
        st.one_of(SCALAR, st.lists(SCALAR, max_size=2), st.dictionaries(WORDS, SCALAR, max_size=2)),
        max_size=2,
    ),
)
def test_generated_front_matter_is_written_as_yaml_dump_writes_it(
    subject: object, tags: list[str], to: list[object], source: object, extra: dict[str, object]
) -> None:
    data: dict[str, object] = {"id": "09ROME1240", "subject": subject, "tags": tags, "to": to}
    data["source"] = source
    for key, value in extra.items():
        data.setdefault(key, value)
    assert dump_front_matter(data, SafeDumper) == reference_dump(data)


@pytest.mark.parametrize(
    "value", ["2872", "0282", "yes", "No", "null", "2019-11-02", "a: b", "#x", "x #y", "'q'"]
)
def test_strings_yaml_would_misread_are_quoted_and_read_back(value: str) -> None:
    text = dump_front_matter({"serial": value, "tags": [value]}, SafeDumper)
    assert yaml.safe_load(text) == {"serial": value, "tags": [value]}


def test_the_bool_and_null_words_are_exactly_those_pyyaml_resolves() -> None:
    resolver = yaml.resolver.Resolver()
    for word in WORDS_YAML_RESOLVES:
        assert resolver.resolve(yaml.ScalarNode, word, (True, False)) != STR_TAG, word
    for word in ["y", "n", "Y", "N", "yEs", "nULL", "oN", "Nothing", "NOFORN", "Off limits"]:
        assert resolver.resolve(yaml.ScalarNode, word, (True, False)) == STR_TAG, word
        assert dump_front_matter({"name": word}, SafeDumper) == f"name: {word}\n"
        assert dump_front_matter({"tags": [word]}, SafeDumper) == reference_dump({"tags": [word]})


@pytest.mark.parametrize(
    "summary",
    [
        "First paragraph.\n\nSecond paragraph.",
        "One break\nthree\n\n\nbreaks",
        "\nleading and trailing breaks\n",
        "Iran's\n\n'quoted' - yes: no #x",
        "a space before \na break",
        "a break\n before a space",
        "a tab\t\nand a break",
    ],
)
def test_a_summary_with_paragraphs_is_written_as_yaml_dump_writes_it(summary: str) -> None:
    data: dict[str, object] = {"id": "09ROME1240", "summary": summary, "tags": ["PREL"]}
    text = dump_front_matter(data, SafeDumper)
    assert text == reference_dump(data)
    assert yaml.safe_load(text)["summary"] == summary
