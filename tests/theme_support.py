"""Helpers of the theme tests: build the minimal and the stress archive once per module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build
from generator.config import load_config

SITES_DIR = Path(__file__).resolve().parent / "sites"
STRESS_URL = "/cable/2010/02/10USUNNEWYORK123.html"


def build_archives(tmp_path_factory: pytest.TempPathFactory, *names: str) -> dict[str, Path]:
    """The public/ folder of each named archive of tests/sites, built from a private copy."""
    built: dict[str, Path] = {}
    for name in names:
        archive = tmp_path_factory.mktemp(name) / "archive"
        shutil.copytree(SITES_DIR / name, archive)
        report = build(load_config(archive / "site.yaml"), clean=True, jobs=1)
        assert not report.problems, report.problems
        built[name] = archive / "public"
    return built
