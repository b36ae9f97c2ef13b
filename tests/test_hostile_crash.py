"""SIGKILL at any moment: the live public/ stays one whole build, content/ never holds half a file.

`cablesite build` and `cablesite import` run as real processes (their own
session, so every process they start can be found) and are killed with
SIGKILL at a series of moments: after fixed delays from the start and on
events seen on disk (the back tree being written, a content file appearing).
After each kill:

- build: public/ is exactly the previous build (byte for byte) or, if the
  kill came after the swap, one whole new build (the same files, every page of
  the new generation); no process of the killed build is left running; the
  next build succeeds and equals a clean build.
- import: every .md parses, has its .txt, and the .txt matches the
  `source.sha256` of the front matter; no process is left running; a second
  import completes the job, leaves no temp file, and equals an uninterrupted
  import.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hostile_support import REPO_DIR, tree_bytes

from generator.build import build
from generator.cable import cable_from_markdown
from generator.config import load_config
from generator.importer import import_sources

CORPUS_RAW = REPO_DIR.parent / "shared" / "corpus" / "raw"
DEMO_CABLES = REPO_DIR / "content" / "cables"
TITLE = re.compile(r"(?m)^title: .*$")


def start_cli(cwd: Path, *args: str) -> subprocess.Popen[bytes]:
    """The CLI in its own session; output to a file (a left-over worker would hold a pipe open)."""
    with (cwd.parent / "cli-output.txt").open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "generator", *args],
            cwd=cwd,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )


def session_members(session_id: int) -> list[str]:
    """'pid command' of every live (not zombie) process of a session."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
            command = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[3]) == session_id and fields[0] != "Z":
            found.append(f"{name} {command[:100].decode(errors='replace')}")
    return found


def kill_at(
    process: subprocess.Popen[bytes], delay: float, event: Callable[[], bool] | None = None
) -> list[str] | None:
    """SIGKILL the process after `delay` seconds or at `event`.

    Returns the processes of its session just before the kill ('pid command',
    the command itself included), or None if it had already ended.
    """
    deadline = time.monotonic() + delay
    while process.poll() is None:
        if (event is not None and event()) or (event is None and time.monotonic() >= deadline):
            break
        time.sleep(0.005)
    members = session_members(process.pid)
    if process.poll() is not None:
        return None
    process.send_signal(signal.SIGKILL)
    process.wait()
    return members


