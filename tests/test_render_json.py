"""Faster writers, same bytes: render_json.to_json is json.dumps; the date filters are strftime."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from generator.build_frontmatter import read_cable_fast
from generator.cable import cable_to_front_matter
from generator.render import format_atom, format_date, format_datetime
from generator.render_json import to_json

SITES = Path(__file__).parent / "sites"


def reference(data: dict[str, object]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def test_to_json_matches_json_dumps_on_the_minimal_archive() -> None:
    paths = sorted((SITES / "minimal" / "content").rglob("*.md"))
    assert paths
    for path in paths:
        data = cable_to_front_matter(read_cable_fast(path).cable)
        assert to_json(data) == reference(data), path


def test_to_json_escapes_quotes_controls_and_keeps_unicode_and_surrogates() -> None:
    data: dict[str, object] = {
        "subject": 'A "quoted" \\ back\nslash\t\x00\x1f\x7f é ☃ \U0001f600 \udcff',
        "sections": 0,
        "extra": {"b": [], "a": {}, "c": [True, False, None, -3, {"z": ["x"]}]},
    }
    assert to_json(data) == reference(data)


def test_to_json_hands_floats_and_odd_keys_to_json_dumps() -> None:
    data: dict[str, object] = {"ratio": 0.1, "when": {1: "one"}, "nan": float("nan")}
    assert to_json(data) == reference(data)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.floats(allow_nan=False))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), values, max_size=6))
def test_to_json_equals_json_dumps_for_any_plain_data(data: dict[str, object]) -> None:
    assert to_json(data) == reference(data)


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_date_filters_write_what_strftime_writes(value: datetime) -> None:
    assert format_atom(value) == value.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert format_datetime(value) == f"{format_date(value)}, {value:%H:%M} UTC"
    assert format_atom(value.date()) == value.date().strftime("%Y-%m-%dT%H:%M:%SZ")


def test_atom_date_of_a_year_before_1000_is_strftimes() -> None:
    assert format_atom(datetime(966, 1, 2, 3, 4, 5)) == "966-01-02T03:04:05Z"
    assert format_datetime(datetime(2009, 11, 10, 16, 42)) == "10 November 2009, 16:42 UTC"
