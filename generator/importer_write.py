"""One raw cable -> the files it becomes in content/, in two halves.

`prepare_cable` is the heavy half and runs in worker processes: parse, merge
the keys a user added to the cable's previous front matter, render the .md and
the .txt, and compare them with what content/ already holds. `apply_prepared`
is the light half and runs in the importing process, one cable at a time and
in source order: it decides duplicates, writes only the bytes that changed
(atomically) and removes the copy of a cable whose month changed since the last
import, so no id ever has two files.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from generator.cable import (
    ORIGINAL_SUFFIX,
    CableDocument,
    SourceInfo,
    cable_from_markdown,
    cable_relative_posix,
    cable_to_markdown,
    original_path,
    sha256_text,
)
from generator.cable_files import FILE_MODE
from generator.errors import CablesiteError, ContentError, Problem, environment_reason
from generator.parse import ParseResult, RawCable, parse_cable
from generator.reference import ReferenceTables

log = logging.getLogger(__name__)

Outcome = Literal["new", "updated", "unchanged", "failed", "duplicate"]

# id -> the .md files that hold it, relative to content/ ('cables/2009/11/09ROME1240.md')
ContentIndex = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class PreparedCable:
    """What a worker hands back for one raw cable.

    `md_bytes` / `txt_bytes` are None when content/ already holds exactly these
    bytes at `relative_path`. `cable_id` is None when the input failed to parse.
    """

    file: str
    line: int
    cable_id: str | None = None
    relative_path: str | None = None
    md_bytes: bytes | None = None
    txt_bytes: bytes | None = None
    problems: tuple[Problem, ...] = ()

    def __reduce__(self) -> tuple[type[PreparedCable], tuple[object, ...]]:
        # Sent back from the workers: the arguments pickle faster than the slots
        # dataclass's own __getstate__/__setstate__ (see RawCable.__reduce__)
        return (
            PreparedCable,
            (
                self.file,
                self.line,
                self.cable_id,
                self.relative_path,
                self.md_bytes,
                self.txt_bytes,
                self.problems,
            ),
        )


# '.09ROME1240.md.k3j_x9a2.tmp': a file being written (see write_cable_files)
_TEMP_FILE = re.compile(r"\..+\.(?:md|txt)\.[A-Za-z0-9_]+\.tmp")


class ContentWriteError(ContentError):
    """content/ cannot be written (disk full, read-only, no permission): the import stops."""


def index_content(content_dir: Path) -> dict[str, tuple[str, ...]]:
    """Every cable id already in content/ with the .md files that hold it (normally one).

    On the way it deletes the temp files of an import that was killed while
    writing (a SIGKILL leaves them; they are never a cable, and would pile up).
    """
    index: dict[str, tuple[str, ...]] = {}
    cables_dir = content_dir / "cables"
    if not cables_dir.is_dir():
        return index
    for dirpath, dirnames, filenames in os.walk(cables_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        relative_dir = Path(dirpath).relative_to(content_dir).as_posix()
        for name in sorted(filenames):
            if name.startswith("."):
                if _TEMP_FILE.fullmatch(name):
                    _remove_temp_file(Path(dirpath) / name)
                continue
            if name.endswith(".md"):
                index[name[:-3]] = (*index.get(name[:-3], ()), f"{relative_dir}/{name}")
    return index


def _remove_temp_file(path: Path) -> None:
    try:
        path.unlink()
        log.info("%s: removed the temp file of an interrupted import", path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise _write_error(exc, path) from exc


def parse_raw_cable(raw: RawCable, tables: ReferenceTables) -> ParseResult | Problem:
    """Parse one raw cable; a Problem (file, line, reason) if it is not a cable or the parser fails.

    The document always carries its `source` and, when the parser reported
    problems, its `warnings`.
    """
    try:
        result = parse_cable(raw, tables)
    except CablesiteError as exc:
        return Problem(raw.file, raw.line, _without_location(str(exc), raw))
    except Exception as exc:  # a parser bug must not stop the other cables of the batch
        log.exception("%s:%s: the parser failed", raw.file, raw.line)
        return Problem(
            raw.file,
            raw.line,
            f"the parser failed ({type(exc).__name__}: {exc}); please report this",
        )
    cable = result.document.cable
    if cable.source is None:
        digest = sha256_text(result.document.original)
        cable = replace(cable, source=SourceInfo(format=raw.format, file=raw.file, sha256=digest))
    if result.problems and not cable.warnings:
        cable = replace(cable, warnings=tuple(problem.message for problem in result.problems))
    if cable is not result.document.cable:
        result = ParseResult(replace(result.document, cable=cable), result.problems)
    return result


def _without_location(message: str, raw: RawCable) -> str:
    for prefix in (f"{raw.file}:{raw.line}: ", f"{raw.file}: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def prepare_cable(
    raw: RawCable, tables: ReferenceTables, content_dir: Path, index: ContentIndex
) -> PreparedCable:
    """Parse a raw cable and render its files, comparing them with content/ (runs in a worker).

    Never raises: whatever goes wrong with one cable is reported as its Problem,
    so that one bad cable cannot stop a worker and with it the whole import.
    """
    try:
        return _prepare_cable(raw, tables, content_dir, index)
    except Exception as exc:
        log.exception("%s:%s: cannot import this cable", raw.file, raw.line)
        message = f"cannot import this cable ({type(exc).__name__}: {exc}); please report this"
        problem = Problem(raw.file, raw.line, message)
        return PreparedCable(file=raw.file, line=raw.line, problems=(problem,))


def _prepare_cable(
    raw: RawCable, tables: ReferenceTables, content_dir: Path, index: ContentIndex
) -> PreparedCable:
    parsed = parse_raw_cable(raw, tables)
    if isinstance(parsed, Problem):
        return PreparedCable(file=raw.file, line=raw.line, problems=(parsed,))
    document = parsed.document
    warnings = tuple(Problem(p.path, p.line, p.message, "warning") for p in parsed.problems)
    try:
        relative = cable_relative_posix(document.cable)
    except ContentError as exc:
        problem = Problem(raw.file, raw.line, str(exc))
        return PreparedCable(file=raw.file, line=raw.line, problems=(problem,))
    md_bytes = cable_to_markdown(document.cable, document.body).encode("utf-8", "surrogatepass")
    previous_paths = index.get(document.cable.id, ())
    if not previous_paths:
        # content/ held no file of this id when the import started (index_content), so no
        # file to compare with: two stat calls fewer per new cable
        return PreparedCable(
            file=raw.file,
            line=raw.line,
            cable_id=document.cable.id,
            relative_path=relative,
            md_bytes=md_bytes,
            txt_bytes=document.original.encode("utf-8", "surrogatepass"),
            problems=warnings,
        )
    md_path = os.path.join(content_dir, relative)
    md_holds = _holds(md_path, md_bytes)
    if not md_holds:
        # Only a file that differs can hold keys a user added (the usual re-import
        # of an unchanged cable stops at the byte comparison above).
        merged, merge_problem = _keep_user_keys(document, content_dir, previous_paths, relative)
        if merge_problem is not None:
            warnings += (Problem(raw.file, raw.line, merge_problem, "warning"),)
        if merged is not document:
            document = merged
            md_bytes = cable_to_markdown(document.cable, document.body).encode(
                "utf-8", "surrogatepass"
            )
            md_holds = _holds(md_path, md_bytes)
    txt_bytes = document.original.encode("utf-8", "surrogatepass")
    txt_holds = _holds(md_path[: -len(".md")] + ORIGINAL_SUFFIX, txt_bytes)
    return PreparedCable(
        file=raw.file,
        line=raw.line,
        cable_id=document.cable.id,
        relative_path=relative,
        md_bytes=None if md_holds else md_bytes,
        txt_bytes=None if txt_holds else txt_bytes,
        problems=warnings,
    )


def _keep_user_keys(
    document: CableDocument, content_dir: Path, previous_paths: tuple[str, ...], relative: str
) -> tuple[CableDocument, str | None]:
    """Carry the keys a user added to the previous front matter (wherever it is) into the new."""
    if not previous_paths:
        return document, None
    previous_path = content_dir / (relative if relative in previous_paths else previous_paths[0])
    try:
        previous, _ = cable_from_markdown(previous_path.read_text(encoding="utf-8"), previous_path)
    except (ContentError, UnicodeDecodeError, OSError) as exc:
        return document, f"{previous_path}: unreadable front matter is replaced ({exc})"
    if not previous.extra:
        return document, None
    merged = dict(previous.extra)
    merged.update(document.cable.extra)
    return replace(document, cable=replace(document.cable, extra=merged)), None


def _holds(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def apply_prepared(
    prepared: PreparedCable, content_dir: Path, index: dict[str, tuple[str, ...]]
) -> Outcome:
    """Write what changed, remove stale copies of the cable, update `index`; return the outcome.

    Duplicates are decided by the caller before this is called.
    """
    if prepared.cable_id is None or prepared.relative_path is None:
        return "failed"
    cable_id, relative = prepared.cable_id, prepared.relative_path
    md_path = os.path.join(content_dir, relative)
    previous = index.get(cable_id, ())
    txt_path = md_path[: -len(".md")] + ORIGINAL_SUFFIX
    write_cable_files([(txt_path, prepared.txt_bytes), (md_path, prepared.md_bytes)])
    stale = [path for path in previous if path != relative]
    for stale_relative in stale:
        stale_path = content_dir / stale_relative
        try:
            stale_path.unlink(missing_ok=True)
            original_path(stale_path).unlink(missing_ok=True)
        except OSError as exc:
            raise _write_error(exc, stale_path) from exc
        _remove_empty_parents(stale_path.parent, content_dir)
    index[cable_id] = (relative,)
    if not previous:
        return "new"
    if prepared.md_bytes is not None or prepared.txt_bytes is not None or stale:
        return "updated"
    return "unchanged"


def _remove_empty_parents(folder: Path, content_dir: Path) -> None:
    """Remove month and year folders left empty by a moved cable (never content/cables itself)."""
    stop = content_dir / "cables"
    while folder != stop and stop in folder.parents:
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.parent


def write_cable_files(files: list[tuple[str | Path, bytes | None]]) -> None:
    """Write the files of one cable (None: unchanged) so that no kill leaves half of one.

    Every file is first written in full to a temp file beside it, and only then
    are they renamed into place, one right after the other: a kill before the
    renames leaves the old pair (and temp files, which the next import
    deletes), never a truncated file, and the window in which the new .txt
    sits beside the old .md is two system calls long.
    """
    staged: list[tuple[str, str | Path]] = []
    try:
        for path, data in files:
            if data is None:
                continue
            fd, tmp_name = _open_temp_file(path)
            staged.append((tmp_name, path))
            try:
                _write_all(fd, data)
            except OSError as exc:
                raise _write_error(exc, path) from exc
            finally:
                os.close(fd)
        for tmp_name, path in staged:
            try:
                os.replace(tmp_name, path)
            except OSError as exc:
                raise _write_error(exc, path) from exc
    except BaseException:
        for tmp_name, _ in staged:
            Path(tmp_name).unlink(missing_ok=True)
        raise


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL
_TEMP_FLAGS |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_temp_file(path: str | Path) -> tuple[int, str]:
    """A new temp file beside `path`, open for writing: (fd, name), mode FILE_MODE (0644).

    Named after this process ('.09ROME1240.md.4242.tmp'), which spares mkstemp's
    random name, the folder check of mkdir and the file object: six system calls
    fewer per file (of ten). When that name cannot be created (a new
    month folder, a temp file of a killed run, a disk error) the usual way
    (mkdir, mkstemp) runs and reports the error as before.
    """
    folder, name = os.path.split(path)
    folder = folder or "."
    tmp_name = f"{folder}/.{name}.{os.getpid()}.tmp"
    try:
        return os.open(tmp_name, _TEMP_FLAGS, 0o666), tmp_name  # the umask applies
    except OSError:
        pass
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        os.fchmod(fd, FILE_MODE)
        return fd, tmp_name
    except OSError as exc:
        raise _write_error(exc, path) from exc


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_error(exc: OSError, path: str | Path) -> ContentError:
    """A write failure in content/: the disk or the folder is at fault, not one cable."""
    reason = environment_reason(exc)
    named = str(exc.filename) if exc.filename else ""
    where = named if named and not os.path.basename(named).startswith(".") else path
    if reason is None:
        return ContentError(f"{where}: cannot write: {exc.strerror or exc}")
    return ContentWriteError(
        f"{where}: cannot write: {reason}. The import stopped; every cable written so far is "
        "whole. Fix this and run the import again: it goes on where it stopped"
    )
