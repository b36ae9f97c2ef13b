"""One build at a time per output folder (output_lock): a second stops with a clear error."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build
from generator.config import load_config
from generator.errors import BuildError

SITES = Path(__file__).resolve().parent / "sites"
REPO = Path(__file__).resolve().parent.parent

HOLD = """
import sys, time
from pathlib import Path
from generator.output_lock import output_lock
with output_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def hold_lock(out_dir: Path) -> subprocess.Popen[str]:
    """Another process holding the output's lock, as a running build does."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out_dir)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", target)
    return target


def test_a_second_build_stops_naming_the_folder_and_the_build_holding_it(archive: Path) -> None:
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    before = {p: p.read_bytes() for p in config.output_dir.rglob("*") if p.is_file()}
    holder = hold_lock(config.output_dir)
    try:
        with pytest.raises(BuildError) as error:
            build(config, jobs=1, clean=True)
        assert str(config.output_dir) in str(error.value)
        assert f"process {holder.pid}" in str(error.value)
        after = {p: p.read_bytes() for p in config.output_dir.rglob("*") if p.is_file()}
        assert after == before  # the running build's output was not touched
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_build_is_gone_with_it(archive: Path) -> None:
    config = load_config(archive / "site.yaml")
    holder = hold_lock(config.output_dir)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    report = build(config, jobs=1)
    assert report.swapped and (config.output_dir / "index.html").is_file()


def test_the_command_line_reports_the_held_folder_and_fails(archive: Path) -> None:
    config = load_config(archive / "site.yaml")
    holder = hold_lock(config.output_dir)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "build", "-c", str(archive / "site.yaml")],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode != 0
    assert "another cablesite build is writing this folder" in done.stderr
    assert not (config.output_dir / "index.html").exists()
