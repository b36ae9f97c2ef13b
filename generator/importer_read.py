"""Read one source file into a RawCable: decoding, format detection, the single-cable formats.

Formats are told apart by their content, never by the file extension alone:

- 'cablegate-html': a page of the 2010 cable website (metadata table, two <pre> blocks);
- 'webpage': text scraped from a cable web page (09ROME1240: labels, then values,
  'Cable title:', 'Tags:', page chrome, then the telegram);
- 'metadata-text': five lines of metadata then the cable text (02ADANA386);
- 'telegram': the raw telegram, the whole file being the original.

cables.csv dumps are streamed by importer_csv and never reach these functions; the
2010 site's pages are read by importer_html.
"""

from __future__ import annotations

import codecs
import re

from generator.errors import Problem
from generator.parse import RawCable

# Windows-1252 for the bytes 0x80-0x9F it defines; the five it leaves undefined
# keep their Latin-1 meaning (U+0081...), as browsers do for 'ISO-8859-1' text.
# Latin-1 decoding followed by this table is therefore lossless and never fails.
_CP1252_FOR_C1 = {
    byte: ord(bytes([byte]).decode("cp1252"))
    for byte in range(0x80, 0xA0)
    if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")

# ------------------------------------------------------------------ decoding


# decode_text's name for UTF-8 text holding bytes that are not UTF-8 (read as Windows-1252)
MIXED_ENCODING = "utf-8+windows-1252"
_SHOWN_BAD_BYTES = 5  # bytes listed in the warning about them


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a source's bytes: (text, encoding name). Never fails and never loses a byte.

    UTF-8 (a BOM is dropped: it marks the encoding, it is not text), UTF-16 with
    a BOM, else Windows-1252 (the paul-mathieu telegrams are ISO-8859-1, where
    the pilcrow is the single byte 0xB6; ISO-8859-1 text is Windows-1252 text
    wherever it holds printable characters).

    UTF-8 text with a few bytes that are not UTF-8 (a curly quote 0x92 pasted
    from Windows into 'café') is MIXED_ENCODING: its UTF-8 characters are kept
    and only the bad bytes are read as Windows-1252. Reading the whole text as
    Windows-1252 would turn every 'é' into 'Ã©' without a word; the caller warns
    about the bad bytes instead (invalid_utf8_problem). A text is taken for
    UTF-8 when it holds one UTF-8 character that single-byte text hardly ever
    forms by chance (_UTF8_EVIDENCE).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        try:
            return data.decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", "surrogateescape")
    if _UTF8_EVIDENCE.search(escaped):
        return _BAD_BYTE.sub(_cp1252_for_escape, escaped), MIXED_ENCODING
    return codecs.charmap_decode(data, "strict", _WINDOWS_1252_TABLE)[0], "windows-1252"


# byte -> character of decode_text's Windows-1252 (a charmap: str.translate with a dict
# took 4 s for a 10 MB text)
_WINDOWS_1252_TABLE = "".join(chr(_CP1252_FOR_C1.get(byte, byte)) for byte in range(256))

# A UTF-8 character that single-byte text hardly ever forms by chance: U+0080-U+00FF
# ('é' is C3 A9: 'Ã©' in Windows-1252) or anything from U+0800 on (three bytes or more:
# '“' is E2 80 9C). U+0100-U+07FF are left out: 'CAFÉ’S' in Windows-1252 is C9 92, a
# valid UTF-8 'ɒ'.
_UTF8_EVIDENCE = re.compile("[\x80-\xff\u0800-\ud7ff\ue000-\U0010ffff]")


_BAD_BYTE = re.compile("[\udc80-\udcff]")


def _cp1252_for_escape(match: re.Match[str]) -> str:
    byte = ord(match.group()) - 0xDC00
    return chr(_CP1252_FOR_C1.get(byte, byte))


def invalid_utf8_problem(data: bytes, file: str, first_line: int = 1) -> Problem | None:
    """The warning for MIXED_ENCODING text: which lines hold bytes that are not UTF-8.

    `data` is the text's bytes (a BOM may lead); `first_line` the file line where they start.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    escaped = data.decode("utf-8", "surrogateescape")
    shown: list[str] = []
    first: int | None = None
    count = 0
    for match in _BAD_BYTE.finditer(escaped):
        count += 1
        if len(shown) < _SHOWN_BAD_BYTES:
            before = escaped[: match.start()]
            line = first_line + before.count("\n") + before.count("\r") - before.count("\r\n")
            first = line if first is None else first
            char = _cp1252_for_escape(match)
            shown.append(
                f"line {line}: 0x{ord(match.group()) - 0xDC00:02X} as "
                + (f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}")
            )
    if first is None:
        return None
    more = f" and {count - len(shown)} more" if count > len(shown) else ""
    return Problem(
        file,
        first,
        f"{count} byte(s) that are not UTF-8 in UTF-8 text were read as Windows-1252 "
        f"({'; '.join(shown)}{more}): check these characters",
        "warning",
    )


def _squeeze(value: str) -> str:
    """Runs of whitespace (no-break spaces of a web page included) as one space."""
    return " ".join(value.split())


def split_lines(text: str) -> list[str]:
    """Lines with their line ends (LF, CRLF or CR) kept, so that ''.join(lines) == text."""
    return _LINE.findall(text)


# ------------------------------------------------------------------ detection

_WEBPAGE_LABELS = {
    "identifier": "id",
    "reference id": "id",
    "reference": "id",
    "created": "created",
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}
_LABEL_LINE = re.compile(
    r"(?P<label>identifier|reference id|reference|created|released|classification|origin)"
    r"\s*(?::\s*(?P<value>.*?))?\s*",
    re.IGNORECASE,
)
_TITLE_LINE = re.compile(r"(?:cable title|title|subject)\s*:\s*(?P<value>.*?)\s*", re.IGNORECASE)
_TAGS_LINE = re.compile(r"tags\s*:\s*(?P<value>.*?)\s*", re.IGNORECASE)
# Page chrome of scraped cable sites: links and buttons around the cable text.
_CHROME_LINE = re.compile(
    r"(?:pdf|print|share|download|(?:pdf\s+)?how-to\s+read\s+a\s+cable|"
    r"viewing\s+cable\s.*|show\s+headers?|hide\s+headers?)\s*",
    re.IGNORECASE,
)
_ID_LINE = re.compile(r"\s*(?P<id>\d{2}[A-Z][A-Z0-9_-]*\d+[A-Z]?)\s*")
_METADATA_DATE_LINE = re.compile(
    # Wed Nov 20 00:00:00 +0100 2002 (Ruby's Time#to_s), or 2002-11-20 00:00:00
    r"\s*(?:[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}"
    r"|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?)\s*"
)
_HTML_START = re.compile(
    r"\s*<(?:\?xml|!doctype|html|head|body|table|div|code|pre)\b", re.IGNORECASE
)

# Lines that only a telegram has, by kind. A text is taken for a telegram when it
# has lines of two different kinds (one alone could occur in any document).
_TELEGRAM_MARKS = {
    "transmission": re.compile(r"VZCZC\w*|ZCZC\w+"),
    "dtg": re.compile(r"(?:[OPRZ]{1,2}\s+)?\d{6}Z\s+[A-Z]{3}\s+\d{2,4}\b.*", re.IGNORECASE),
    "address": re.compile(r"(?:FM|FROM|TO|INFO)\s+[A-Z].*"),
    "banner": re.compile(
        r"(?:UNCLAS\w*|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|"
        r"C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L|S\s?E\s?C\s?R\s?E\s?T|U\s?N\s?C\s?L\s?A\s?S)\b.*",
        re.IGNORECASE,
    ),
    "eo": re.compile(r"E\.\s?O\.?\s*\d{4,5}\b.*", re.IGNORECASE),
    "tags": re.compile(r"TAGS?\b\s*:?.*", re.IGNORECASE),
    "subject": re.compile(r"(?:SUBJECT|SUBJ)\s*:.*", re.IGNORECASE),
}


def is_html(text: str) -> bool:
    """True for an HTML or XHTML document (what a saved cable page looks like)."""
    return _HTML_START.match(text[:2048]) is not None


def is_webpage_text(lines: list[str]) -> bool:
    """True when the text opens with the labels of a cable page (Identifier, Created, ...)."""
    first = [line.strip() for line in lines[:40] if line.strip()][:8]
    labels = [line for line in first if _LABEL_LINE.fullmatch(line)]
    return bool(first) and _LABEL_LINE.fullmatch(first[0]) is not None and len(labels) >= 2


def is_metadata_text(lines: list[str]) -> bool:
    """True for the five-line format: id, title, date, classification, origin, text."""
    return (
        len(lines) >= 6
        and _ID_LINE.fullmatch(lines[0].lstrip("\ufeff")) is not None
        and _METADATA_DATE_LINE.fullmatch(lines[2]) is not None
        and bool(lines[3].strip())
        and bool(lines[4].strip())
    )


def telegram_marks(lines: list[str]) -> set[str]:
    """The kinds of telegram lines found (see _TELEGRAM_MARKS)."""
    found: set[str] = set()
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        for kind, pattern in _TELEGRAM_MARKS.items():
            if kind not in found and pattern.fullmatch(stripped):
                found.add(kind)
        if len(found) >= 2:
            break
    return found


# ------------------------------------------------------------------ text formats


def read_text_cable(text: str, file: str) -> RawCable | Problem:
    """A decoded text file -> RawCable ('webpage', 'metadata-text', 'telegram') or why not."""
    lines = split_lines(text)
    if not any(line.strip() for line in lines):
        return Problem(file, None, "the file is empty")
    if is_webpage_text(lines):
        return read_webpage_text(lines, file)
    if is_metadata_text(lines):
        return read_metadata_text(lines, file)
    if len(telegram_marks(lines)) >= 2:
        return RawCable(text=text, file=file, line=1, format="telegram")
    return Problem(
        file,
        1,
        "not a cable: no routing header, date-time group, classification banner, TAGS or "
        "SUBJECT line, and not a cable page, cables.csv dump or metadata-and-text file",
    )


def read_webpage_text(lines: list[str], file: str) -> RawCable | Problem:
    """Text scraped from a cable page (09ROME1240): labels, values, title, tags, chrome, telegram.

    Labels may stand alone with their values on the following lines, in the same
    order ('Identifier', 'Created', ..., then '09ROME1240', '2009-11-10 16:42:00', ...),
    or carry their value after a colon. The original is everything after the
    metadata block and the page chrome that follows it.
    """
    metadata: dict[str, str] = {}
    pending: list[str] = []  # bare labels still waiting for their values, in order
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        label = _LABEL_LINE.fullmatch(stripped)
        if not stripped:
            pass
        elif label and label.group("value"):
            key = _WEBPAGE_LABELS[label.group("label").lower()]
            metadata.setdefault(key, _squeeze(label.group("value")))
        elif label and not (pending and metadata):
            pending.append(_WEBPAGE_LABELS[label.group("label").lower()])
        elif pending and not (_TITLE_LINE.fullmatch(stripped) or _TAGS_LINE.fullmatch(stripped)):
            metadata.setdefault(pending.pop(0), _squeeze(stripped))
        else:
            break
        index += 1
    title = _TITLE_LINE.fullmatch(lines[index].strip()) if index < len(lines) else None
    if title:
        index += 1
        parts = [title.group("value")] if title.group("value") else []
        while index < len(lines) and not _TAGS_LINE.fullmatch(lines[index].strip()):
            if not lines[index].strip() and parts:
                index += 1
                break
            parts.append(lines[index].strip())
            index += 1
        subject = " ".join(" ".join(parts).split())
        if subject:
            metadata["subject"] = subject
    while index < len(lines) and not lines[index].strip():
        index += 1
    tags = _TAGS_LINE.fullmatch(lines[index].strip()) if index < len(lines) else None
    if tags:
        if tags.group("value"):
            metadata["tags"] = _squeeze(tags.group("value"))
        index += 1
    while index < len(lines) and (
        not lines[index].strip() or _CHROME_LINE.fullmatch(lines[index].strip())
    ):
        index += 1
    original = "".join(lines[index:])
    if not original.strip():
        return Problem(file, index + 1, "a cable page without the cable text after its metadata")
    return RawCable(text=original, file=file, line=1, format="webpage", metadata=metadata)


def read_metadata_text(lines: list[str], file: str) -> RawCable | Problem:
    """The five-line format of 02ADANA386: id, title, date, classification, origin, text."""
    keys = ("id", "subject", "created", "classification", "origin")
    metadata = {key: _squeeze(line) for key, line in zip(keys, lines, strict=False) if line.strip()}
    metadata["id"] = metadata["id"].lstrip("\ufeff")
    original = "".join(lines[5:])
    if not original.strip():
        return Problem(file, 6, "five lines of cable metadata but no cable text after them")
    return RawCable(text=original, file=file, line=1, format="metadata-text", metadata=metadata)
