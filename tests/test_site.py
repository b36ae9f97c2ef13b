"""The archive in memory: indexes, slugs, cited-by, neighbours from the same post."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from generator.config import config_from_data
from generator.site import CableMeta, assign_slugs, build_site, month_counts


def meta(
    cable_id: str,
    when: datetime | None,
    origin: str = "Embassy Rome",
    tags: tuple[str, ...] = ("PREL",),
    refs: tuple[str, ...] = (),
    to: tuple[str, ...] = ("SECSTATE WASHDC",),
    info: tuple[str, ...] = (),
) -> CableMeta:
    return CableMeta(
        cable_id, f"SUBJECT {cable_id}", when, "CONFIDENTIAL", origin, tags, to, info, refs, "", ""
    )


CONFIG = config_from_data({"title": "t"}, Path("/tmp/site"))


def test_build_site_indexes_every_kind_in_date_order() -> None:
    site = build_site(
        CONFIG,
        [
            meta("09ROME2", datetime(2009, 11, 2)),
            meta("09ROME1", datetime(2009, 11, 1), info=("AMEMBASSY PARIS",)),
            meta("08PARIS1", datetime(2008, 1, 1), origin="Embassy Paris", tags=("PREL", "FR")),
        ],
    )
    assert list(site.cables) == ["08PARIS1", "09ROME1", "09ROME2"]
    prel = site.indexes["tag"].terms["PREL"]
    assert prel.cable_ids == ("08PARIS1", "09ROME1", "09ROME2")
    assert prel.url == "/tag/prel/"
    assert site.indexes["addressee"].terms["AMEMBASSY PARIS"].cable_ids == ("09ROME1",)
    assert site.indexes["addressee"].terms["SECSTATE WASHDC"].url == "/addressee/secstate-washdc/"
    assert site.indexes["month"].terms["2009-11"].title == "November 2009"
    assert site.indexes["month"].terms["2009-11"].url == "/date/2009/11/"
    assert site.indexes["year"].listing_url == "/date/"
    assert site.indexes["origin"].terms["Embassy Rome"].url == "/origin/embassy-rome/"


def test_cited_by_and_post_neighbours() -> None:
    site = build_site(
        CONFIG,
        [
            meta("A1", datetime(2009, 1, 1)),
            meta("A2", datetime(2009, 1, 2), refs=("A1", "ZZ9")),
            meta("A3", datetime(2009, 1, 3), refs=("A1",)),
            meta("B1", datetime(2009, 1, 2), origin="Embassy Paris"),
        ],
    )
    assert site.cited_by["A1"] == ("A2", "A3")
    assert "ZZ9" not in site.cited_by
    assert site.neighbours["A2"] == ("A1", "A3")
    assert site.neighbours["B1"] == (None, None)


def test_colliding_slugs_are_distinct_and_stable() -> None:
    slugs = assign_slugs({"SECSTATE WASHDC": 10, "SECSTATE  WASHDC.": 1, "secstate washdc": 2})
    assert slugs["SECSTATE WASHDC"] == "secstate-washdc"
    assert len(set(slugs.values())) == 3
    again = assign_slugs({"secstate washdc": 2, "SECSTATE  WASHDC.": 1, "SECSTATE WASHDC": 10})
    assert again == slugs


def test_only_configured_indexes_are_built() -> None:
    config = config_from_data({"title": "t", "indexes": ["tag"]}, Path("/tmp/site"))
    site = build_site(config, [meta("A1", datetime(2009, 1, 1))])
    assert set(site.indexes) == {"tag"}


def test_month_counts_fill_empty_months() -> None:
    counts = month_counts([datetime(2009, 11, 1), datetime(2010, 1, 5), datetime(2010, 1, 6), None])
    assert counts == [("2009-11", 1), ("2009-12", 0), ("2010-01", 2)]
