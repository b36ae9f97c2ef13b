"""yaml_depth: how deep YAML nests, measured on its tokens, whatever PyYAML's C scanner does."""

from __future__ import annotations

import pytest

from generator.yaml_depth import line_deeper_than


def nested_mappings(levels: int) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(levels)) + " " * levels + "v\n"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("x: " + "[" * 31 + "]" * 31 + "\n", None),  # the mapping and 31 lists: 32 levels
        ("x: " + "[" * 32 + "]" * 32 + "\n", 0),
        ("title: t\nextra: {x: " + "[" * 100_000 + "}\n", 1),  # unclosed: found before the end
        ("a: b\n" + "x:\n" + "- " * 40_000 + "x\n", 2),
        ("x: " + "[\n" * 5_000 + "]" * 5_000 + "\n", 31),
        (nested_mappings(32), None),
        (nested_mappings(33), 32),
        ("x: '" + "[" * 5_000 + "'\n", None),  # brackets in a quoted string
        ("x: |\n  " + "[" * 5_000 + "\ny: 1\n", None),  # ... in a block scalar
        ("x: a [ b [ c\n" * 100, None),  # ... in plain text
        ("x: @reserved\ny: " + "[" * 40, None),  # broken before it gets deep
    ],
    ids=lambda value: repr(value)[:30] if isinstance(value, str) else str(value),
)
def test_line_deeper_than_finds_the_line_of_the_first_level_past_the_limit(
    text: str, line: int | None
) -> None:
    assert line_deeper_than(text, 32) == line


def test_line_deeper_than_reads_only_up_to_the_line_of_the_error() -> None:
    text = "a: 1\nb: 2\nc: " + "[" * 100 + "\n"
    assert line_deeper_than(text, 32, until_line=2) == 2
    assert line_deeper_than(text, 32, until_line=1) is None
