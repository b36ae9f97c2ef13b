"""Reading sources (every format, on real corpus files), streaming cables.csv, import and parse."""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
import os
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CABLEGATE_DIR, RAW_DIR

from generator import importer_write
from generator.cable import FRONT_MATTER_KEYS, Cable, sha256_text
from generator.cable_files import read_cable
from generator.cli import main
from generator.errors import Problem
from generator.importer import ImportReport, import_sources, iter_csv_cables, iter_raw_cables
from generator.importer_csv import CsvRow, iter_csv_rows
from generator.importer_read import decode_text
from generator.parse import RawCable

# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def cablegate_pages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 985 pages of the 2010 cable site, unpacked once per test session."""
    target = tmp_path_factory.mktemp("cablegate-2010")
    with tarfile.open(CABLEGATE_DIR / "pages.tar.xz") as archive:
        archive.extractall(target, filter="data")
    return target


def only_cables(items: list[RawCable | Problem]) -> list[RawCable]:
    problems = [item for item in items if isinstance(item, Problem)]
    assert not problems, [str(p) for p in problems]
    return [item for item in items if isinstance(item, RawCable)]


def read_one(path: Path) -> RawCable:
    (cable,) = only_cables(list(iter_raw_cables([str(path)])))
    return cable


def csv_row(number: int, cable_id: str, content: str, created: str = "12/28/1966 18:48") -> bytes:
    escaped = content.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f'"{number}","{created}","{cable_id}","Embassy Rome","UNCLASSIFIED","",'
        f'"P 281848Z DEC 66\nFM AMEMBASSY ROME\nTO SECSTATE WASHDC","{escaped}"\n'
    ).encode()


# ---------------------------------------------------------------- formats on the real corpus

EXPECTED_FORMATS = {
    "09ROME1240.txt": "webpage",
    "02ADANA386.txt": "metadata-text",
    "cables_sample.csv": "csv",
}


@pytest.mark.parametrize("path", sorted(RAW_DIR.iterdir()), ids=lambda p: p.name)
def test_every_raw_corpus_file_is_read_in_its_format(path: Path) -> None:
    cables = only_cables(list(iter_raw_cables([str(path)])))
    by_suffix = "cablegate-html" if path.suffix == ".html" else "telegram"
    expected = EXPECTED_FORMATS.get(path.name, by_suffix)
    assert {cable.format for cable in cables} == {expected}
    assert all(cable.file == str(path) for cable in cables)
    assert len(cables) == (2 if path.name == "cables_sample.csv" else 1)


def test_format_is_detected_from_content_not_extension(tmp_path: Path) -> None:
    for source, disguise in [("09ROME1240.txt", "a.html"), ("07BERN881.html", "b.txt"),
                             ("cables_sample.csv", "c.txt"), ("06NEWDELHI5138.txt", "d.csv")]:
        (tmp_path / disguise).write_bytes((RAW_DIR / source).read_bytes())
    formats = [cable.format for cable in only_cables(list(iter_raw_cables([str(tmp_path)])))]
    assert formats == ["webpage", "cablegate-html", "csv", "csv", "telegram"]


def test_webpage_text_metadata_and_original_start_after_the_page_chrome() -> None:
    cable = read_one(RAW_DIR / "09ROME1240.txt")
    assert dict(cable.metadata) == {
        "id": "09ROME1240",
        "created": "2009-11-10 16:42:00",
        "classification": "CONFIDENTIAL",
        "origin": "Embassy Rome",
        "subject": "G-8 NONPROLIFERATION DIRECTORS GROUP MEETING",
        "tags": "PREL PARM UNSC KNNP KSUM",
    }
    source = (RAW_DIR / "09ROME1240.txt").read_text(encoding="utf-8")
    assert cable.text.startswith("VZCZCXRO4723\nOO RUEHSL RUEHTRO\n")
    assert source.endswith(cable.text)
    assert "how-to read a cable" not in cable.text
    assert cable.text.rstrip().endswith("THORNE")


