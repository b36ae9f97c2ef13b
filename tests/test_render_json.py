"""render_json.to_json writes exactly what json.dumps writes, for front matter and anything else."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from generator.build_frontmatter import read_cable_fast
from generator.cable import cable_to_front_matter
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
