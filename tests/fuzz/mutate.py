"""Hostile inputs for the parser and the importer (issue 7): corpus cables, mutated.

Used by tests/test_hostile_parse.py (a few hundred examples, in CI) and by
tests/fuzz/fuzz_parse.py (the long campaign, run by hand). Everything here is a
pure function of its arguments and a `random.Random`, so a failing example is
reproduced from its seed.

`check_input` runs one input the way `cablesite import` does (detect the format,
read, parse, render the front matter and Markdown, read them back) and returns
what happened; `Outcome.defect` is set when the rules of issue 7 were broken:
an exception that is not a CablesiteError, an error without file and line, a
cable whose original text is not the text read, a front matter that does not
read back to the same cable.
"""

from __future__ import annotations

import io
import random
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from generator.cable import cable_from_markdown, cable_to_markdown, sha256_text
from generator.errors import ParseError, Problem
from generator.importer_sources import _iter_stream_cables
from generator.parse import RawCable, parse_cable
from generator.reference import ReferenceTables

CORPUS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
RAW_DIR = CORPUS_DIR / "raw"
PAGES_ARCHIVE = CORPUS_DIR / "cablegate-2010" / "pages.tar.xz"


def load_seeds(pages: int | None = None) -> list[tuple[str, bytes]]:
    """(name, bytes) of each corpus cable file, then of `pages` 2010 site pages (None: all)."""
    seeds = [(path.name, path.read_bytes()) for path in sorted(RAW_DIR.iterdir()) if path.is_file()]
    with tarfile.open(PAGES_ARCHIVE, "r:xz") as archive:
        for member in archive:
            if pages is not None and len(seeds) >= pages + len(list(RAW_DIR.iterdir())):
                break
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is not None:
                seeds.append((Path(member.name).name, handle.read()))
    return seeds


# ---------------------------------------------------------------- mutations


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [data]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    """1 to 20 bytes set to random values (any byte: NUL, 0x80-0xFF, line ends)."""
    buffer = bytearray(data or b"\x00")
    for _ in range(rng.randint(1, 20)):
        buffer[rng.randrange(len(buffer))] = rng.randrange(256)
    return bytes(buffer)


def truncate(data: bytes, rng: random.Random) -> bytes:
    """Cut at a random byte, inside a UTF-8 character, a tag, an entity, a line end or a line."""
    points = {
        "byte": lambda: rng.randrange(len(data) + 1),
        "utf8": lambda: _find_random(data, rng, lambda b: b >= 0xC0, 1),
        "tag": lambda: _find_random(data, rng, lambda b: b == ord("<"), rng.randint(1, 6)),
        "entity": lambda: _find_random(data, rng, lambda b: b == ord("&"), rng.randint(1, 5)),
        "crlf": lambda: _find_random(data, rng, lambda b: b == ord("\r"), 1),
        "line": lambda: _find_random(data, rng, lambda b: b == ord("\n"), 1),
        "quote": lambda: _find_random(data, rng, lambda b: b == ord('"'), 1),
    }
    return data[: points[rng.choice(sorted(points))]()]


def _find_random(data: bytes, rng: random.Random, wanted: Callable[[int], bool], past: int) -> int:
    start = rng.randrange(len(data) + 1)
    for position in range(start, len(data)):
        if wanted(data[position]):
            return min(len(data), position + past)
    return start


def double_header(data: bytes, rng: random.Random) -> bytes:
    """The first 1-40 lines written twice (a doubled routing header, banner, captions)."""
    lines = _lines(data)
    count = rng.randint(1, min(40, len(lines)))
    return b"".join(lines[:count] * rng.randint(2, 3) + lines[count:])


def delete_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, max(1, len(lines) // 4))):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"".join(lines)


def duplicate_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 10)):
        at = rng.randrange(len(lines))
        lines[at:at] = [lines[at]] * rng.randint(1, 50)
    return b"".join(lines)


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    window = rng.randint(2, 30)
    start = rng.randrange(len(lines))
    part = lines[start : start + window]
    rng.shuffle(part)
    lines[start : start + window] = part
    return b"".join(lines)


