"""Encodings and line ends through `cablesite import` and `cablesite parse` (issue 7).

One small cable is written in each source format (raw telegram, web-page text,
a page of the 2010 site, a cables.csv row) and in each encoding: UTF-8 with and
without BOM, Latin-1, Windows-1252 with curly quotes, UTF-8 holding bytes that are
not UTF-8, CRLF and CR-only line ends, tabs, NUL bytes. After the import the front
matter and the body hold exactly the characters written, the .txt beside the .md
holds the original text (the source's bytes, decoded: encoding it again gives the
source's bytes back), and what could not be decoded cleanly is named in a warning.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import importer
from generator.cable_files import read_cable
from generator.cli import main
from generator.importer_read import decode_text
from generator.reference import ReferenceTables, load_reference_tables

TABLES: ReferenceTables = load_reference_tables()


@pytest.fixture(autouse=True)
def _tables_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each `cablesite import` here reads its tables from memory (loading them takes seconds)."""
    monkeypatch.setattr(importer, "load_reference_tables", lambda: TABLES)

SUBJECT = "CAFÉ TALKS ON IRAN’S “PROGRAM”"
SENTENCE = "The café owner said Iran’s “plan” costs 5 € – ¶ no more."
LATIN1_SUBJECT = "CAFÉ TALKS IN SÃO PAULO"
LATIN1_SENTENCE = "The café in São Paulo costs 5 ¢ or 10 £, ¶ ½ of that."


def telegram(subject: str, sentence: str, end: str = "\n") -> str:
    lines = [
        "R 101642Z NOV 09",
        "FM AMEMBASSY ROME",
        "TO SECSTATE WASHDC 1234",
        "BT",
        "UNCLAS ROME 001240",
        "",
        "E.O. 12958: N/A",
        "TAGS: PREL ECON",
        f"SUBJECT: {subject}",
        "",
        f"1. {sentence}",
        "",
        "THORNE",
        "",
    ]
    return end.join(lines)


def webpage(subject: str, sentence: str, end: str = "\n") -> str:
    head = [
        "Identifier", "09ROME1240", "Created", "2009-11-10 16:42:00", "Classification",
        "UNCLASSIFIED", "Origin", "Embassy Rome", "", f"Cable title: {subject}", "",
        "Tags: PREL ECON", "",
    ]
    return end.join(head) + end + telegram(subject, sentence, end)


def html_page(subject: str, sentence: str, end: str = "\n") -> str:
    body = telegram(subject, sentence, end).replace("&", "&amp;").replace("<", "&lt;")
    return (
        "<html><head><title>Cable</title></head><body>"
        "<table class='cable'><tr><th>Reference ID</th><th>Created</th><th>Classification</th>"
        "<th>Origin</th></tr><tr><td>09ROME1240</td><td>2009-11-10 16:42</td>"
        "<td>UNCLASSIFIED</td><td>Embassy Rome</td></tr></table>"
        f"<pre>{body}</pre></body></html>{end}"
    )


def csv_dump(subject: str, sentence: str, end: str = "\n") -> str:
    header, content = telegram(subject, sentence, end).split("BT" + end)
    fields = ["1", "11/10/2009 16:42", "09ROME1240", "Embassy Rome", "UNCLASSIFIED", "",
              header + "BT", content]
    return ",".join('"' + field.replace('"', '\\"') + '"' for field in fields) + end


FORMATS: dict[str, Callable[..., str]] = {
    "telegram": telegram,
    "webpage": webpage,
    "cablegate-html": html_page,
    "csv": csv_dump,
}

# (name, how the text becomes bytes, the encoding the importer reports, subject, sentence)
ENCODINGS = [
    ("utf-8", lambda text: text.encode("utf-8"), "utf-8", SUBJECT, SENTENCE),
    ("utf-8-bom", lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig", SUBJECT,
     SENTENCE),
    ("latin-1", lambda text: text.encode("latin-1"), "windows-1252", LATIN1_SUBJECT,
     LATIN1_SENTENCE),
    ("windows-1252", lambda text: text.encode("cp1252"), "windows-1252", SUBJECT, SENTENCE),
]


def windows_1252_bytes(text: str) -> bytes:
    """The inverse of decode_text's Windows-1252 reading (its five undefined bytes as Latin-1)."""
    return b"".join(
        char.encode("latin-1") if ord(char) < 0x100 else char.encode("cp1252") for char in text
    )


def import_one(tmp_path: Path, name: str, data: bytes) -> tuple[int, Path]:
    source = tmp_path / "raw" / name
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    content_dir = tmp_path / "content"
    code = main(["import", str(source), "--into", str(content_dir), "--jobs", "1"])
    return code, content_dir / "cables" / "2009" / "11" / "09ROME1240.md"


def telegram_part(text: str, format_name: str, end: str) -> str:
    """The original text the importer keeps for a cable written by FORMATS[format_name]."""
    if format_name == "webpage":
        return text[text.index("R 101642Z") :]
    if format_name == "cablegate-html":
        inner = text[text.index("<pre>") + 5 : text.index("</pre>")]
        return inner.replace("&lt;", "<").replace("&amp;", "&")
    if format_name == "csv":  # header and content fields, joined by a line feed
        header, content = text.split('","')[6:8]
        return header + "\n" + content[: -len('"' + end)]
    return text


