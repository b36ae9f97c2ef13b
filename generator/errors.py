"""The one exception family of cablesite, and the record of bad input that does not stop a batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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