def line_ends(data: bytes, rng: random.Random) -> bytes:
    """All line ends rewritten as CRLF, CR, LF, or a random mix (with stray CRs)."""
    lines = [line.rstrip(b"\r\n") for line in _lines(data)]
    style = rng.choice([b"\r\n", b"\r", b"\n", b"mix"])
    if style == b"mix":
        return b"".join(line + rng.choice([b"\r\n", b"\r", b"\n", b"\r\r\n", b"\n\r"])
                        for line in lines)
    return style.join(lines)


def reencode(data: bytes, rng: random.Random) -> bytes:
    """The text re-encoded: UTF-8 with a BOM, Windows-1252 (curly quotes 0x92/0x93), UTF-16."""
    text = data.decode("utf-8", "replace")
    choice = rng.choice(["bom", "cp1252", "utf16", "nul", "tabs"])
    if choice == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if choice == "cp1252":
        text = text.replace("'", "\u2019").replace(" \"", " \u201c").replace("\" ", "\u201d ")
        return text.encode("cp1252", "replace")
    if choice == "utf16":
        return text.encode("utf-16")
    if choice == "nul":
        return data.replace(b" ", b"\x00", rng.randint(1, 50))
    return data.replace(b" ", b"\t", rng.randint(1, 200))


def long_line(data: bytes, rng: random.Random, size: int = 10_000_000) -> bytes:
    """A line of `size` bytes inserted somewhere (words, one character, or a caption run on)."""
    lines = _lines(data)
    unit = rng.choice([b"word ", b"x", b" ", b"REF: A. ", b"TAGS: PREL ", b"(", b"\t", b"-",
                       b"1. (C) ", b"&#x000A;", b"\xe2\x80\x99"])
    at = rng.randrange(len(lines) + 1)
    lines.insert(at, unit * (size // len(unit)) + b"\n")
    return b"".join(lines)


REPEATED_PATTERNS = (
    b"REF: A. ",
    b"REF: A.\n",
    b"A. STATE 12345 B. ROME 1234 ",
    b"(",
    b"((((x))))",
    b"(C) ",
    b"O 101642Z NOV 09\n",
    b"TO RUEHC/SECSTATE WASHDC IMMEDIATE 2872\n",
    b"C O N F I D E N T I A L ROME 001240\n",
    b"E.O. 12958: DECL: ",
    b"Classified By: x for reasons 1.4 (b) and (d)\n",
    b"SUBJECT: ",
    b"TAGS: PREL, ",
    b"ROME 00001240 002.2 OF 004\n",
    b"SIPDIS ",
    b"2007-09-11 09:44:00\t07BERN881\tEmbassy Bern\tSECRET\t\t",
    b"&notably8 ",
    b"Iran,s ",
    b"-- x\n",
    b"1. ",
    b"<pre>",
    b"<a href='#par1'>",
    b"&#",
    b'"1","12/28/1966 18:48",',
    b"\\",
    b"\r",
)


def repeat_pattern(data: bytes, rng: random.Random, count: int = 100_000) -> bytes:
    """A pattern repeated `count` times (100,000 'REF: A.', parentheses...) put in a cable."""
    pattern = rng.choice(REPEATED_PATTERNS)
    lines = _lines(data)
    at = rng.randrange(len(lines) + 1)
    lines.insert(at, pattern * count + b"\n")
    return b"".join(lines)


def random_bytes(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice([0, 1, 10, 100, 5000]))


def splice(data: bytes, rng: random.Random, other: bytes = b"") -> bytes:
    """The start of this cable glued to the end of another (an HTML page on a telegram...)."""
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip": flip_bytes,
    "truncate": truncate,
    "double-header": double_header,
    "delete-lines": delete_lines,
    "duplicate-lines": duplicate_lines,
    "shuffle-lines": shuffle_lines,
    "line-ends": line_ends,
    "reencode": reencode,
    "random-bytes": random_bytes,
}
# the expensive ones: a campaign gives them a smaller share
BIG_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "long-line": long_line,
    "repeat": repeat_pattern,
}


