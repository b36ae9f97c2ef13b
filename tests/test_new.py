"""cablesite new: an archive that builds and checks at once."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main


def test_new_archive_with_sample_builds_and_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "archive"
    assert main(["new", str(target), "--sample"]) == 0
    assert (target / "site.yaml").read_text().startswith("# site.yaml")
    assert (target / "README.md").is_file() and (target / "templates").is_dir()
    assert (target / "content/cables/2009/11/09ROME1240.txt").is_file()
    monkeypatch.chdir(target)
    assert main(["build"]) == 0
    assert (target / "public/cable/2009/11/09ROME1240.html").is_file()
    assert main(["check"]) == 0


def test_new_empty_archive_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "empty"
    assert main(["new", str(target)]) == 0
    assert not any((target / "content").rglob("*.md"))
    monkeypatch.chdir(target)
    assert main(["build"]) == 0
    assert "no cables yet" in (target / "public/index.html").read_text()


def test_new_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.yaml").write_text("title: mine\n")
    assert main(["new", str(tmp_path)]) == 1
    assert "not an empty folder" in capsys.readouterr().err
    assert (tmp_path / "site.yaml").read_text() == "title: mine\n"


def test_build_with_a_bad_config_exits_1_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.yaml").write_text("title: x\npage_sise: 10\n")
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "Did you mean 'page_size'?" in err and "Traceback" not in err


def test_new_archive_is_a_git_repository_that_ignores_what_cablesite_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git = shutil.which("git")
    assert git, "git is needed for this test"
    target = tmp_path / "archive"
    assert main(["new", str(target), "--sample"]) == 0
    monkeypatch.chdir(target)
    assert main(["build"]) == 0
    subprocess.run([git, "init", "-q"], check=True)
    listed = subprocess.run(
        [git, "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    paths = {line[3:].split("/")[0] for line in listed if line}
    assert paths == {".gitignore", "README.md", "content", "site.yaml", "templates"}
    assert any(line.endswith("content/slugs.json") for line in listed)