def test_webpage_text_with_labels_and_values_on_one_line(tmp_path: Path) -> None:
    page = (
        "Identifier: 09ROME1240\r\nCreated: 2009-11-10 16:42:00\r\nClassification: CONFIDENTIAL\r\n"
        "Origin: Embassy Rome\r\n"
        "Cable title: G-8 NONPROLIFERATION\r\n DIRECTORS GROUP MEETING\r\n\r\n"
        "Tags: PREL PARM\r\nO 101642Z NOV 09\r\nFM AMEMBASSY ROME\r\n"
    )
    (tmp_path / "page.txt").write_bytes(page.encode())
    cable = read_one(tmp_path / "page.txt")
    assert cable.format == "webpage"
    assert cable.metadata["id"] == "09ROME1240"
    assert cable.metadata["subject"] == "G-8 NONPROLIFERATION DIRECTORS GROUP MEETING"
    assert cable.metadata["tags"] == "PREL PARM"
    assert cable.text == "O 101642Z NOV 09\r\nFM AMEMBASSY ROME\r\n"


def test_five_line_metadata_text_keeps_everything_after_the_origin_line() -> None:
    cable = read_one(RAW_DIR / "02ADANA386.txt")
    assert dict(cable.metadata) == {
        "id": "02ADANA386",
        "subject": "SOUTHEAST TURKEY PRESS SUMMARY",
        "created": "Wed Nov 20 00:00:00 +0100 2002",
        "classification": "UNCLASSIFIED",
        "origin": "Consulate Adana",
    }
    source = (RAW_DIR / "02ADANA386.txt").read_text(encoding="utf-8")
    assert cable.text == source.split("\n", 5)[5]
    assert cable.text.startswith("This record is a partial extract")


def test_latin1_crlf_telegram_is_the_whole_file_decoded() -> None:
    data = (RAW_DIR / "06NEWDELHI5138.txt").read_bytes()
    assert b"\xb6" in data and b"\r\n" in data
    cable = read_one(RAW_DIR / "06NEWDELHI5138.txt")
    assert cable.text == data.decode("latin-1")
    assert "\r\n¶10.  (U) Visit New Delhi's Classified Website: \r\n" in cable.text
    assert cable.text.encode("latin-1") == data


def test_decoding_keeps_every_byte() -> None:
    assert decode_text("\ufeffUNCLAS ¶1.".encode()) == ("UNCLAS ¶1.", "utf-8-sig")
    latin = decode_text(b"\xb61. \x93quoted\x94 \x81")
    assert latin == ("¶1. \u201cquoted\u201d \x81", "windows-1252")
    every_byte = bytes(range(256))
    text, encoding = decode_text(every_byte)
    assert encoding == "windows-1252" and len(text) == 256
    assert [ord(c) for c in text[:0x80]] == list(range(0x80))


