"""Raw telegram text -> Cable: pure functions with no file access.

The importer hands over a RawCable: the telegram text exactly as the source
holds it (that text becomes the cable's "Original text") plus whatever the
source said about the cable outside the telegram (`metadata`: the table of a
2010 cable page, the labels of a web-page scrape, the columns of cables.csv).
parse_cable reads every front-matter field from the two, with the reference
tables (reference.load_reference_tables, loaded once per process) for post
names and ids. The field readers live in split modules:

    parse_lines      the head of the cable as cleaned lines; line shapes
    parse_structure  where the header, banner and caption region are
    parse_header     DTG, precedence prosigns, FM
    parse_address    TO / INFO / XMT lines, the cable's precedence
    parse_banner     classification banner, handling caveats
    parse_captions   the caption region: TAGS, SUBJECT, REF block
    parse_authority  E.O. line (declassify_on), Classified By (classified_by, reasons)
    parse_refs       REF items and published ids -> canonical ids
    parse_signature  the closing signature
    parse_meta       the source's metadata; the release's classification and origin labels
    parse_body       the Markdown body and summary (owned by the body's engineer)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from generator.cable import Cable, CableDocument, SourceInfo, sha256_text
from generator.errors import ParseError, Problem
from generator.parse_address import cable_precedence, parse_addressees
from generator.parse_banner import Banner
from generator.parse_body import body_to_markdown
from generator.parse_captions import Captions, parse_tags, read_tags
from generator.parse_header import Header, parse_dtg
from generator.parse_lines import (
    DATABASE_ROW_ANYWHERE,
    DATABASE_TAIL,
    head_lines,
)
from generator.parse_meta import (
    classification_from_banner,
    normalise_classification,
    origin_of,
    parse_source_date,
    parse_source_time,
    post_token,
)
from generator.parse_refs import canonical_id, parse_refs
from generator.parse_signature import find_signer
from generator.parse_structure import read_structure
from generator.reference import ReferenceTables

__all__ = [
    "METADATA_KEYS",
    "ParseResult",
    "RawCable",
    "parse_addressees",
    "parse_cable",
    "parse_dtg",
    "parse_refs",
    "parse_tags",
]

# Keys a source's metadata may carry (all values are text as the source wrote them):
#   id, created, released, classification, origin, subject, tags, references
METADATA_KEYS = (
    "id",
    "created",
    "released",
    "classification",
    "origin",
    "subject",
    "tags",
    "references",
)

# The signature is looked for in the last lines of the text (find_signer reads at most
# eight non-blank ones, after trailers such as NARA stamps).
_TAIL_CHARS = 6000
_TAIL_LINES = 24


@dataclass(frozen=True, slots=True)
class RawCable:
    """One cable as found in a source, before parsing.

    `text` is the original telegram (design.md: for a 2010 HTML page the text of
    its <pre> blocks with entities decoded and the ¶ links removed; for a
    cables.csv row its header and content fields; for a web-page scrape
    everything after the metadata block; for a telegram file the whole file).
    `line` is the 1-based line of `file` where the cable starts.
    `format` is one of 'telegram', 'webpage', 'cablegate-html', 'csv', 'metadata-text'.
    `problems` are warnings of the reading (bytes that are not UTF-8 in UTF-8 text):
    parse_cable adds them to the cable's warnings.
    """

    text: str
    file: str
    line: int
    format: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def __reduce__(self) -> tuple[type[RawCable], tuple[object, ...]]:
        # Sent to import workers by the thousand: the constructor's arguments pickle in
        # ~5 us, the slots dataclass's own __getstate__/__setstate__ took ~20 us a cable
        return (
            RawCable,
            (self.text, self.file, self.line, self.format, self.metadata, self.problems),
        )


@dataclass(frozen=True, slots=True)
class ParseResult:
    """A parsed cable and what the parser could not read (also listed in cable.warnings).

    `published_id` is the id the source gave, as written, when it differs from
    the canonical `document.cable.id` ('09SECTION01OF03SANJOSE525'): the 2010
    site's permalinks use it.
    """

    document: CableDocument
    problems: tuple[Problem, ...] = ()
    published_id: str | None = None


@dataclass(slots=True)
class _Notes:
    """Problems found while parsing one cable, with their line in the source file."""

    raw: RawCable
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, line_index: int | None = None) -> None:
        line = self.raw.line + line_index if line_index is not None else self.raw.line
        self.problems.append(Problem(self.raw.file, line, message, "warning"))


def parse_cable(raw: RawCable, tables: ReferenceTables) -> ParseResult:
    """Parse one raw cable into its front matter, Markdown body and original text.

    Raises ParseError (file and line first) when the input is not a cable at
    all: no telegram structure from which an id can be derived and no id in
    the source's metadata. Anything else that cannot be read becomes a
    warning in `problems` and in the cable's `warnings`, and the field stays
    null: a value is never guessed.
    """
    notes = _Notes(raw, list(raw.problems))
    meta = {
        key: value.strip()
        for key, value in raw.metadata.items()
        if isinstance(value, str) and value.strip()
    }
    head = head_lines(raw.text)
    at = head.source_line

    structure = read_structure(head, tables.precedence_variants)
    header, banner, captions = structure.header, structure.banner, structure.captions
    for index, message in structure.problems:
        notes.add(message, at(index))

    published = meta.get("id")
    cable_id, published_id = _cable_id(published, banner, header, meta, tables, notes, at)
    if cable_id is None:
        reason = (
            "no reference id: the source gives none and neither the banner nor the format "
            "lines name one"
            if structure.found
            else "this is not a cable: no telegram header, classification banner or captions "
            "were found"
        )
        raise ParseError(f"{raw.file}:{raw.line}: {reason}")

    created = _created(meta, header, notes)
    released = _released(meta, notes)
    classification = _classification(meta, banner, captions, notes)
    if header.start is None and banner is None:
        notes.add("no telegram header and no classification banner were found")
    body = body_to_markdown(raw.text, file=raw.file, line=raw.line)
    problems = (*notes.problems, *body.problems)
    cable = Cable(
        id=cable_id,
        subject=captions.subject if captions.subject is not None else meta.get("subject"),
        created=created,
        released=released,
        classification=classification,
        origin=meta.get("origin") or origin_of(cable_id, tables, header.sender),
        tags=_tags(captions, meta),
        precedence=cable_precedence(header.to, header.prosigns),
        dtg=header.dtg,
        sender=header.sender,
        to=header.to,
        info=header.info,
        references=_references(captions, meta, cable_id, tables),
        classified_by=captions.classified_by,
        reasons=captions.reasons,
        declassify_on=captions.declassify_on,
        handling=tuple(dict.fromkeys((*(banner.caveats if banner else ()), *captions.handling))),
        signer=find_signer(_telegram_lines(raw.text)),
        sections=banner.sections if banner is not None and banner.sections else 1,
        summary=body.summary,
        source=SourceInfo(format=raw.format, file=raw.file, sha256=sha256_text(raw.text)),
        warnings=tuple(dict.fromkeys(problem.message for problem in problems)),
    )
    document = CableDocument(cable=cable, body=body.markdown, original=raw.text)
    return ParseResult(document=document, problems=problems, published_id=published_id)


def _cable_id(
    published: str | None,
    banner: Banner | None,
    header: Header,
    meta: Mapping[str, str],
    tables: ReferenceTables,
    notes: _Notes,
    line_of: Callable[[int], int],
) -> tuple[str | None, str | None]:
    """(canonical id, published id when it differs) - see cable-format.md 3.4."""
    year = _id_year(header, meta)
    rebuilt = None
    if banner is not None and year is not None:
        rebuilt = tables.resolve_id(year, post_token(banner.post), banner.serial)
    if rebuilt is None and header.station and header.station_serial and year is not None:
        post = tables.posts_by_ri.get(header.station)
        if post is not None:
            rebuilt = tables.resolve_id(year, post, header.station_serial)
    if published is None:
        return rebuilt, None
    canonical = canonical_id(published, tables)
    if canonical == published:
        if rebuilt is not None and rebuilt != canonical:
            named = f"banner names {banner.post} {banner.serial}" if banner else "header names"
            notes.add(
                f"the {named}, which does not match the id {canonical}: "
                "the text may belong to another cable",
                line_of(banner.index) if banner else None,
            )
        return canonical, None
    chosen = rebuilt or canonical
    if chosen is None:
        if published.isalnum():
            notes.add(
                f"the published id {published} cannot be read as year, post and serial; "
                "kept as it is"
            )
            return published, None
        return None, published
    notes.add(f"the published id {published} is malformed; the canonical id is {chosen}")
    return chosen, published


def _id_year(header: Header, meta: Mapping[str, str]) -> str | None:
    if header.dtg_time is not None:
        return f"{header.dtg_time.year % 100:02d}"
    created = parse_source_time(meta.get("created", ""))
    if created is not None:
        return f"{created.year % 100:02d}"
    published = meta.get("id", "")
    return published[:2] if published[:2].isdigit() else None


def _created(meta: Mapping[str, str], header: Header, notes: _Notes) -> datetime | None:
    """The source's creation time when it has one (as printed), else the DTG."""
    text = meta.get("created")
    if text:
        created = parse_source_time(text)
        if created is not None:
            if header.dtg_time is not None and abs((created - header.dtg_time).days) > 1:
                notes.add(
                    f"the source's creation date {text} and the DTG {header.dtg} are more "
                    "than a day apart"
                )
            return created
        notes.add(f"cannot read the creation time '{text}' of the source; using the DTG")
    if header.dtg_time is None:
        notes.add(
            "no creation time: the source gives none and the cable has no readable date-time group"
        )
    return header.dtg_time