def assert_nothing_left_running(process: subprocess.Popen[bytes], seconds: float = 5.0) -> None:
    """No process started by the killed command outlives it for more than a few seconds.

    Workers, and multiprocessing's own helpers (a fork server, a resource
    tracker) if the command used any: each would hold memory, and a worker
    would go on writing after its command died. They are given `seconds`
    to notice and exit.
    """
    deadline = time.monotonic() + seconds
    while (left := session_members(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for line in left:  # do not leak them into the rest of the test run
        os.kill(int(line.split()[0]), signal.SIGKILL)
    assert not left, "processes of the killed command still run:\n" + "\n".join(left)


# ---------------------------------------------------------------- build


def demo_archive(target: Path, every: int = 50) -> Path:
    """Every 50th cable of the demo archive (21 of them), with search, the demo's site.yaml."""
    target.mkdir(parents=True)
    shutil.copy(REPO_DIR / "site.yaml", target / "site.yaml")
    for number, md_path in enumerate(sorted(DEMO_CABLES.rglob("*.md"))):
        if number % every:
            continue
        folder = target / "content" / md_path.parent.relative_to(REPO_DIR / "content")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(md_path, folder)
        shutil.copy(md_path.with_suffix(".txt"), folder)
    return target


def set_title(archive: Path, title: str) -> None:
    config = archive / "site.yaml"
    config.write_text(TITLE.sub(f"title: {title}", config.read_text()), encoding="utf-8")


def assert_one_whole_generation(
    public: Path, previous: dict[str, bytes], old_title: str, new_title: str
) -> str:
    """public/ is the previous build, or a whole build with the new title; which one."""
    now = tree_bytes(public)
    assert sorted(now) == sorted(previous), "public/ lost or gained files"
    if now == previous:
        return "previous"
    mixed = []
    for relpath, data in now.items():
        if data != previous[relpath] and (
            new_title.encode() not in data or old_title.encode() in data
        ):
            mixed.append(relpath)
        if relpath.endswith(".html") and old_title.encode() in data:
            mixed.append(relpath)
    assert not mixed, f"public/ mixes two builds: {mixed[:10]}"
    return "new"


def test_killing_build_at_any_moment_leaves_public_whole(tmp_path: Path) -> None:
    archive = demo_archive(tmp_path / "archive")
    public = archive / "public"
    back = archive / ".public.cablesite" / "back"

    first = start_cli(archive, "build")  # killed during the very first build: no public/ yet
    assert kill_at(first, 0.8)
    assert_nothing_left_running(first)
    assert not public.exists() or (public / "index.html").is_file()

    title = "Crash archive 0"
    set_title(archive, title)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build"], cwd=archive, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    previous = tree_bytes(public)

    def back_written() -> bool:  # the back tree is being changed: its manifest is gone
        manifests = archive / ".public.cablesite" / "manifests"
        stat = back.stat() if back.exists() else None
        name = f"{stat.st_dev}-{stat.st_ino}.pickle" if stat else "missing.pickle"
        return stat is not None and not (manifests / name).exists()

    def swapped(inode: int = public.stat().st_ino) -> bool:
        return public.stat().st_ino != inode

    def pagefind_running(session: int = 0) -> bool:  # the search stage (Pagefind is tied)
        return any("pagefind" in line for line in session_members(session))

    moments: list[tuple[float, Callable[[], bool] | None]] = [
        (0.05, None),
        (0.4, None),
        (0.0, back_written),
        (1.2, None),
        (2.5, None),
        (0.0, swapped),
        (0.0, pagefind_running),
    ]
    outcomes = []
    for number, (delay, event) in enumerate(moments, start=1):
        new_title = f"Crash archive {number}"
        set_title(archive, new_title)
        if event is swapped:
            inode = public.stat().st_ino
            event = lambda inode=inode: swapped(inode)  # noqa: E731
        process = start_cli(archive, "build")
        if event is pagefind_running:
            event = lambda pid=process.pid: pagefind_running(pid)  # noqa: E731
        killed = kill_at(process, delay, event)
        assert_nothing_left_running(process)
        if not killed:
            assert process.returncode == 0
        which = assert_one_whole_generation(public, previous, title, new_title)
        outcomes.append(which if killed else "finished")
        if which == "new":
            previous, title = tree_bytes(public), new_title
    assert "previous" in outcomes, outcomes  # at least one kill landed before the swap
    assert outcomes[-1] != "finished", "the kill while Pagefind ran did not land"

    final = subprocess.run(
        [sys.executable, "-m", "generator", "build"], cwd=archive, capture_output=True, check=False
    )
    assert final.returncode == 0, final.stderr.decode()
    build(load_config(archive / "site.yaml"), tmp_path / "clean", clean=True, jobs=1)
    assert tree_bytes(public) == tree_bytes(tmp_path / "clean")
    assert not list(public.rglob(".tmp*"))


# ---------------------------------------------------------------- import


def raw_sources(target: Path) -> Path:
    """A private copy of the corpus's raw cables (telegram text, 2010 pages, a CSV)."""
    target.mkdir()
    for path in sorted(CORPUS_RAW.iterdir()):
        shutil.copy(path, target)
    return target


def assert_content_whole(content: Path) -> None:
    """Every .md parses, has its .txt, and the .txt is the text its front matter hashed."""
    md_paths = sorted(content.rglob("*.md"))
    for md_path in md_paths:
        if md_path.name.startswith("."):
            continue
        cable, _ = cable_from_markdown(md_path.read_text(encoding="utf-8"), md_path)
        txt_path = md_path.with_suffix(".txt")
        assert txt_path.is_file(), f"{md_path} has no original text"
        if cable.source is not None and cable.source.sha256:
            digest = hashlib.sha256(txt_path.read_bytes()).hexdigest()
            assert digest == cable.source.sha256, f"{txt_path} is not the text of {md_path.name}"


def has_children(process: subprocess.Popen[bytes]) -> Callable[[], bool]:
    """An event: the process has started others (its workers)."""
    return lambda: len(session_members(process.pid)) > 1


def test_killing_import_never_leaves_half_a_file(tmp_path: Path) -> None:
    raw = raw_sources(tmp_path / "raw")
    reference = tmp_path / "reference"
    report = import_sources([str(raw)], reference, jobs=1)
    assert report.new > 40 and not report.failed

    work = tmp_path / "work"
    work.mkdir()
    content = work / "content"

    def some_written() -> bool:
        return any(content.rglob("*.md")) if content.exists() else False

    moments: list[tuple[float, str | None]] = [
        (0.3, None),
        (0.0, "workers"),  # as soon as the import has started its worker processes
        (0.0, "written"),
        (1.2, None),
    ]
    kills = []
    for delay, moment in moments:
        process = start_cli(work, "import", str(raw), "--into", "content")
        event = {"workers": has_children(process), "written": some_written}.get(moment or "")
        kills.append(kill_at(process, delay, event))
        assert_nothing_left_running(process)
        assert_content_whole(content)
    assert sum(members is not None for members in kills) >= 3, "the import ended before the kills"
    with_workers = [members for members in kills if members is not None and len(members) > 1]
    assert with_workers, f"no kill came while the import had worker processes: {kills}"

    # the sources change (a line added to every telegram): updates are killed too
    for path in raw.glob("*.txt"):
        path.write_bytes(path.read_bytes().rstrip(b"\n") + b"\n\nADDED AFTER THE FIRST IMPORT\n")
    reference_two = tmp_path / "reference-two"
    import_sources([str(raw)], reference_two, jobs=1)
    for delay in (0.8,):
        process = start_cli(work, "import", str(raw), "--into", "content")
        kill_at(process, delay)
        assert_nothing_left_running(process)
        assert_content_whole(content)

    result = subprocess.run(
        [sys.executable, "-m", "generator", "import", str(raw), "--into", "content"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert_content_whole(content)
    leftovers = [p for p in content.rglob("*") if p.name.startswith(".")]
    assert not leftovers, f"temp files left in content/: {leftovers[:5]}"
    assert tree_bytes(content) == tree_bytes(reference_two)


def test_an_import_removes_the_temp_files_a_killed_import_left(tmp_path: Path) -> None:
    content = tmp_path / "content"
    first = import_sources([str(CORPUS_RAW / "09ROME1240.txt")], content, jobs=1)
    assert first.new == 1
    folder = content / "cables/2009/11"
    left = [folder / ".09ROME1240.md.k3j_x9a2.tmp", folder / ".09ROME1240.txt.4242.tmp"]
    for path in left:
        path.write_bytes(b"---\nid: 09ROME1240\nsubject: half writ")
    keep = folder / ".notes"  # not ours: a hidden file that is no temp file stays
    keep.write_text("mine")
    again = import_sources([str(CORPUS_RAW / "09ROME1240.txt")], content, jobs=1)
    assert again.unchanged == 1 and not again.problems
    assert not any(path.exists() for path in left)
    assert keep.read_text() == "mine"


# ---------------------------------------------------------------- external programs


def test_a_program_started_tied_dies_with_the_process_that_started_it(tmp_path: Path) -> None:
    """Pagefind is started through lifetime.tied: a killed build must not leave it indexing."""
    script = (
        "import subprocess; from generator.lifetime import tied; "
        "subprocess.run(tied(['sleep', '120']), check=False)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_DIR, start_new_session=True)
    deadline = time.monotonic() + 60
    while not any(" sleep 120" in line for line in session_members(parent.pid)):
        assert time.monotonic() < deadline and parent.poll() is None, "the program never started"
        time.sleep(0.01)
    assert kill_at(parent, 0.0)
    assert_nothing_left_running(parent, seconds=3.0)