def test_telegram_line_ends_are_kept_as_written(tmp_path: Path) -> None:
    telegram = "UNCLAS ROME 001240\r\rE.O. 12958: N/A\rTAGS: PREL\rSUBJECT: TEST\r"
    (tmp_path / "cr.txt").write_bytes(telegram.encode("utf-8"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + telegram.replace("\r", "\n").encode())
    crlf_cable, bom_cable = (read_one(tmp_path / "cr.txt"), read_one(tmp_path / "bom.txt"))
    assert crlf_cable.text == telegram
    assert bom_cable.text == telegram.replace("\r", "\n")


# ---------------------------------------------------------------- pages of the 2010 cable site


def test_cablegate_page_original_is_the_pre_text_without_the_sites_links() -> None:
    cable = read_one(RAW_DIR / "10USNATO35.html")
    assert dict(cable.metadata) == {
        "id": "10USNATO35",
        "created": "2010-01-22 15:03",
        "released": "2010-12-06 21:09",
        "classification": "SECRET",
        "origin": "Mission USNATO",
    }
    assert cable.text.startswith("VZCZCXRO5464\nOO RUEHSL\nDE RUEHNO #0035 0221517\n")
    assert "RHMFISS/USNMR SHAPE BE PRIORITY\nS E C R E T USNATO 000035\n\nSIPDIS\n" in cable.text
    assert "TAGS: MCAP MARR PREL NATO PINS EN LG LH PL RS\n" in cable.text
    assert "\n\n1. (S/REL NATO) On January 22, NATO's Military Committee\n" in cable.text
    assert "¶" not in cable.text and "<" not in cable.text and "&#" not in cable.text
    assert cable.text.endswith("under a silence procedure.\n\nHEFFERN")


def test_cablegate_page_keeps_unescaped_ampersands_and_angle_brackets(tmp_path: Path) -> None:
    page = (
        "<html><body><table class='cable'><tr><th>Reference ID</th><th>Created</th></tr>"
        "<tr><td><a href='/x'>09X1</a></td><td>2009-01-01 10:10</td></tr></table>"
        "<code><pre>UNCLAS X 000001&#x000A;TAGS: <a href='/tag/PREL_0.html'>PREL</a>&#x000A;"
        "SUBJECT: A &amp; B&#x000A;<a id='par1' href='#par1'>¶</a>1. &notably8 &D; "
        "&material collateral,8 x &lt; y, <<218634>> &#39;ok&#39;</pre></code></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    cable = read_one(tmp_path / "page.html")
    assert cable.metadata == {"id": "09X1", "created": "2009-01-01 10:10"}
    assert cable.text == (
        "UNCLAS X 000001\nTAGS: PREL\nSUBJECT: A & B\n"
        "1. &notably8 &D; &material collateral,8 x < y, <<218634>> 'ok'"
    )


def test_all_985_pages_of_the_2010_site_are_read(cablegate_pages_dir: Path) -> None:
    with (CABLEGATE_DIR / "index.csv").open(encoding="utf-8", newline="") as handle:
        index = {row["id"]: row for row in csv.DictReader(handle)}
    cables = only_cables(list(iter_raw_cables([str(cablegate_pages_dir)])))
    assert len(cables) == 985 == len(index)
    for cable in cables:
        assert cable.format == "cablegate-html"
        assert Path(cable.file).stem == cable.metadata["id"]
        site = index[cable.metadata["id"]]
        assert cable.metadata["created"] == site["created"]
        assert cable.metadata["classification"] == site["classification"]
        assert cable.metadata["origin"] == site["origin"]
        assert "&#x000A;" not in cable.text and "<a " not in cable.text
        assert len(cable.text.split()) > 20
    assert [Path(c.file).relative_to(cablegate_pages_dir) for c in cables][:2] == [
        Path("cable/1966/12/66BUENOSAIRES2481.html"),
        Path("cable/1972/02/72TEHRAN1164.html"),
    ]


def test_pages_are_read_straight_from_the_tar_xz_archive(cablegate_pages_dir: Path) -> None:
    archive = CABLEGATE_DIR / "pages.tar.xz"
    from_archive = only_cables(list(iter_raw_cables([str(archive)])))
    from_folder = only_cables(list(iter_raw_cables([str(cablegate_pages_dir)])))
    assert len(from_archive) == 985
    assert from_archive[0].file == f"{archive}/cable/1966/12/66BUENOSAIRES2481.html"
    by_name = {Path(c.file).relative_to(cablegate_pages_dir).as_posix(): c for c in from_folder}
    for cable in from_archive:
        twin = by_name[cable.file.removeprefix(f"{archive}/")]
        assert (cable.text, cable.metadata, cable.format) == (twin.text, twin.metadata, twin.format)


def test_compressed_single_cables_and_dumps_are_read(tmp_path: Path) -> None:
    for name, compress, target in [("09ROME1240.txt", gzip.compress, "rome.gz"),
                                   ("cables_sample.csv", bz2.compress, "sample.bz2"),
                                   ("06NEWDELHI5138.txt", lzma.compress, "delhi.xz")]:
        (tmp_path / target).write_bytes(compress((RAW_DIR / name).read_bytes()))
    cables = only_cables(list(iter_raw_cables([str(tmp_path)])))
    assert [(Path(c.file).name, c.format) for c in cables] == [
        ("delhi.xz", "telegram"), ("rome.gz", "webpage"), ("sample.bz2", "csv"),
        ("sample.bz2", "csv"),
    ]
    assert cables[0].text == (RAW_DIR / "06NEWDELHI5138.txt").read_bytes().decode("latin-1")
    damaged = gzip.compress((RAW_DIR / "07BERN881.html").read_bytes())
    (tmp_path / "broken.gz").write_bytes(damaged[: len(damaged) // 2])
    (problem,) = list(iter_raw_cables([str(tmp_path / "broken.gz")]))
    assert isinstance(problem, Problem) and "damaged" in problem.message


# ---------------------------------------------------------------- cables.csv


def test_csv_sample_rows_with_their_lines_and_escapes_undone() -> None:
    first, second = only_cables(list(iter_raw_cables([str(RAW_DIR / "cables_sample.csv")])))
    assert (first.line, second.line) == (1, 116)
    assert dict(first.metadata) == {
        "id": "66BUENOSAIRES2481",
        "created": "12/28/1966 18:48",
        "origin": "Embassy Buenos Aires",
        "classification": "UNCLASSIFIED",
        "references": "66STATE106206",
    }
    assert second.metadata["references"] == "72MOSCOW1603|72TEHRAN1091|72TEHRAN263"
    assert first.text.startswith("P R 281848Z DEC 66\nFM AMEMBASSY BUENOS AIRES\n")
    assert "STATE GRNC\nUNCLASSIFIED BUENOS AIRES 2481 \n" in first.text
    assert 'OF "PREFERENTIAL JURISDICTION" FOR FISHING' in first.text
    assert "\\" not in first.text + second.text


def test_csv_backslash_line_ends_and_broken_rows(tmp_path: Path) -> None:
    good = csv_row(1, "66ROME1", "UNCLAS ROME 1\nTAGS: PREL\n").replace(b"\n", b"\\\n", 2)
    broken = b'"2","1/1/1967 1:00","67ROME2","Embassy Rome","UNCLASSIFIED","","H","unclosed\nbody\n'
    short = b'"3","1/1/1967 1:00","67ROME3"\n'
    last = csv_row(4, "67ROME4", 'say \\"yes\\"')
    (tmp_path / "dump.csv").write_bytes(good + broken + short + last)
    items = list(iter_raw_cables([str(tmp_path / "dump.csv")]))
    assert [type(item).__name__ for item in items] == ["RawCable", "Problem", "Problem", "RawCable"]
    first, problem, short_problem, fourth = items
    assert isinstance(first, RawCable) and isinstance(fourth, RawCable)
    assert first.text == (
        "P 281848Z DEC 66\nFM AMEMBASSY ROME\nTO SECSTATE WASHDC\nUNCLAS ROME 1\nTAGS: PREL\n"
    )
    assert isinstance(problem, Problem) and problem.line == 6 and "quote" in problem.message
    assert isinstance(short_problem, Problem) and short_problem.line == 8
    assert "3 fields" in short_problem.message
    assert (fourth.line, fourth.metadata["id"]) == (9, "67ROME4")
    assert fourth.text.endswith('say \\"yes\\"')


def test_a_generated_20000_row_csv_gz_yields_every_row(tmp_path: Path) -> None:
    path = tmp_path / "cables.csv.gz"
    with gzip.open(path, "wb") as handle:
        for number in range(1, 20_001):
            content = f"UNCLAS ROME {number}\n\n1. Row {number}.\n"
            handle.write(csv_row(number, f"09ROME{number}", content))
    lines_seen = 0
    for number, item in enumerate(iter_raw_cables([str(path)]), start=1):
        assert isinstance(item, RawCable)
        assert item.metadata["id"] == f"09ROME{number}"
        assert item.line == 6 * number - 5
        assert item.text.endswith(f"1. Row {number}.\n")
        lines_seen = number
    assert lines_seen == 20_000


def test_csv_reader_holds_one_row_at_a_time() -> None:
    consumed: list[int] = []

    def lines() -> Iterator[bytes]:
        for number in range(1, 1001):
            row = csv_row(number, f"09ROME{number}", "UNCLAS\nbody\n")
            for line in row.splitlines(keepends=True):
                consumed.append(number)
                yield line

    for number, row in enumerate(iter_csv_rows(lines()), start=1):
        assert isinstance(row, CsvRow)
        # when row N is handed over, nothing of row N+1 has been read yet
        assert consumed[-1] == number
        assert row.fields[2] == f"09ROME{number}"
    assert len(consumed) == 1000 * 5


def test_csv_cables_come_from_any_iterable_of_lines() -> None:
    data = csv_row(7, "09ROME7", "UNCLAS ROME 7\r\n1. CRLF body.\r\n")
    (cable,) = list(iter_csv_cables(iter(data.splitlines(keepends=True)), "stdin"))
    assert isinstance(cable, RawCable)
    assert (cable.file, cable.line, cable.format) == ("stdin", 1, "csv")
    assert cable.text.endswith("UNCLAS ROME 7\r\n1. CRLF body.\r\n")


# ---------------------------------------------------------------- sources and bad input


def test_bad_files_are_reported_with_file_and_line_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "09ROME1240.txt").write_bytes((RAW_DIR / "09ROME1240.txt").read_bytes())
    (tmp_path / "a" / "notes.md").write_text("# Notes\n\nNothing to see here.\n", encoding="utf-8")
    (tmp_path / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "page.html").write_text("<html><body><p>Hello</p></body></html>", encoding="utf-8")
    (tmp_path / "z.gz").write_bytes(gzip.compress(b"just text\n"))
    (tmp_path / ".hidden.txt").write_bytes((RAW_DIR / "09ROME1240.txt").read_bytes())
    items = list(iter_raw_cables([str(tmp_path), str(tmp_path / "missing.txt")]))
    cables = [item for item in items if isinstance(item, RawCable)]
    problems = {Path(p.path).name: p for p in items if isinstance(p, Problem)}
    assert [Path(c.file).name for c in cables] == ["09ROME1240.txt"]
    assert sorted(problems) == [
        "b.png", "empty.txt", "missing.txt", "notes.md", "page.html", "z.gz"
    ]
    assert "not a cable" in problems["notes.md"].message and problems["notes.md"].line == 1
    assert "no such file" in problems["missing.txt"].message
    assert "<pre>" in problems["page.html"].message
    assert "not a cable" in problems["z.gz"].message


def test_globs_and_folders_are_expanded_in_sorted_order(tmp_path: Path) -> None:
    pattern = str(RAW_DIR / "09*.txt")
    names = [Path(c.file).name for c in only_cables(list(iter_raw_cables([pattern])))]
    assert names == sorted(p.name for p in RAW_DIR.glob("09*.txt"))
    (problem,) = list(iter_raw_cables([str(tmp_path / "*.nothing")]))
    assert isinstance(problem, Problem) and "no file matches" in problem.message


# ---------------------------------------------------------------- cablesite import


def tree_state(content_dir: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under content_dir with its bytes and mtime (ns)."""
    return {
        path.relative_to(content_dir).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(content_dir.rglob("*"))
        if path.is_file()
    }


def copy_raw(target_dir: Path, *names: str) -> list[Path]:
    target_dir.mkdir(parents=True, exist_ok=True)
    copies = []
    for name in names:
        (target_dir / name).write_bytes((RAW_DIR / name).read_bytes())
        copies.append(target_dir / name)
    return copies


SAMPLE = ("09ROME1240.txt", "02ADANA386.txt", "06NEWDELHI5138.txt", "10USNATO35.html",
          "cables_sample.csv")
SAMPLE_PATHS = {
    "09ROME1240": "cables/2009/11/09ROME1240.md",
    "02ADANA386": "cables/2002/11/02ADANA386.md",
    "06NEWDELHI5138": "cables/2006/07/06NEWDELHI5138.md",
    "10USNATO35": "cables/2010/01/10USNATO35.md",
    "66BUENOSAIRES2481": "cables/1966/12/66BUENOSAIRES2481.md",
    "72TEHRAN1164": "cables/1972/02/72TEHRAN1164.md",
}


@pytest.fixture(scope="module")
def imported_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    """The sample sources (one per format) imported once into a fresh content folder."""
    content_dir = tmp_path_factory.mktemp("content")
    report = import_sources([str(RAW_DIR / name) for name in SAMPLE], content_dir, jobs=1)
    return content_dir, report


def test_import_writes_a_cable_and_its_original_for_every_format(
    imported_sample: tuple[Path, ImportReport],
) -> None:
    content_dir, report = imported_sample
    assert (report.new, report.updated, report.unchanged, report.failed) == (6, 0, 0, 0)
    md_files = sorted(p.relative_to(content_dir).as_posix() for p in content_dir.rglob("*.md"))
    assert md_files == sorted(SAMPLE_PATHS.values())
    for cable_id, relative in SAMPLE_PATHS.items():
        document = read_cable(content_dir / relative)
        assert document.cable.id == cable_id
        assert document.cable.source is not None
        assert document.cable.source.sha256 == sha256_text(document.original)
    rome = read_cable(content_dir / SAMPLE_PATHS["09ROME1240"])
    assert rome.cable.source is not None
    assert (rome.cable.source.format, rome.cable.source.file) == (
        "webpage", str(RAW_DIR / "09ROME1240.txt"))
    assert rome.original.startswith("VZCZCXRO4723\n")


@pytest.mark.parametrize("name", ["06NEWDELHI5138.txt", "09ROME1240.txt", "10USNATO35.html"])
def test_originals_are_recovered_byte_for_byte_from_content(
    imported_sample: tuple[Path, ImportReport], name: str
) -> None:
    content_dir, _ = imported_sample
    source_bytes = (RAW_DIR / name).read_bytes()
    cable = read_one(RAW_DIR / name)
    txt_path = (content_dir / SAMPLE_PATHS[Path(name).stem]).with_suffix(".txt")
    stored = txt_path.read_bytes().decode("utf-8")
    assert stored == cable.text
    if name == "06NEWDELHI5138.txt":  # Latin-1 with CRLF: the whole file, every byte
        assert stored == decode_text(source_bytes)[0]
        assert stored.encode("latin-1") == source_bytes
        assert "\r\n" in stored and "¶" in stored


def test_reimporting_unchanged_input_changes_nothing(tmp_path: Path) -> None:
    sources = copy_raw(tmp_path / "raw", *SAMPLE)
    content_dir = tmp_path / "content"
    import_sources([str(p) for p in sources], content_dir, jobs=1)
    before = tree_state(content_dir)
    report = import_sources([str(p) for p in sources], content_dir, jobs=2)
    assert (report.new, report.updated, report.unchanged, report.failed) == (0, 0, 6, 0)
    assert tree_state(content_dir) == before


def test_changed_input_updates_only_that_cable(tmp_path: Path) -> None:
    rome, adana = copy_raw(tmp_path / "raw", "09ROME1240.txt", "02ADANA386.txt")
    content_dir = tmp_path / "content"
    import_sources([str(rome), str(adana)], content_dir, jobs=1)
    before = tree_state(content_dir)
    rome.write_bytes(rome.read_bytes().replace(b"DAS Kang has cleared", b"DAS Kang has read"))
    report = import_sources([str(rome), str(adana)], content_dir, jobs=1)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    after = tree_state(content_dir)
    changed = sorted(path for path in after if after[path] != before[path])
    assert changed == ["cables/2009/11/09ROME1240.md", "cables/2009/11/09ROME1240.txt"]
    assert "DAS Kang has read" in read_cable(content_dir / SAMPLE_PATHS["09ROME1240"]).original


def test_keys_a_user_added_survive_reimport(tmp_path: Path) -> None:
    (rome,) = copy_raw(tmp_path / "raw", "09ROME1240.txt")
    content_dir = tmp_path / "content"
    import_sources([str(rome)], content_dir, jobs=1)
    md_path = content_dir / SAMPLE_PATHS["09ROME1240"]
    text = md_path.read_text(encoding="utf-8")
    added = "\nnote: Seen by the G-8 desk\nrating: 5\n---\n"
    md_path.write_text(text.replace("\n---\n", added, 1), encoding="utf-8")
    report = import_sources([str(rome)], content_dir, jobs=1)
    assert report.failed == 0
    cable = read_cable(md_path).cable
    assert dict(cable.extra) == {"note": "Seen by the G-8 desk", "rating": 5}
    rome.write_bytes(rome.read_bytes().replace(b"THORNE", b"THORNE\n"))
    assert import_sources([str(rome)], content_dir, jobs=1).updated == 1
    assert dict(read_cable(md_path).cable.extra) == {"note": "Seen by the G-8 desk", "rating": 5}


def test_a_cable_whose_month_changed_leaves_no_stale_copy(tmp_path: Path) -> None:
    (page,) = copy_raw(tmp_path / "raw", "10USNATO35.html")
    content_dir = tmp_path / "content"
    import_sources([str(page)], content_dir, jobs=1)
    old_md = content_dir / SAMPLE_PATHS["10USNATO35"]
    front_matter = old_md.read_text(encoding="utf-8")
    old_md.write_text(front_matter.replace("\n---\n", "\nmine: kept\n---\n", 1), encoding="utf-8")
    page.write_bytes(page.read_bytes().replace(b">2010-01-22 15:03<", b">2010-02-22 15:03<"))
    report = import_sources([str(page)], content_dir, jobs=1)
    assert (report.new, report.updated) == (0, 1)
    files = sorted(tree_state(content_dir))
    assert files == ["cables/2010/02/10USNATO35.md", "cables/2010/02/10USNATO35.txt"]
    assert read_cable(content_dir / files[0]).cable.extra == {"mine": "kept"}


def test_the_same_id_twice_is_reported_and_the_first_copy_kept(tmp_path: Path) -> None:
    first = copy_raw(tmp_path / "a", "10USNATO35.html")[0]
    second = copy_raw(tmp_path / "b", "10USNATO35.html")[0]
    second.write_bytes(second.read_bytes().replace(b"HEFFERN", b"HEFFERN (second copy)"))
    content_dir = tmp_path / "content"
    for jobs in (1, 2):
        report = import_sources([str(second.parent), str(first.parent)], content_dir, jobs=jobs)
        assert (report.imported, report.skipped, report.failed) == (1, 1, 0)
        (duplicate,) = [p for p in report.problems if "duplicate" in p.message]
        assert (duplicate.path, duplicate.line, duplicate.severity) == (str(first), 1, "warning")
        assert "second copy" in read_cable(content_dir / SAMPLE_PATHS["10USNATO35"]).original


def test_serial_and_parallel_imports_write_the_same_bytes(tmp_path: Path) -> None:
    sources = [str(RAW_DIR)]
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    serial_report = import_sources(sources, serial, jobs=1)
    parallel_report = import_sources(sources, parallel, jobs=2)
    assert serial_report == parallel_report
    assert {k: v[0] for k, v in tree_state(serial).items()} == {
        k: v[0] for k, v in tree_state(parallel).items()
    }
    assert serial_report.imported == len(list(serial.rglob("*.md"))) >= 50


def test_bad_file_among_good_is_reported_and_exit_code_is_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_dir = tmp_path / "raw"
    copy_raw(raw_dir, "09ROME1240.txt", "10USNATO35.html")
    (raw_dir / "05shopping-list.txt").write_text("eggs\nmilk\n", encoding="utf-8")
    broken_csv = b'"1","1/1/1967 1:00","67ROME2","Embassy Rome","UNCLASSIFIED","","H"\n'
    sample = (RAW_DIR / "cables_sample.csv").read_bytes()
    (raw_dir / "dump.csv").write_bytes(sample + broken_csv)
    content_dir = tmp_path / "content"
    code = main(["import", str(raw_dir), "--into", str(content_dir), "--jobs", "2"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.strip() == "4 new, 0 updated, 0 unchanged, 2 failed"
    assert f"error: {raw_dir / '05shopping-list.txt'}:1: not a cable" in err
    assert f"error: {raw_dir / 'dump.csv'}:157: the row has 7 fields" in err
    assert len(list(content_dir.rglob("*.md"))) == 4
    assert main(["import", str(raw_dir / "09ROME1240.txt"), "--into", str(content_dir)]) == 0


def test_a_cable_that_breaks_the_importer_is_reported_and_the_rest_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_to_markdown = importer_write.cable_to_markdown

    def to_markdown(cable: Cable, body: str) -> str:
        if cable.id == "02ADANA386":
            raise ValueError("simulated bug")
        return real_to_markdown(cable, body)

    monkeypatch.setattr(importer_write, "cable_to_markdown", to_markdown)
    sources = [str(RAW_DIR / name) for name in SAMPLE]
    report = import_sources(sources, tmp_path / "content", jobs=1)
    assert (report.new, report.failed) == (5, 1)
    (problem,) = [p for p in report.problems if p.severity == "error"]
    assert problem.path == str(RAW_DIR / "02ADANA386.txt") and problem.line == 1
    assert "ValueError: simulated bug" in problem.message


def test_parse_json_prints_exactly_the_front_matter_keys_and_body(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [str(RAW_DIR / name) for name in SAMPLE]
    assert main(["parse", "--json", *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    records = [json.loads(line) for line in lines]
    for record in records:
        assert list(record) == [*FRONT_MATTER_KEYS, "body"]
        assert isinstance(record["body"], str) and record["body"]
    assert [r["id"] for r in records] == list(SAMPLE_PATHS)
    assert [r["source"]["file"] for r in records] == [*files[:4], files[4], files[4]]
    assert records[0]["source"]["format"] == "webpage"


def test_parse_reports_input_that_is_not_a_cable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("Just a note.\n", encoding="utf-8")
    assert main(["parse", str(tmp_path / "notes.txt"), str(RAW_DIR / "09ROME1240.txt")]) == 1
    out, err = capsys.readouterr()
    assert f"{tmp_path / 'notes.txt'}:1: not a cable" in err
    assert out.startswith("---\nid: 09ROME1240\n")


def test_imported_files_get_the_mode_the_umask_gives_not_0600(tmp_path: Path) -> None:
    (rome,) = copy_raw(tmp_path / "raw", "09ROME1240.txt")
    content_dir = tmp_path / "content"
    for jobs in (1, 2):  # the usual temp name, and mkstemp's when a month folder is new
        previous = os.umask(0o022)
        try:
            import_sources([str(rome)], content_dir / str(jobs), jobs=jobs)
        finally:
            os.umask(previous)
        md_path = content_dir / str(jobs) / SAMPLE_PATHS["09ROME1240"]
        for path in (md_path, md_path.with_suffix(".txt")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
