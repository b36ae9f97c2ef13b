"""The Cable record and its front-matter Markdown form: the only contract between import and build.

A cable lives in content/ as two files side by side:

    content/cables/2009/11/09ROME1240.md    YAML front matter + the cleaned Markdown body
    content/cables/2009/11/09ROME1240.txt   the original telegram text, byte for byte (UTF-8)

The original is kept in its own file so that no YAML or Markdown escaping can
touch it (CR line ends, trailing spaces and NUL bytes survive), and so that
loading the metadata of 251,287 cables never reads 1.7 GB of original text.

This module holds the records and their front-matter Markdown form; the YAML
itself is written and loaded by cable_yaml, and the files in content/ are
written, listed and loaded by cable_files.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from generator.cable_yaml import dump_front_matter
from generator.cable_yaml import load_front_matter as load_front_matter
from generator.errors import ContentError

try:  # the C dumper is many times faster; fall back where libyaml is missing
    from yaml import CSafeDumper as SafeDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper  # type: ignore[assignment]

FRONT_MATTER_FENCE = "---\n"
ORIGINAL_SUFFIX = ".txt"

# Cable ids are letters and digits ('09ROME1240', '09SECTION01OF03SANJOSE525');
# anything else could be a path ('../../x') and never reaches the file system.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{n}" for n in range(10)] + [f"LPT{n}" for n in range(10)]
)


@dataclass(frozen=True, slots=True)
class Addressee:
    """One TO or INFO line of the header: 'RUEHC/SECSTATE WASHDC IMMEDIATE 2872'."""

    name: str  # "SECSTATE WASHDC", kept as written
    route: str | None = None  # routing indicator, "RUEHC"
    precedence: str | None = None  # "IMMEDIATE", the word on that line
    serial: str | None = None  # kept as text: "0042" must not lose its zeros
    excluded: tuple[str, ...] = ()  # XMT lines after a collective: posts that did not get it


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a cable came from: format, input file, and the SHA-256 of its original text (UTF-8)."""

    format: str  # "telegram", "webpage", "cablegate-html", "csv", "metadata-text"
    file: str  # the input file as given on the command line
    sha256: str  # of `original` encoded as UTF-8; verifies the .txt beside the .md


@dataclass(frozen=True, slots=True)
class Cable:
    """The front matter of one cable (design.md, "Front matter of a cable").

    A value the cable does not state is None or an empty tuple, never guessed.
    `created` is naive and in UTC. `declassify_on` is an ISO date ('2019-11-02')
    or the marker as written ('X1', 'N/A', 'OADR'). `extra` holds keys a user
    added to the front matter; they survive re-import and reach templates.
    `content_path` is where the cable was loaded from (not part of the front matter).
    """

    id: str
    subject: str | None = None
    created: datetime | None = None
    released: date | None = None
    classification: str | None = None
    origin: str | None = None
    tags: tuple[str, ...] = ()
    precedence: str | None = None
    dtg: str | None = None
    sender: str | None = None
    to: tuple[Addressee, ...] = ()
    info: tuple[Addressee, ...] = ()
    references: tuple[str, ...] = ()
    classified_by: str | None = None
    reasons: str | None = None
    declassify_on: str | None = None
    handling: tuple[str, ...] = ()
    signer: str | None = None
    sections: int | None = None
    summary: str | None = None
    source: SourceInfo | None = None
    warnings: tuple[str, ...] = ()
    extra: Mapping[str, object] = field(default_factory=dict)
    content_path: Path | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CableDocument:
    """A whole cable: its front matter, its Markdown body and its original text."""

    cable: Cable
    body: str  # Markdown, cleaned and repaired
    original: str  # the telegram exactly as the source holds it


FRONT_MATTER_KEYS: tuple[str, ...] = (
    "id",
    "subject",
    "created",
    "released",
    "classification",
    "origin",
    "tags",
    "precedence",
    "dtg",
    "sender",
    "to",
    "info",
    "references",
    "classified_by",
    "reasons",
    "declassify_on",
    "handling",
    "signer",
    "sections",
    "summary",
    "source",
    "warnings",
)
_ADDRESSEE_KEYS = ("route", "name", "precedence", "serial")


