"""No word is lost or duplicated: the words of the Markdown body equal the words of the original.

Apart from removed artifacts and repaired characters.  body_to_markdown
reports every line or span it leaves out (with a category) and every character
repair; this module checks, on every cable of the corpus (the raw files and all
985 pages of the 2010 site), that

1. each removal has the shape of its category (checked with patterns written
   here, independently of the parser's own), and removed captions hold what the
   expected YAML (or the 2010 site's index) says they hold;
2. multiset(words of the body, Markdown stripped) + words of the repaired raw
   snippets - words of their clean replacements
   == multiset(words of the original) - multiset(words of the removals).

A word is a run of letters and digits.
"""

from __future__ import annotations

import csv
import re
import tarfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import CABLEGATE_DIR, EXPECTED_DIR, RAW_DIR

from generator.errors import Problem
from generator.importer import iter_raw_cables
from generator.parse import RawCable
from generator.parse_artifacts import strip_artifacts
from generator.parse_body import BodyResult, body_to_markdown
from generator.parse_normalise import normalise_text

_WORD = re.compile(r"[^\W_]+")
# '2010&#46; An October': a dot that opens a paragraph but is no paragraph number
_DOT_ENTITY = re.compile(r"(?<!\\)&#46;")
_FENCE = re.compile(r"^`{3,}(?:text)?$", re.M)


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text))


def body_words(result: BodyResult) -> Counter[str]:
    """Words of the Markdown body with fences dropped and repairs undone (escapes are no words)."""
    counted = words(_DOT_ENTITY.sub(".", _FENCE.sub("", result.markdown)))
    for repair in result.repairs:
        counted.update(words(repair.raw))
        counted.subtract(words(repair.clean))
    return +counted


# ------------------------------------------ shapes of removed pieces, written independently

_CLASS = (
    r"(?:(?:U ?)?U ?N ?C ?L ?A ?S(?: ?S ?I ?F ?I ?E ?D)?|C ?O ?N ?F ?I ?D ?E ?N ?T ?I ?A ?L"
    r"|S ?E ?C ?R ?E ?T"
    r"|L ?I ?M ?I ?T ?E ?D +O ?F ?F ?I ?C ?I ?A ?L +U ?S ?E)"
)
SHAPES = {
    "banner": re.compile(
        rf"^ *{_CLASS}(?: +(?:E ?F ?T ?O|SENSITIVE|NOFORN))?(?: +SECTION +\d+ +OF +\d+)?"
        r"(?: +[A-Za-z][A-Za-z .'-]* +\d{2,8}| +[A-Z]{3}\d{3,5})? *$",
        re.I,
    ),
    "eo": re.compile(r"^ *E\.? ?O\.? ?\d{4,5}\b.*$", re.I),
    "page_marker": re.compile(
        r"^(?:PAGE +\d{1,3} +[A-Za-z][A-Za-z.'&/ -]* +\d{4,8} +\d{1,3} +OF +\d{1,3}(?: +\d{6}Z)?"
        r"|[A-Za-z][A-Za-z.'&/ -]* +0\d{7} +\d{3}(?:\.\d)?(?: +OF +(?:\d{3}|\d{0,2}\.\.\.)|\.))$",
        re.I,
    ),
    "trailer": re.compile(r"^ *(?:BT|NNNN|#\d{3,6})$"),
    "chrome": re.compile(r"^pdf how-to read a cable$"),
    "tags": re.compile(r"^ *TAGS?\b[^\n]*(?:\n[^\n]{1,80}){0,3}$", re.I),
    "subject": re.compile(r"^ *SUBJ(?:ECT)?\b[^\n]*(?:\n[^\n]*){0,4}$", re.I),
    "classified_by": re.compile(
        r"^ *(?:\d\. *(?:\(\w+\) *)?)?CLASSIFIED +BY\b[^\n]*(?:\n[^\n]{1,45}){0,2}$", re.I
    ),
}
CAVEAT_WORDS = {
    "SIPDIS",
    "NOFORN",
    "NOCONTRACT",
    "ORCON",
    "PROPIN",
    "EXDIS",
    "LIMDIS",
    "NODIS",
    "STADIS",
    "E",
    "F",
    "T",
    "O",
    "EFTO",
    "FOUO",
    "SENSITIVE",
    "BUT",
    "UNCLASSIFIED",
    "FOR",
    "OFFICIAL",
    "USE",
    "ONLY",
    "NOT",
    "INTERNET",
    "DISTRIBUTION",
    "PLEASE",
    "HANDLE",
    "PROTECT",
    "ACCORDINGLY",
}
# Header lines: no lower case, but a DTG written 'Nov 00', a weekday date, a cables.csv row prefix.
ROUTING_SHAPE = re.compile(
    r"^(?:[^a-z\n]{0,90}|\d{6}Z [A-Za-z]{3} \d{2}"
    r"|[A-Z][a-z]+day, \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d"
    r"|(?:\d+\t)?\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\t(?:[^\t\n]*\t){4})$"
)
RECORD_LABEL = re.compile(r"^(?:ID|ORIGIN|DATE|SOURCE|CLASSIFICATION|MISC|DESTINATION): ")
REASON_WORDS = {
    "classified",
    "by",
    "for",
    "reason",
    "reasons",
    "and",
    "or",
    "e",
    "o",
    "eo",
    "section",
    "sections",
}
CSV_ROW = re.compile(r"^\d+\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\t(?P<id>[^\t]+)\t")


