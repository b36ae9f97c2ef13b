"""Broken content files: each is reported with its file name, and the rest of the archive is built.

A copy of the minimal archive gets a folder of bad .md files (broken front
matter, no id, a duplicate id, an id that disagrees with its file name or is no
safe file name, Latin-1, binary garbage, a YAML alias bomb, a Python tag, deep
nesting, a dangling link...). `cablesite build` runs as a subprocess: it must
exit 1 with no traceback, name every bad file, and still publish the six good
cables.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.build import build
from generator.cable_yaml import load_front_matter
from generator.config import load_config
from generator.errors import ContentError

SITES = Path(__file__).resolve().parent / "sites"
GOOD = ["06STATE5", "08PARIS100", "08PARIS101", "09ROME1111", "09ROME1240", "09ROME1300"]
LONG_ID = "A" * 250

BOMB = "\n".join(
    ["---", "id: BOMB", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    + ["tags: *a9", "subject: *a9", "---", "", "body"]
)

# file name in content/cables/2009/11 -> (bytes, words its problem message must contain)
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "BROKENYAML.md": (b"---\nid: [unclosed\nsubject: x\n---\n\nbody\n", "broken front matter"),
    "NOFENCE.md": (b"id: NOFENCE\n\njust text\n", "does not start with a '---'"),
    "UNCLOSED.md": (b"---\nid: UNCLOSED\nsubject: never closed\n", "not closed"),
    "NOID.md": (b"---\nsubject: no id\n---\n\nbody\n", "has no 'id'"),
    "EMPTYID.md": (b"---\nid: ''\n---\n\nbody\n", "has no 'id'"),
    "09MISMATCH1.md": (b"---\nid: 09OTHER1\n---\n\nbody\n", "disagrees with the file name"),
    "LATIN1.md": (b"---\nid: LATIN1\nsubject: caf\xe9 cr\xe8me\n---\n\nna\xefve\n", "not UTF-8"),
    "GARBAGE.md": (random.Random(7).randbytes(4096), "not UTF-8"),
    "NULS.md": (b"\x00" * 512, "does not start with a '---'"),
    "EMPTY.md": (b"", "does not start with a '---'"),
    "LIST.md": (b"---\n- a\n- b\n---\n\nbody\n", "must be a mapping"),
    "SCALAR.md": (b"---\njust a string\n---\n\nbody\n", "must be a mapping"),
    "BADTAGS.md": (b"---\nid: BADTAGS\ntags: PREL\n---\n\nbody\n", "'tags' must be a list"),
    "BADDATE.md": (b"---\nid: BADDATE\ncreated: yesterday\n---\n", "'created' must be an ISO"),
    "BADSECTIONS.md": (b"---\nid: BADSECTIONS\nsections: [1]\n---\n", "'sections' must be"),
    "BADTO.md": (b"---\nid: BADTO\nto: [{route: X}]\n---\n", "needs a 'name'"),
    "PYTAG.md": (
        b"---\nid: PYTAG\nsubject: !!python/object/apply:os.system ['touch pwned']\n---\n",
        "broken front matter",
    ),
    "DEEP.md": (b"---\nid: DEEP\nsubject: " + b"[" * 100_000 + b"\n---\n", "deeper than 64"),
    "DEEPER.md": (b"---\nid: DEEPER\nx: " + b"[" * 5_000 + b"]" * 5_000 + b"\n---\n", "deeper"),
    "DASHES.md": (b"---\nid: DASHES\nx:\n" + b"- " * 40_000 + b"x\n---\n", "deeper than 64"),
    "BOMB.md": (BOMB.encode(), "aliases (*name) of lists or mappings"),
    "CON.md": (b"---\nid: CON\nsubject: reserved name\n---\n", "not usable as a file name"),
    "<script>.md": (b"---\nid: <script>\n---\n", "not usable as a file name"),
    "a b.md": (b"---\nid: a b\n---\n", "not usable as a file name"),
    "\u0410BC1.md": ("---\nid: \u0410BC1\n---\n".encode(), "not usable as a file name"),
    f"{LONG_ID}.md": (f"---\nid: {LONG_ID}\n---\n".encode(), "not usable as a file name"),
}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A copy of the minimal archive with every file of BAD_FILES, a duplicate and a bad link."""
    target = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", target, ignore=shutil.ignore_patterns(".cablesite-cache"))
    folder = target / "content/cables/2009/11"
    for name, (data, _) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    duplicate = target / "content/cables/2010/01"
    duplicate.mkdir(parents=True)
    shutil.copy(folder / "09ROME1240.md", duplicate / "09ROME1240.md")
    os.symlink(tmp_path / "nowhere.md", folder / "DANGLING.md")
    # hidden files are no cables (an interrupted import's temp files start with '.')
    (folder / "..md").write_bytes(b"---\nid: .\n---\n")
    (folder / ".09HIDDEN1.md").write_bytes(b"---\nid: 09HIDDEN1\n---\n")
    return target


