"""The telegram text -> the Markdown body of a cable page (artifacts removed, garbling repaired)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import Problem


@dataclass(frozen=True, slots=True)
class BodyResult:
    """The Markdown body, the summary paragraph(s) (repaired text) or None, and problems."""

    markdown: str
    summary: str | None
    problems: tuple[Problem, ...] = ()


def body_to_markdown(text: str, *, file: str = "<text>", line: int = 1) -> BodyResult:
    """Turn the telegram text (header lines included) into the cable's Markdown body."""
    return BodyResult(markdown=text, summary=None)


def repair_text(text: str) -> str:
    """Repair the release's character garbling (Iran,s -> Iran's, &...8 -> quotes, ' ) ' -> dash)."""
    return text