@dataclass(frozen=True)
class Case:
    key: str
    raw: RawCable
    expected: dict[str, object] | None  # expected/*.yaml, for the raw corpus
    index_tags: list[str] | None  # the 2010 site's tag index, for its pages


def comparable(line: str) -> str:
    return "---" if re.fullmatch(r" *[-=_]{3,}[-=_ ]*", line) else " ".join(line.split())


def shape_errors(case: Case, result: BodyResult) -> list[str]:
    """Every removal that does not have the shape of its category, in words."""
    errors: list[str] = []
    normalised = normalise_text(case.raw.text)
    stripped = strip_artifacts(normalised)
    lines = normalised.split("\n")
    kept_lines = {
        number for number, line in enumerate(stripped.lines, start=1) if line.strip(" \x0c")
    }
    subject_removals = [r for r in result.removed if r.category == "subject"]
    appended_from: int | None = None
    for removal in result.removed:
        text, category = removal.text, removal.category
        where = f"{case.key}:{removal.line} {category} {text[:80]!r}"
        if category in SHAPES:
            if not SHAPES[category].match(text):
                errors.append(f"{where}: not the shape of a {category}")
        elif category == "caveat":
            if not set(_WORD.findall(text.upper())) <= CAVEAT_WORDS:
                errors.append(f"{where}: not a caveat")
        elif category == "routing":
            errors.extend(
                f"{where}: {line!r} is not a header line"
                for line in text.split("\n")
                if line.strip() and not _is_header_line(line)
            )
        elif category == "page_subject":
            repeated = " ".join(text.split(":", 1)[1].split())
            if not subject_removals or not _subject_of(subject_removals[0].text).startswith(
                repeated[:-1]
            ):
                errors.append(f"{where}: not a repeat of the subject")
        elif category == "preamble_copy":
            after = {comparable(line) for line in lines[removal.line : removal.line + 80]}
            if comparable(text) not in after:
                errors.append(f"{where}: the copy does not come again")
        elif category == "appended_record":
            if appended_from is None:
                appended_from = removal.line
                row = CSV_ROW.match(text)
                if not row or (case.expected and row.group("id") == case.expected.get("id")):
                    errors.append(f"{where}: not the start of another cable's record")
        else:
            errors.append(f"{where}: unknown category")
    if appended_from is not None and any(n > appended_from for n in kept_lines):
        errors.append(
            f"{case.key}: text kept after the appended record starting at line {appended_from}"
        )
    errors.extend(_caption_content_errors(case, result))
    return errors


