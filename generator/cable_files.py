"""The cable files in content/: write a cable (.md and its original .txt), list and load them.

    content/cables/2009/11/09ROME1240.md    front matter + Markdown body (cable.cable_to_markdown)
    content/cables/2009/11/09ROME1240.txt   the original telegram text, byte for byte (UTF-8)

A file is written only when its bytes change, and atomically (temp file and
rename), so an interrupted write never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from generator.cable import (
    Cable,
    CableDocument,
    cable_from_front_matter,
    cable_from_markdown,
    cable_relative_path,
    cable_to_markdown,
    load_front_matter,
    original_path,
    split_front_matter,
)
from generator.errors import ContentError, Problem

WriteOutcome = Literal["new", "updated", "unchanged"]


def write_cable(document: CableDocument, content_dir: Path) -> WriteOutcome:
    """Write or refresh one cable in content/; touch nothing when the bytes would not change.

    Keys a user added to the existing front matter are kept (the new parse wins
    for the schema's own keys). Both files are written atomically (temp file and
    rename), so an interrupted import never leaves half a file.
    """
    md_path = content_dir / cable_relative_path(document.cable)
    cable = document.cable
    existed = md_path.exists()
    if existed:
        try:
            previous, _ = cable_from_markdown(md_path.read_text(encoding="utf-8"), md_path)
        except (ContentError, UnicodeDecodeError):
            previous = None
        if previous is not None and previous.extra:
            merged = dict(previous.extra)
            merged.update(cable.extra)
            cable = _replace_extra(cable, merged)
    md_bytes = cable_to_markdown(cable, document.body).encode("utf-8", "surrogatepass")
    txt_bytes = document.original.encode("utf-8", "surrogatepass")
    changed_md = write_bytes_if_changed(md_path, md_bytes)
    changed_txt = write_bytes_if_changed(original_path(md_path), txt_bytes)
    if not existed:
        return "new"
    return "updated" if (changed_md or changed_txt) else "unchanged"


def _replace_extra(cable: Cable, extra: Mapping[str, object]) -> Cable:
    return replace(cable, extra=extra)


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Content files get the usual mode of a new file (0644 with umask 022), not mkstemp's 0600:
# an archive is shared with collaborators and web servers
FILE_MODE = 0o666 & ~_read_umask()


def write_bytes_if_changed(path: Path, data: bytes) -> bool:
    """Atomically write `data` to `path` unless it already holds exactly these bytes."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return True


def iter_content_files(content_dir: Path) -> Iterator[Path]:
    """Every cable .md file under content_dir/cables, in a stable (sorted) order."""
    cables_dir = content_dir / "cables"
    if not cables_dir.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(cables_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                yield Path(dirpath) / name


def read_cable(md_path: Path) -> CableDocument:
    """Read one cable with its body and original text ('' when the .txt file is missing)."""
    try:
        text = md_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"{md_path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    cable, body = cable_from_markdown(text, md_path)
    txt_path = original_path(md_path)
    original = txt_path.read_bytes().decode("utf-8", "surrogateescape") if txt_path.exists() else ""
    return CableDocument(cable=cable, body=body, original=original)


def load_cable_meta(md_path: Path) -> Cable:
    """Read only the front matter of one cable (the build's index needs no bodies)."""
    try:
        text = md_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"{md_path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    front, _ = split_front_matter(text, str(md_path))
    cable = cable_from_front_matter(load_front_matter(front, str(md_path)), md_path)
    return cable


def load_cables(content_dir: Path) -> tuple[list[Cable], list[Problem]]:
    """Load the front matter of every cable under content_dir, collecting problems.

    A broken file, a missing id, an id that disagrees with its file name, or two
    files claiming the same id are each reported as a Problem naming the file;
    the rest of the archive still loads. Cables come back sorted by (created, id).
    """
    cables: list[Cable] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for md_path in iter_content_files(content_dir):
        try:
            cable = load_cable_meta(md_path)
        except ContentError as exc:
            problems.append(Problem(str(md_path), None, str(exc).removeprefix(f"{md_path}: ")))
            continue
        except OSError as exc:
            problems.append(Problem(str(md_path), None, f"cannot read: {exc.strerror}"))
            continue
        if cable.id != md_path.stem:
            problems.append(
                Problem(
                    str(md_path),
                    2,
                    f"id {cable.id!r} disagrees with the file name {md_path.name!r}",
                )
            )
            continue
        if cable.id in seen:
            problems.append(
                Problem(str(md_path), 2, f"duplicate id {cable.id!r}: already in {seen[cable.id]}")
            )
            continue
        seen[cable.id] = md_path
        cables.append(cable)
    cables.sort(key=cable_order)
    return cables, problems


def cable_order(cable: Cable) -> tuple[datetime, str]:
    """Chronological order with ties broken by id; undated cables sort first."""
    return (cable.created or datetime.min, cable.id)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)


def read_file(path: str) -> bytes:
    """A whole file's bytes, as Path.read_bytes gives them, in four system calls.

    Path.read_bytes makes a buffered file object and nine calls (open, two
    fstat, an ioctl, two lseek, two reads, close); a render reads two files
    per cable and the load stage one, 30,000 reads for 10,000 cables. Here:
    open, fstat, one read of a byte more than the size (so a file that grew
    since is noticed and read to its end), close.
    """
    fd = os.open(path, _READ_FLAGS)
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)
        if len(data) == size:
            return data
        chunks = [data]  # the file changed size under us, or the read was short
        while chunk := os.read(fd, max(size + 1 - len(data), 65536)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