def mutate(data: bytes, rng: random.Random, seeds: list[tuple[str, bytes]], *,
           big: bool) -> tuple[str, bytes]:
    """Apply one to three mutations (names joined with '+'); `big` allows a 10 MB one."""
    names = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        if rng.random() < 0.1:
            names.append("splice")
            data = splice(data, rng, rng.choice(seeds)[1])
            continue
        name = rng.choice(sorted(MUTATIONS))
        names.append(name)
        data = MUTATIONS[name](data, rng)
    if big:
        name = rng.choice(sorted(BIG_MUTATIONS))
        names.append(name)
        data = BIG_MUTATIONS[name](data, rng)
    return "+".join(names), data


# ---------------------------------------------------------------- running one input


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the importer made of one input: cables, failures (Problems), and any defect."""

    cables: int = 0
    failures: int = 0
    warnings: int = 0
    defect: str | None = None


def iter_bytes_cables(data: bytes, file: str) -> Iterator[RawCable | Problem]:
    """The raw cables of a file's bytes, read exactly as iter_file_cables reads a file."""
    yield from _iter_stream_cables(
        io.BufferedReader(io.BytesIO(data)), file, decompress=True, untar=True
    )


def check_input(data: bytes, file: str, tables: ReferenceTables) -> Outcome:
    """Read, parse, render and read back every cable of `data`; record any broken rule."""
    outcome = Outcome()
    try:
        items = list(iter_bytes_cables(data, file))
    except Exception as exc:  # the defect we look for: report it, do not stop the campaign
        return replace(outcome, defect=f"reading raised {type(exc).__name__}: {exc}")
    for item in items:
        if isinstance(item, Problem):
            if not item.path.startswith(file) or not item.message:
                return replace(outcome, defect=f"a problem without its file: {item}")
            outcome = replace(outcome, failures=outcome.failures + 1)
            continue
        defect = check_raw_cable(item, tables)
        if defect == "parse-error":
            outcome = replace(outcome, failures=outcome.failures + 1)
        elif defect is not None:
            return replace(outcome, defect=defect)
        else:
            outcome = replace(outcome, cables=outcome.cables + 1)
    return outcome


def check_raw_cable(raw: RawCable, tables: ReferenceTables) -> str | None:
    """None for a good cable, 'parse-error' for a clean refusal, else the defect found."""
    try:
        result = parse_cable(raw, tables)
    except ParseError as exc:
        if not str(exc).startswith(f"{raw.file}:{raw.line}: "):
            return f"ParseError without file and line: {exc}"
        return "parse-error"
    except Exception as exc:
        return f"parse_cable raised {type(exc).__name__}: {exc}"
    document = result.document
    cable = document.cable
    if document.original != raw.text:
        return "the original text is not the text read"
    if cable.source is None or cable.source.sha256 != sha256_text(raw.text):
        return "source.sha256 does not match the original"
    for problem in result.problems:
        if problem.path != raw.file or problem.line is None or problem.line < raw.line:
            return f"a warning without its file and line: {problem}"
    try:
        markdown = cable_to_markdown(cable, document.body)
        markdown.encode("utf-8")
        back, body = cable_from_markdown(markdown)
    except Exception as exc:
        return f"the front matter does not round-trip: {type(exc).__name__}: {exc}"
    if back != cable:
        changed = [name for name in cable.__slots__ if getattr(back, name) != getattr(cable, name)]
        return f"the front matter reads back different in {changed}"
    if body.strip() != document.body.strip():
        return "the Markdown body reads back different"
    return None