def _released(meta: Mapping[str, str], notes: _Notes) -> date | None:
    text = meta.get("released")
    if not text:
        return None
    released = parse_source_date(text)
    if released is None:
        notes.add(f"cannot read the release date '{text}' of the source")
    return released


def _classification(
    meta: Mapping[str, str], banner: Banner | None, captions: Captions, notes: _Notes
) -> str | None:
    text = meta.get("classification")
    if text:
        return normalise_classification(text)
    if banner is None:
        notes.add("no classification: the source gives none and no classification banner was found")
        return None
    return classification_from_banner(banner.classification, (*banner.caveats, *captions.handling))


def _tags(captions: Captions, meta: Mapping[str, str]) -> tuple[str, ...]:
    if captions.tags is not None:
        return captions.tags
    text = meta.get("tags")
    if not text:
        return ()
    tags, _ = read_tags((f"TAGS: {text}",), 0)
    return tags


def _references(
    captions: Captions, meta: Mapping[str, str], cable_id: str, tables: ReferenceTables
) -> tuple[str, ...]:
    if captions.ref_text is not None:
        found = parse_refs(captions.ref_text, cable_id[:2], tables, self_id=cable_id)
        if found:
            return found
    listed = meta.get("references")
    if not listed:
        return ()
    ids: list[str] = []
    for item in listed.replace("|", ",").split(","):
        canonical = canonical_id(item.strip(), tables) if item.strip() else None
        if canonical is not None and canonical != cable_id and canonical not in ids:
            ids.append(canonical)
    return tuple(ids)


def _telegram_lines(text: str) -> list[str]:
    """The last lines of this cable: database rows after it (07BERN881, 08TRIPOLI220) cut off."""
    if "\t" in text:
        row = DATABASE_ROW_ANYWHERE.search(text, 1)
        if row is not None:
            text = text[: row.start()]
    tail_text = text[-_TAIL_CHARS:]
    if "\r" in tail_text:
        tail_text = tail_text.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = tail_text.rsplit("\n", _TAIL_LINES)
    for index in range(len(raw_lines) - 1, max(-1, len(raw_lines) - 4), -1):
        if "/" in raw_lines[index]:
            tail = DATABASE_TAIL.search(raw_lines[index])
            if tail is not None:
                return [*raw_lines[:index], raw_lines[index][: tail.start()]]
    return raw_lines