def run_build(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", *args],
        cwd=archive,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_every_bad_file_is_named_and_the_good_cables_are_published(archive: Path) -> None:
    result = run_build(archive, "--jobs", "2")
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    folder = archive / "content/cables/2009/11"
    for name, (_, words) in BAD_FILES.items():
        named = [line for line in lines if f"{folder / name}" in line]
        assert named, f"{name} is not reported"
        assert words in named[0], named[0]
    assert any(f"{folder / 'DANGLING.md'}" in line for line in lines)
    duplicate = [line for line in lines if "2010/01/09ROME1240.md" in line]
    assert duplicate and "duplicate id '09ROME1240'" in duplicate[0]
    reported = [line for line in lines if line.startswith("error: ")]
    assert len(reported) == len(BAD_FILES) + 2
    public = archive / "public"
    built = sorted(p.stem for p in public.glob("cable/*/*/*.html"))
    assert built == GOOD
    assert not (archive / "pwned").exists() and not Path("pwned").exists()
    assert "6 cables" in result.stdout


def test_the_problems_come_back_on_a_build_that_changes_nothing(archive: Path) -> None:
    first = build(load_config(archive / "site.yaml"), jobs=1)
    again = build(load_config(archive / "site.yaml"), jobs=1)
    assert not again.swapped and again.failed
    assert sorted(map(str, again.problems)) == sorted(map(str, first.problems))
    assert len(first.problems) == len(BAD_FILES) + 2


def test_fixing_a_bad_file_publishes_it(archive: Path) -> None:
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    folder = archive / "content/cables/2009/11"
    for name in BAD_FILES:
        (folder / name).unlink()
    (folder / "DANGLING.md").unlink()
    shutil.rmtree(archive / "content/cables/2010")
    (folder / "09FIXED1.md").write_text("---\nid: 09FIXED1\nsubject: fixed\n---\n\nbody\n")
    report = build(config, jobs=1)
    assert not report.problems and report.cables == 7
    assert (archive / "public/cable/0000/00/09FIXED1.html").is_file()


@pytest.mark.parametrize(
    ("front", "message"),
    [
        (  # a bomb that PyYAML stops itself (6.0.4): our words, our line
            "id: DEEP\nsubject: x\nextra: " + "[" * 100_000 + "\n",
            "DEEP.md:4: the front matter nests deeper than 64 levels",
        ),
        (  # an error that only mentions nesting is reported as what it is
            "id: BROKEN\nextra: [1, @x]\nmore: " + "[" * 300,
            "BROKEN.md:4: broken front matter: exceeded maximum nesting depth",
        ),
    ],
    ids=["bomb", "other error"],
)
def test_front_matter_nesting_is_told_by_its_structure_not_by_pyyaml_words(
    monkeypatch: pytest.MonkeyPatch, front: str, message: str
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:  # the C parser, in words of its own
        last_line = front.count("\n")  # where a scanner that reads ahead gives up
        mark = yaml.Mark("<unicode string>", 0, last_line, 0, None, None)  # type: ignore[no-untyped-call]
        words = "exceeded maximum nesting depth" if "BROKEN" in front else "zu tief"
        raise yaml.scanner.ScannerError("while scanning", mark, words, mark)

    monkeypatch.setattr(yaml, "parse", refuse)
    monkeypatch.setattr(yaml, "load", refuse)
    name = message.split(":")[0]
    with pytest.raises(ContentError) as info:
        load_front_matter(front, name)
    assert str(info.value) == message
