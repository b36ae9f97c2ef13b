"""What each TAGS code means, from the packaged tags.yaml (generator/data/).

Tag pages show a tag's meaning ('PREL' -> 'Political Affairs: External
Political Relations'). The archive is of 2000s cables, so the title in force
then (`name_2010`) is preferred where the handbook renamed a tag since.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from generator.errors import CablesiteError

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

TAGS_PATH = Path(__file__).resolve().parent / "data" / "tags.yaml"


@dataclass(frozen=True, slots=True)
class TagInfo:
    """One TAGS code: 'PREL' -> title 'External Political Relations', kind 'subject'."""

    code: str
    title: str  # the 2010-era title where known, else the handbook's
    kind: str  # subject, program, organization or geography
    group: str | None  # handbook area of a subject tag: 'Political Affairs'
    verified: bool  # False: the title is a best reading, not confirmed by a source

    @property
    def meaning(self) -> str:
        """'Political Affairs: External Political Relations', or the title alone."""
        return f"{self.group}: {self.title}" if self.group else self.title


def load_tag_info(tags_path: Path = TAGS_PATH) -> Mapping[str, TagInfo]:
    """Read tags.yaml into code -> TagInfo; CablesiteError naming the file if it is unreadable."""
    try:
        data = yaml.load(tags_path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise CablesiteError(f"{tags_path}: cannot read the TAGS table: {exc}") from exc
    if not isinstance(data, dict):
        raise CablesiteError(f"{tags_path}: expected a mapping of TAGS codes")
    table: dict[str, TagInfo] = {}
    for code, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        table[str(code)] = TagInfo(
            code=str(code),
            title=str(entry.get("name_2010") or entry["name"]),
            kind=str(entry.get("kind") or "unknown"),
            group=str(entry["group"]) if entry.get("group") else None,
            verified=not entry.get("verify", False),
        )
    return MappingProxyType(table)
