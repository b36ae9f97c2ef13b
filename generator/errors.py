"""The one exception family of cablesite, and the record of bad input that does not stop a batch."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import Literal

# What the machine, not the input, is at fault for: said in words, never a traceback.
ENVIRONMENT_ERRORS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EFBIG: "the file is larger than the system allows",
    errno.ENOTDIR: "a file stands where a folder is needed",
    errno.EISDIR: "a folder stands where a file is needed",
    errno.EEXIST: "something already stands there",
    errno.EIO: "input/output error (a failing disk?)",
}


def environment_reason(exc: OSError) -> str | None:
    """'the disk is full' for ENOSPC and the like (ENVIRONMENT_ERRORS); None for anything else."""
    return ENVIRONMENT_ERRORS.get(exc.errno or 0)


class CablesiteError(Exception):
    """An expected failure: the CLI prints its message (file and line first) and exits 1."""


class ConfigError(CablesiteError):
    """site.yaml is missing, unreadable or invalid."""


class ParseError(CablesiteError):
    """Raw input is not a cable at all (a cable that parses only partly gets warnings instead)."""


class ContentError(CablesiteError):
    """A content file (front-matter Markdown) is unreadable, inconsistent or unsafe."""


class ThemeError(CablesiteError):
    """A theme or template cannot be found, loaded or rendered."""


class BuildError(CablesiteError):
    """The site could not be built or written."""


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One piece of bad input, reported without stopping the batch.

    `path` names the file ('raw/cables.csv'), `line` the 1-based line where the
    problem starts (None when it concerns the whole file), `message` says what is
    wrong in words a user can act on.
    """

    path: str
    line: int | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"