# ---------------------------------------------------------------- front matter


def cable_to_front_matter(cable: Cable) -> dict[str, object]:
    """The front matter as plain data, keys in the design's order, user keys after.

    This is also the shape of `/cable/YYYY/MM/ID.json` and of `cablesite parse --json`.
    """
    data: dict[str, object] = {
        "id": cable.id,
        "subject": cable.subject,
        "created": cable.created.isoformat() if cable.created else None,
        "released": cable.released.isoformat() if cable.released else None,
        "classification": cable.classification,
        "origin": cable.origin,
        "tags": list(cable.tags),
        "precedence": cable.precedence,
        "dtg": cable.dtg,
        "sender": cable.sender,
        "to": [_addressee_to_data(a) for a in cable.to],
        "info": [_addressee_to_data(a) for a in cable.info],
        "references": list(cable.references),
        "classified_by": cable.classified_by,
        "reasons": cable.reasons,
        "declassify_on": cable.declassify_on,
        "handling": list(cable.handling),
        "signer": cable.signer,
        "sections": cable.sections,
        "summary": cable.summary,
        "source": (
            {
                "format": cable.source.format,
                "file": cable.source.file,
                "sha256": cable.source.sha256,
            }
            if cable.source
            else None
        ),
    }
    if cable.warnings:
        data["warnings"] = list(cable.warnings)
    for key, value in cable.extra.items():
        if key not in data:
            data[key] = value
    return data


def _addressee_to_data(addressee: Addressee) -> dict[str, object]:
    data: dict[str, object] = {
        "route": addressee.route,
        "name": addressee.name,
        "precedence": addressee.precedence,
        "serial": addressee.serial,
    }
    if addressee.excluded:
        data["excluded"] = list(addressee.excluded)
    return data


def cable_from_front_matter(data: Mapping[str, Any], content_path: Path | None = None) -> Cable:
    """Build a Cable from loaded front matter; raise ContentError naming the key that is wrong."""
    where = str(content_path) if content_path else "front matter"
    cable_id = data.get("id")
    if not isinstance(cable_id, str | int) or not str(cable_id).strip():
        raise ContentError(f"{where}: the front matter has no 'id'")
    try:
        source = data.get("source")
        return Cable(
            id=str(cable_id).strip(),
            subject=_optional_text(data.get("subject")),
            created=_to_datetime(data.get("created")),
            released=_to_date(data.get("released")),
            classification=_optional_text(data.get("classification")),
            origin=_optional_text(data.get("origin")),
            tags=_text_tuple(data.get("tags"), "tags"),
            precedence=_optional_text(data.get("precedence")),
            dtg=_optional_text(data.get("dtg")),
            sender=_optional_text(data.get("sender")),
            to=_addressees(data.get("to"), "to"),
            info=_addressees(data.get("info"), "info"),
            references=_text_tuple(data.get("references"), "references"),
            classified_by=_optional_text(data.get("classified_by")),
            reasons=_optional_text(data.get("reasons")),
            declassify_on=_optional_text(data.get("declassify_on")),
            handling=_text_tuple(data.get("handling"), "handling"),
            signer=_optional_text(data.get("signer")),
            sections=_optional_int(data.get("sections"), "sections"),
            summary=_optional_text(data.get("summary")),
            source=_source(source) if source is not None else None,
            warnings=_text_tuple(data.get("warnings"), "warnings"),
            extra={k: v for k, v in data.items() if k not in FRONT_MATTER_KEYS},
            content_path=content_path,
        )
    except (TypeError, ValueError) as exc:
        raise ContentError(f"{where}: {exc}") from exc


def _optional_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _optional_int(value: object, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"'{key}' must be a whole number, not {value!r}")
    return int(value)


