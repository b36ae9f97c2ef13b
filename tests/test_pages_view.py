"""The presentation helpers of pages_view: timeline geometry, classification levels, groups."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from generator.config import load_config
from generator.pages_view import (
    GAP_MONTHS,
    LABEL_SPACING,
    MINOR_SPACING,
    classification_level,
    letter_groups,
    tag_groups,
    timeline_chart,
)
from generator.render import load_theme, make_environment

SITES = Path(__file__).resolve().parent / "sites"


def test_timeline_collapses_a_year_without_cables_and_names_it() -> None:
    months = [("1966-12", 1)]
    months += [(f"{y}-{m:02d}", 0) for y in range(1967, 2009) for m in range(1, 13)]
    months += [(f"2009-{m:02d}", m) for m in range(1, 13)]
    chart = timeline_chart(months, plot_height=100)
    assert chart is not None
    assert [gap["label"] for gap in chart["gaps"]] == ["1967–2008"]
    assert len(chart["bars"]) == 13
    assert "left out: 1967–2008" in chart["description"]
    assert chart["description"].startswith("79 cables from December 1966 to December 2009;")
    assert [line["label"] for line in chart["grid"]] == ["5", "10", "15"]
    positions = [float(bar["x"].rstrip("%")) for bar in chart["bars"]]
    assert positions == sorted(positions) and positions[-1] < 100
    assert GAP_MONTHS == 12


def test_timeline_year_labels_never_overlap() -> None:
    months = [(f"{y}-{m:02d}", (y * m) % 7 + 1) for y in range(1985, 2011) for m in range(1, 13)]
    chart = timeline_chart(months, plot_height=100)
    assert chart is not None
    for minor, spacing in ((False, LABEL_SPACING), (True, MINOR_SPACING)):
        shown = [float(y["x"].rstrip("%")) for y in chart["years"] if minor or not y["minor"]]
        assert len(shown) >= 3
        assert all(b - a >= spacing for a, b in itertools.pairwise(shown)), shown


def test_timeline_of_one_month_shows_its_whole_year() -> None:
    chart = timeline_chart([("2009-11", 1)], plot_height=60)
    assert chart is not None and chart["description"] == "1 cable in November 2009."
    assert chart["bars"][0]["x"] == "84.167%"  # November of twelve months: (10 + 0.1) / 12
    assert timeline_chart([], plot_height=60) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SECRET//NOFORN", ("s", True)),
        ("SECRET", ("s", False)),
        ("TOP SECRET", ("ts", False)),
        ("CONFIDENTIAL//NOFORN", ("c", True)),
        ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", ("sbu", False)),
        ("UNCLASSIFIED", ("u", False)),
        (None, ("", False)),
    ],
)
def test_classification_level_of_each_marking(
    name: str | None, expected: tuple[str, bool]
) -> None:
    assert classification_level(name) == expected


def test_groups_keep_the_order_they_are_given() -> None:
    kinds = [("AF", "geography"), ("BRUSSELS", "unknown"), ("PREL", "subject"), ("KNNP", "program")]
    rows = [{"name": name, "kind": kind} for name, kind in kinds]
    assert [g["id"] for g in tag_groups(rows)] == [
        "kind-subject", "kind-program", "kind-geography", "kind-unknown"
    ]  # fmt: skip
    letters = letter_groups([{"name": n} for n in ["1ST ARMY", "AMEMBASSY ROME", "AMCONSUL MILAN"]])
    assert [(g["title"], g["count"]) for g in letters] == [("#", 1), ("A", 2)]


def test_level_badge_escapes_its_text_and_breaks_after_double_slashes() -> None:
    config = load_config(SITES / "minimal/site.yaml")
    env = make_environment(load_theme(config), config)
    macros: Any = env.get_template("_macros.html").module
    out = str(macros.level_badge("<b>SECRET</b>//NOFORN", {"level": "s", "noforn": True}))
    assert out.strip() == (
        '<span class="level level-s level-nf">&lt;b&gt;SECRET&lt;/b&gt;//<wbr>NOFORN</span>'
    )