def _is_header_line(text: str) -> bool:
    """A routing header line: upper case and short, or a record label; no numbered paragraph."""
    if RECORD_LABEL.match(text):
        return True
    return (
        bool(ROUTING_SHAPE.match(text))
        and not re.match(r"^ *\d{1,3} ?\. ", text)
        and (not text.rstrip().endswith("."))
        and len(re.sub(r"\b[A-Z]+-\d\d\b", "", text).split()) <= 10
    )


def _subject_of(removed: str) -> str:
    return (
        " ".join(removed.split(":", 1)[1].split())
        if ":" in removed
        else " ".join(removed.split()[1:])
    )


def _caption_content_errors(case: Case, result: BodyResult) -> list[str]:
    """Removed captions hold what the expected YAML / the site's index says the captions hold."""
    errors: list[str] = []
    expected = case.expected or {}
    for removal in result.removed:
        found = Counter(w.upper() for w in _WORD.findall(removal.text))
        where = f"{case.key}:{removal.line} {removal.category} {removal.text[:80]!r}"
        if removal.category == "subject" and isinstance(expected.get("subject"), str):
            want = Counter(w.upper() for w in _WORD.findall(str(expected["subject"])))
            # the subject's own portion mark ('... GERMAN FIRMS (S)') is not part of the title
            if set(found - want) - {"SUBJECT", "SUBJ", "U", "C", "S", "SBU", "NF"} or want - found:
                errors.append(f"{where}: expected the subject {expected['subject']!r}")
        if removal.category == "tags":
            # the site indexed tags only where the cable wrote 'TAGS:' (cablegate-2010/README.md)
            tags = (
                expected.get("tags")
                if isinstance(expected.get("tags"), list)
                else (case.index_tags if removal.text.lstrip().startswith("TAGS:") else None)
            )
            if tags:
                want = {w.upper() for tag in tags for w in _WORD.findall(str(tag))}
                # the site's index holds only the tags of the first TAGS line
                checked = removal.text if case.expected else removal.text.split("\n")[0]
                if {w.upper() for w in _WORD.findall(checked)} - {"TAGS", "TAG"} - want:
                    errors.append(f"{where}: holds more than the tags {tags}")
        if removal.category == "classified_by" and isinstance(expected.get("classified_by"), str):
            want = {
                w.lower()
                for w in _WORD.findall(
                    f"{expected['classified_by']} {expected.get('reasons') or ''}"
                )
            }
            extra = {w.lower() for w in found} - want - REASON_WORDS
            # a word cut by the line end ('(b) an' / 'd (d)') counts once joined
            joined = (
                {w.lower() for w in _WORD.findall(removal.text.replace("\n", ""))}
                - want
                - REASON_WORDS
            )
            if extra and joined:
                errors.append(f"{where}: holds {sorted(extra)} beyond the classifier and reasons")
    return errors


def word_errors(case: Case, result: BodyResult) -> list[str]:
    original = words(normalise_text(case.raw.text))
    for removal in result.removed:
        original.subtract(words(removal.text))
    if any(count < 0 for count in original.values()):
        return [f"{case.key}: removals hold words the original does not: {sorted(-original)[:10]}"]
    expected, found = +original, body_words(result)
    if expected == found:
        return []
    return [
        f"{case.key}: lost {dict(list((expected - found).items())[:12])}, "
        f"added {dict(list((found - expected).items())[:12])}"
    ]


# ---------------------------------------------------------------- the corpus


def iter_cases(paths: list[Path], index_tags: dict[str, list[str]] | None = None) -> Iterator[Case]:
    for item in iter_raw_cables([str(path) for path in paths]):
        assert not isinstance(item, Problem), str(item)
        key = item.metadata.get("id") or Path(item.file).stem
        expected_path = EXPECTED_DIR / f"{key}.yaml"
        expected = (
            yaml.safe_load(expected_path.read_text("utf-8")) if expected_path.exists() else None
        )
        yield Case(key, item, expected, (index_tags or {}).get(key))


