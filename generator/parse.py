"""Raw telegram text -> Cable: pure functions with no file access.

The importer hands over a RawCable: the telegram text exactly as the source
holds it (that text becomes the cable's "Original text") plus whatever the
source said about the cable outside the telegram (`metadata`: the table of a
2010 cable page, the labels of a web-page scrape, the columns of cables.csv).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from generator.cable import CableDocument
from generator.errors import ParseError, Problem

# Keys a source's metadata may carry (all values are text as the source wrote them):
#   id, created, released, classification, origin, subject, tags, references
METADATA_KEYS = ("id", "created", "released", "classification", "origin", "subject", "tags", "references")


@dataclass(frozen=True, slots=True)
class RawCable:
    """One cable as found in a source, before parsing.

    `text` is the original telegram (design.md: for a 2010 HTML page the text of
    its <pre> blocks with entities decoded and the ¶ links removed; for a
    cables.csv row its header and content fields; for a web-page scrape
    everything after the metadata block; for a telegram file the whole file).
    `line` is the 1-based line of `file` where the cable starts.
    `format` is one of 'telegram', 'webpage', 'cablegate-html', 'csv', 'metadata-text'.
    """

    text: str
    file: str
    line: int
    format: str
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """A parsed cable and what the parser could not read (also listed in cable.warnings)."""

    document: CableDocument
    problems: tuple[Problem, ...] = ()


def parse_cable(raw: RawCable) -> ParseResult:
    """Parse one raw cable; raise ParseError when the input is not a cable at all."""
    raise ParseError(f"{raw.file}:{raw.line}: the parser is not written yet")