def _text_tuple(value: object, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ValueError(f"'{key}' must be a list, not {value!r}")
    return tuple(str(item) for item in value)


def _to_datetime(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else _as_naive_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(
            f"'created' must be an ISO date-time such as 2009-11-10T16:42:00, not {value!r}"
        ) from None
    return _as_naive_utc(parsed) if parsed.tzinfo else parsed


def _as_naive_utc(value: datetime) -> datetime:
    offset = value.utcoffset()
    naive = value.replace(tzinfo=None)
    return naive - offset if offset else naive


def _to_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(
            f"'released' must be an ISO date such as 2010-11-28, not {value!r}"
        ) from None


def _addressees(value: object, key: str) -> tuple[Addressee, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ValueError(f"'{key}' must be a list of addressees, not {value!r}")
    result = []
    for item in value:
        if not isinstance(item, Mapping) or not item.get("name"):
            raise ValueError(f"each entry of '{key}' needs a 'name', got {item!r}")
        result.append(
            Addressee(
                name=str(item["name"]),
                route=_optional_text(item.get("route")),
                precedence=_optional_text(item.get("precedence")),
                serial=_optional_text(item.get("serial")),
                excluded=_text_tuple(item.get("excluded"), f"{key}.excluded"),
            )
        )
    return tuple(result)


def _source(value: object) -> SourceInfo:
    if not isinstance(value, Mapping):
        raise ValueError(f"'source' must be a mapping with format, file and sha256, not {value!r}")
    return SourceInfo(
        format=str(value.get("format", "")),
        file=str(value.get("file", "")),
        sha256=str(value.get("sha256", "")),
    )


# ---------------------------------------------------------------- Markdown form


def cable_to_markdown(cable: Cable, body: str) -> str:
    """The .md file: '---', YAML front matter, '---', the Markdown body, one final newline."""
    front = dump_front_matter(cable_to_front_matter(cable), SafeDumper)
    return f"{FRONT_MATTER_FENCE}{front}{FRONT_MATTER_FENCE}\n{body.rstrip()}\n"


def split_front_matter(text: str, where: str) -> tuple[str, str]:
    """Split an .md file into (front matter YAML, body); ContentError if the fences are missing."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.startswith(FRONT_MATTER_FENCE):
        raise ContentError(f"{where}:1: the file does not start with a '---' front-matter line")
    end = text.find("\n---\n", len(FRONT_MATTER_FENCE) - 1)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise ContentError(f"{where}: the front matter is not closed by a '---' line")
    front = text[len(FRONT_MATTER_FENCE) : end + 1]
    body = text[end + len("\n---\n") :]
    return front, body.strip("\n")


def cable_from_markdown(text: str, content_path: Path | None = None) -> tuple[Cable, str]:
    """Read an .md file's text into (Cable, Markdown body)."""
    where = str(content_path) if content_path else "<text>"
    front, body = split_front_matter(text, where)
    return cable_from_front_matter(load_front_matter(front, where), content_path), body


# ---------------------------------------------------------------- files in content/


def validate_cable_id(cable_id: str) -> str:
    """Return the id if it is safe as a file name; ContentError otherwise ('../../x', 'CON')."""
    if not _SAFE_ID.fullmatch(cable_id) or cable_id.upper() in _RESERVED_NAMES:
        raise ContentError(
            f"cable id {cable_id!r} is not usable as a file name: an id is letters and digits "
            "(for example 09ROME1240), at most 100 characters"
        )
    return cable_id


def cable_relative_path(cable: Cable) -> Path:
    """'cables/2009/11/09ROME1240.md'; cables without a date go to 'cables/undated/'."""
    return Path(cable_relative_posix(cable))


def cable_relative_posix(cable: Cable) -> str:
    """cable_relative_path as a str, without pathlib objects (import makes one per cable)."""
    cable_id = validate_cable_id(cable.id)
    created = cable.created
    if created is None:
        return f"cables/undated/{cable_id}.md"
    return f"cables/{created.year:04d}/{created.month:02d}/{cable_id}.md"


def original_path(md_path: Path) -> Path:
    """The original-text file beside an .md file."""
    return md_path.with_suffix(ORIGINAL_SUFFIX)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