@pytest.mark.parametrize("format_name", sorted(FORMATS))
@pytest.mark.parametrize(
    ("encoding_name", "encode", "reported", "subject", "sentence"),
    ENCODINGS,
    ids=[item[0] for item in ENCODINGS],
)
def test_each_encoding_of_each_format_is_imported_with_the_right_characters(
    tmp_path: Path,
    format_name: str,
    encoding_name: str,
    encode: Callable[[str], bytes],
    reported: str,
    subject: str,
    sentence: str,
) -> None:
    text = FORMATS[format_name](subject, sentence)
    data = encode(text)
    code, md_path = import_one(tmp_path, f"cable-{encoding_name}.txt", data)
    assert code == 0
    document = read_cable(md_path)
    cable = document.cable
    assert cable.id == "09ROME1240"
    assert cable.subject == subject
    assert sentence in document.body
    assert cable.tags == ("PREL", "ECON")
    assert cable.warnings == ()
    original = telegram_part(text, format_name, "\n")
    stored = md_path.with_suffix(".txt").read_bytes()
    assert stored.decode("utf-8") == original == document.original
    if format_name != "csv":  # a dump is decoded row by row
        assert decode_text(data) == (text, reported)
    if reported.startswith("utf-8") and format_name in ("telegram", "webpage"):
        assert data.endswith(stored)  # the source's own bytes, byte for byte
    if reported == "windows-1252" and format_name in ("telegram", "webpage"):
        assert data.endswith(windows_1252_bytes(stored.decode("utf-8")))


@pytest.mark.parametrize("format_name", sorted(FORMATS))
@pytest.mark.parametrize("end", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_line_ends_are_read_and_kept_in_the_original(
    tmp_path: Path, format_name: str, end: str
) -> None:
    text = FORMATS[format_name](SUBJECT, SENTENCE, end)
    code, md_path = import_one(tmp_path, "cable.txt", text.encode("utf-8"))
    assert code == 0
    document = read_cable(md_path)
    assert document.cable.subject == SUBJECT
    assert document.cable.tags == ("PREL", "ECON")
    assert document.cable.signer == "THORNE"
    assert SENTENCE in document.body and "\r" not in document.body
    assert document.original == telegram_part(text, format_name, end)
    assert md_path.with_suffix(".txt").read_bytes() == document.original.encode("utf-8")


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_bytes_that_are_not_utf8_in_utf8_text_are_read_as_windows_1252_with_a_warning(
    tmp_path: Path, format_name: str
) -> None:
    """A curly quote pasted from Windows (0x92) into UTF-8 text: 'é' stays 'é', never 'Ã©'."""
    text = FORMATS[format_name](SUBJECT, SENTENCE.replace("Iran’s", "Iran\x00s"))
    data = text.encode("utf-8").replace(b"\x00", b"\x92")
    code, md_path = import_one(tmp_path, "mixed.txt", data)
    assert code == 0
    document = read_cable(md_path)
    assert document.cable.subject == SUBJECT
    assert SENTENCE in document.body
    assert "Ã" not in document.body + document.original
    (warning,) = document.cable.warnings
    assert ("not UTF-8" in warning and "0x92 as '’'" in warning) or "Windows-1252" in warning
    if format_name == "telegram":
        assert "line 11: 0x92 as '’'" in warning
    assert document.original == telegram_part(text, format_name, "\n").replace("\x00", "’")


def test_mixed_text_warning_is_printed_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "mixed.txt"
    data = telegram(SUBJECT, "Iran\x00s café").encode("utf-8")
    source.write_bytes(data.replace(b"\x00", b"\x92"))
    assert main(["parse", "--json", str(source)]) == 0
    out, err = capsys.readouterr()
    record = json.loads(out)
    assert record["body"].endswith("Iran’s café.\n") or "Iran’s café" in record["body"]
    assert f"warning: {source}:11: 1 byte(s) that are not UTF-8" in err


def test_single_byte_text_that_happens_to_hold_a_utf8_pair_is_read_as_windows_1252() -> None:
    """'CAFÉ’S' in Windows-1252 is C9 92, a valid UTF-8 'ɒ': not enough to call the text UTF-8."""
    data = "CAFÉ’S in São Paulo, ¶ 2".encode("cp1252")
    assert decode_text(data) == ("CAFÉ’S in São Paulo, ¶ 2", "windows-1252")
    assert decode_text("café".encode() + b" \x93x\x94") == ("café “x”", "utf-8+windows-1252")
    assert decode_text(b"\xe2\x80\x9cok\xe2\x80\x9d \x85") == ("“ok” …", "utf-8+windows-1252")


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_tabs_and_nul_bytes_are_kept_in_the_original_and_do_not_break_the_front_matter(
    tmp_path: Path, format_name: str
) -> None:
    sentence = "Tabbed\tcolumns, a form\x0cfeed and a N\x00UL inside a word."
    text = FORMATS[format_name]("NUL\x00IN\tTHE SUBJECT", sentence)
    code, md_path = import_one(tmp_path, "nul.txt", text.encode("utf-8"))
    assert code == 0
    document = read_cable(md_path)
    assert document.original == telegram_part(text, format_name, "\n")
    assert md_path.with_suffix(".txt").read_bytes() == document.original.encode("utf-8")
    assert document.cable.subject == "NUL\x00IN THE SUBJECT"  # whitespace runs are one space
    # in the body a form feed separates two words, a NUL inside a word goes
    assert "Tabbed\tcolumns, a form feed and a NUL inside a word." in document.body


def test_utf16_with_a_bom_is_decoded_and_without_one_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = telegram(SUBJECT, SENTENCE)
    code, md_path = import_one(tmp_path, "utf16.txt", text.encode("utf-16"))
    assert code == 0
    assert read_cable(md_path).cable.subject == SUBJECT
    source = tmp_path / "raw" / "utf16le.txt"
    source.write_bytes(text.encode("utf-16-le"))
    capsys.readouterr()
    assert main(["import", str(source), "--into", str(tmp_path / "other"), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert f"error: {source}:1: not a cable" in err
    assert "Traceback" not in err