@pytest.fixture(scope="session")
def cablegate_pages(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    """The 985 pages of the 2010 site (unpacked once), with the tags of the site's own index."""
    target = tmp_path_factory.mktemp("cablegate-pages")
    with tarfile.open(CABLEGATE_DIR / "pages.tar.xz") as archive:
        archive.extractall(target, filter="data")
    with (CABLEGATE_DIR / "index.csv").open(encoding="utf-8") as handle:
        index = {row["id"]: row["tags"].split() for row in csv.DictReader(handle)}
    return list(iter_cases(sorted(target.rglob("*.html")), index))


RAW_CASES = list(iter_cases(sorted(RAW_DIR.iterdir())))


@pytest.mark.parametrize("case", RAW_CASES, ids=lambda case: case.key)
def test_no_word_of_a_raw_corpus_cable_is_lost_or_duplicated(case: Case) -> None:
    result = body_to_markdown(case.raw.text, file=case.raw.file, line=case.raw.line)
    assert word_errors(case, result) == []


@pytest.mark.parametrize("case", RAW_CASES, ids=lambda case: case.key)
def test_every_removal_from_a_raw_corpus_cable_has_the_shape_of_its_category(case: Case) -> None:
    result = body_to_markdown(case.raw.text, file=case.raw.file, line=case.raw.line)
    assert shape_errors(case, result) == []


def test_the_corpus_holds_all_raw_cables() -> None:
    assert len(RAW_CASES) == 54  # 52 files with one cable, cables_sample.csv with two


def test_no_word_of_the_985_cablegate_pages_is_lost_or_duplicated(
    cablegate_pages: list[Case],
) -> None:
    assert len(cablegate_pages) == 985
    errors = [
        error
        for case in cablegate_pages
        for error in word_errors(case, body_to_markdown(case.raw.text))
    ]
    assert errors == []


def test_every_removal_from_the_985_cablegate_pages_has_the_shape_of_its_category(
    cablegate_pages: list[Case],
) -> None:
    errors = [
        error
        for case in cablegate_pages
        for error in shape_errors(case, body_to_markdown(case.raw.text))
    ]
    assert errors == []


def test_the_removals_of_the_seed_are_the_artifacts_of_cable_format_1_13() -> None:
    """09ROME1240: header, two preamble copies, four page markers; nothing else."""
    (case,) = [case for case in RAW_CASES if case.key == "09ROME1240"]
    result = body_to_markdown(case.raw.text)
    categories = Counter(removal.category for removal in result.removed)
    assert categories == Counter(
        {
            "routing": 1,  # the 28 header lines, as one block
            "banner": 2,
            "caveat": 2,
            "eo": 2,
            "tags": 2,
            "subject": 2,
            "classified_by": 2,
            "page_marker": 5,
            "preamble_copy": 2,
        }
    )
    assert [r.text for r in result.removed if r.category == "preamble_copy"] == [
        "Summary",
        "-------",
    ]
    (routing,) = [r for r in result.removed if r.category == "routing"]
    assert routing.text.split("\n")[0] == "VZCZCXRO4723" and len(routing.text.split("\n")) == 28
    assert routing.text.split("\n")[-1] == "RUEHNP/AMCONSUL NAPLES PRIORITY 4087"


def test_a_word_lost_by_the_body_is_caught() -> None:
    """The check itself can fail: drop a word from a real body and it reports it."""
    (case,) = [case for case in RAW_CASES if case.key == "09ROME1240"]
    result = body_to_markdown(case.raw.text)
    broken = BodyResult(
        result.markdown.replace("Threat Reduction", "Reduction"),
        result.summary,
        removed=result.removed,
        repairs=result.repairs,
    )
    assert word_errors(case, broken) == [f"{case.key}: lost {{'Threat': 1}}, added {{}}"]
    doubled = BodyResult(
        result.markdown + "\nTHORNE\n",
        result.summary,
        removed=result.removed,
        repairs=result.repairs,
    )
    assert word_errors(case, doubled) == [f"{case.key}: lost {{}}, added {{'THORNE': 1}}"]
