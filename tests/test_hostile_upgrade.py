"""An upgrade of cablesite's own code re-renders what it changes, even under the same version.

A copy of the package (generator/ and themes/) is built from, then edited the
way an upgrade would edit it; the incremental build that follows must give
exactly what a clean build with the new code gives.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from hostile_support import tree_bytes

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"

ISO_DATES = """

def format_date(value: date | datetime | None) -> str:  # an upgrade: ISO dates on pages
    return "" if value is None else value.strftime("%Y-%m-%d")
"""


def build_with(package: Path, archive: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(package)}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--jobs", "1", *args],
        cwd=archive,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_a_change_of_the_generator_code_rerenders_pages(tmp_path: Path) -> None:
    package = tmp_path / "package"
    shutil.copytree(
        REPO / "generator", package / "generator", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(REPO / "themes", package / "themes")
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive, ignore=shutil.ignore_patterns(".cablesite-cache"))
    build_with(package, archive)
    page = archive / "public/cable/2009/11/09ROME1240.html"
    assert "10 November 2009" in page.read_text()

    render = package / "generator" / "render.py"
    render.write_text(render.read_text() + ISO_DATES)
    build_with(package, archive)  # incremental: same version number, other code
    assert "10 November 2009" not in page.read_text()
    assert "2009-11-10" in page.read_text()
    build_with(package, archive, "--out", str(tmp_path / "clean"), "--clean")
    assert tree_bytes(archive / "public") == tree_bytes(tmp_path / "clean")
