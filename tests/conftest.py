"""Shared fixtures: paths to the real corpus beside the checkout, and a throwaway archive writer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_DIR.parent / "shared"
CORPUS_DIR = SHARED_DIR / "corpus"
RAW_DIR = CORPUS_DIR / "raw"
EXPECTED_DIR = CORPUS_DIR / "expected"
CABLEGATE_DIR = CORPUS_DIR / "cablegate-2010"
SITES_DIR = Path(__file__).resolve().parent / "sites"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from the current output"
    )


@pytest.fixture
def write_tree(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    """Write a dict of relative path -> text (or bytes) under tmp_path and return tmp_path."""

    def write(files: Mapping[str, str | bytes]) -> Path:
        for relative, content in files.items():
            path = tmp_path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return tmp_path

    return write
