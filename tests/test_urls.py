"""Slugs, permalinks and the gate between URLs and files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from generator.config import Permalinks
from generator.errors import BuildError
from generator.urls import (
    cable_url,
    listing_url,
    output_path,
    output_relpath,
    slugify,
    term_url,
    url_of_relpath,
)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("PREL", "prel"),
        ("Embassy Rome", "embassy-rome"),
        ("SECSTATE WASHDC", "secstate-washdc"),
        ("CONFIDENTIAL//NOFORN", "confidential-noforn"),
        ("UN SECURITY COUNCIL COLLECTIVE", "un-security-council-collective"),
        ("Consulate São Paulo", "consulate-sao-paulo"),
        ("  --AU-1--  ", "au-1"),
    ],
)
def test_slugify_follows_the_design(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_never_returns_an_unsafe_or_empty_name() -> None:
    for text in ["../../x", "/etc/passwd", "", "???", "Москва", "CON", "x" * 300]:
        slug = slugify(text)
        assert slug and len(slug) <= 90
        assert "/" not in slug and ".." not in slug
        assert slug != "con"
    assert slugify("Москва") != slugify("Мосpква")


def test_cable_url_keeps_the_2010_scheme() -> None:
    assert (
        cable_url(Permalinks(), "09ROME1240", datetime(2009, 11, 10, 16, 42))
        == "/cable/2009/11/09ROME1240.html"
    )
    assert (
        cable_url(Permalinks(), "09ROME1240", datetime(2009, 11, 10), json=True)
        == "/cable/2009/11/09ROME1240.json"
    )


def test_term_and_listing_urls() -> None:
    assert term_url("/tag/{slug}/", slug="prel") == "/tag/prel/"
    assert term_url("/tag/{slug}/", 2, slug="prel") == "/tag/prel/page/2/"
    assert listing_url("/tag/{slug}/") == "/tag/"
    assert listing_url("/date/{year}/") == "/date/"


def test_output_relpath_maps_folders_to_index_files() -> None:
    assert output_relpath("/") == "index.html"
    assert output_relpath("/tag/prel/") == "tag/prel/index.html"
    assert output_relpath("/cable/2009/11/09ROME1240.html") == "cable/2009/11/09ROME1240.html"
    assert url_of_relpath("tag/prel/index.html") == "/tag/prel/"
    assert url_of_relpath("index.html") == "/"


@pytest.mark.parametrize(
    "url",
    [
        "/../etc/passwd",
        "/tag/../../x/",
        "relative.html",
        "/a//b",
        "/a\\b",
        "/x/\x00",
        "/tag/.hidden/",
        "/con/",
        "/" + "x" * 300 + ".html",
    ],
)
def test_output_path_refuses_anything_leaving_the_output(tmp_path: Path, url: str) -> None:
    with pytest.raises(BuildError):
        output_path(url, tmp_path)


def test_output_path_stays_inside(tmp_path: Path) -> None:
    assert output_path("/tag/prel/", tmp_path) == tmp_path / "tag" / "prel" / "index.html"
