"""Search in small shards (generator/search.py): the size, its knob, builds of many shards.

Pagefind needs ~0.3 GiB per 1,000 pages of a shard, so shards are small
(SHARD_PAGES) and many; CABLESITE_SEARCH_SHARD_PAGES makes them tiny here so
that the six cables of tests/sites/minimal spread over several shards.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from generator.build import build
from generator.config import load_config
from generator.errors import BuildError
from generator.output import forget_live_state
from generator.search import (
    SHARD_PAGES,
    SHARD_PAGES_VARIABLE,
    plan_shards,
    shard_limit,
)

SITES = Path(__file__).resolve().parent / "sites"
IDS = Path(__file__).resolve().parent.parent / "generator" / "data" / "cable-ids.csv.gz"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A private copy of tests/sites/minimal (six cables of 2006, 2008 and 2009)."""
    target = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", target)
    return target


def shard_urls(public: Path) -> dict[str, list[str]]:
    """The URLs of the pages in each shard's bundle, read from its fragments."""
    listing = json.loads((public / "pagefind/shards.json").read_text())
    found: dict[str, list[str]] = {}
    for name in listing["shards"]:
        urls = []
        for path in sorted((public / "pagefind" / name / "fragment").iterdir()):
            raw = gzip.decompress(path.read_bytes())
            urls.append(json.loads(raw[len(b"pagefind_dcd") :])["url"])
        found[name] = sorted(urls)
    return found


def cable_urls(public: Path) -> list[str]:
    return sorted("/" + p.relative_to(public).as_posix() for p in public.glob("cable/*/*/*.html"))


def test_the_shard_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SHARD_PAGES_VARIABLE, raising=False)
    assert shard_limit() == SHARD_PAGES == 2_000
    monkeypatch.setenv(SHARD_PAGES_VARIABLE, " 3 ")
    assert shard_limit() == 3
    for bad in ("0", "-1", "two", "1.5"):
        monkeypatch.setenv(SHARD_PAGES_VARIABLE, bad)
        with pytest.raises(BuildError, match=f"{SHARD_PAGES_VARIABLE}=.*whole number above 0"):
            shard_limit()


def test_a_bad_shard_size_stops_the_build_with_its_name(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SHARD_PAGES_VARIABLE, "many")
    with pytest.raises(BuildError, match=SHARD_PAGES_VARIABLE):
        build(load_config(archive / "site.yaml"), jobs=1)


def test_the_whole_release_plans_into_shards_of_at_most_2000_pages() -> None:
    """Every id of the release (year from the id, months spread): shards small, none lost."""
    pages: list[tuple[str, datetime | None]] = []
    with gzip.open(IDS, "rt", encoding="ascii") as lines:
        for number, line in enumerate(lines):
            cable_id = line.split(",", 1)[0]
            two = int(cable_id[:2])
            year = 1900 + two if two > 60 else 2000 + two
            pages.append((f"cable/{year}/{cable_id}.html", datetime(year, 1 + number % 12, 1)))
    assert len(pages) == 251_287
    shards = plan_shards(pages)
    sizes = [len(shard.relpaths) for shard in shards]
    assert max(sizes) <= SHARD_PAGES
    assert sorted(p for shard in shards for p in shard.relpaths) == sorted(p for p, _ in pages)
    assert len({shard.name for shard in shards}) == len(shards)
    # packing by whole months wastes little: not many more shards than the pages need
    assert math.ceil(len(pages) / SHARD_PAGES) <= len(shards) <= 1.6 * len(pages) / SHARD_PAGES


def test_a_build_in_tiny_shards_indexes_every_cable_in_exactly_one(
    archive: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(SHARD_PAGES_VARIABLE, "2")
    config = load_config(archive / "site.yaml")
    with caplog.at_level(logging.INFO, logger="generator.search"):
        report = build(config, jobs=1)
    assert not report.failed
    public = config.output_dir
    shards = shard_urls(public)
    assert len(shards) >= 3
    assert all(1 <= len(urls) <= 2 for urls in shards.values()), shards
    indexed = [url for urls in shards.values() for url in urls]
    assert sorted(indexed) == cable_urls(public) and len(cable_urls(public)) == 6
    summary = [r.getMessage() for r in caplog.records if r.getMessage().startswith("search: ")]
    peak = int(summary[-1].rsplit("Pagefind peak ", 1)[1].split(" MiB")[0])
    assert 1 <= peak < 1024  # Pagefind's own peak (/proc), of runs of two pages each


def test_editing_a_cable_in_tiny_shards_indexes_only_its_shard_again(
    archive: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(SHARD_PAGES_VARIABLE, "2")
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    public = config.output_dir
    shards = shard_urls(public)
    before = {p: p.read_bytes() for p in (public / "pagefind").rglob("*") if p.is_file()}
    cable_path = sorted((archive / "content").rglob("*.md"))[-1]
    cable_path.write_text(
        cable_path.read_text(encoding="utf-8") + "\nA sentence about zanzibarian quokkas.\n",
        encoding="utf-8",
    )
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="generator.search"):
        build(config, jobs=1)
    line = [r.getMessage() for r in caplog.records if r.getMessage().startswith("search: ")][-1]
    again = line.split("indexed again: ", 1)[1].split(" (", 1)[0].split(", ")
    url = "/" + cable_path.relative_to(archive / "content").as_posix()
    page_name = Path(url).stem + ".html"
    own = [name for name, urls in shards.items() if any(u.endswith(page_name) for u in urls)]
    assert again == own and len(own) == 1
    after = {p: p.read_bytes() for p in (public / "pagefind").rglob("*") if p.is_file()}
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed and all(
        p.name == "shards.json" or p.is_relative_to(public / "pagefind" / own[0]) for p in changed
    ), sorted(str(p) for p in changed)


def test_memory_is_given_back_once_before_pagefind_and_only_when_it_runs(
    archive: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(SHARD_PAGES_VARIABLE, "2")
    config = load_config(archive / "site.yaml")

    def releases() -> int:
        return sum(r.getMessage().startswith("memory: ") for r in caplog.records)

    with caplog.at_level(logging.INFO, logger="generator.memory"):
        build(config, jobs=1)
        assert releases() == 1  # three shards and more, one release before the first
        forget_live_state(config.output_dir)  # the next build goes the full way
        caplog.clear()
        report = build(config, jobs=1)
        assert report.swapped and releases() == 0  # every shard kept: Pagefind never ran
