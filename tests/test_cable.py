"""The front-matter Markdown form of a cable: round trips, re-import, unsafe ids, broken files."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from generator.cable import (
    Addressee,
    Cable,
    CableDocument,
    SourceInfo,
    cable_from_markdown,
    cable_to_markdown,
    sha256_text,
)
from generator.cable_files import load_cables, read_cable, write_cable
from generator.errors import ContentError

ORIGINAL = "VZCZCXRO4723\r\nOO RUEHSL RUEHTRO\r\nTHORNE  \r\n"
ROME = Cable(
    id="09ROME1240",
    subject="G-8 NONPROLIFERATION DIRECTORS GROUP MEETING",
    created=datetime(2009, 11, 10, 16, 42),
    classification="CONFIDENTIAL",
    origin="Embassy Rome",
    tags=("PREL", "PARM", "UNSC", "KNNP", "KSUM"),
    precedence="IMMEDIATE",
    dtg="101642Z NOV 09",
    sender="AMEMBASSY ROME",
    to=(Addressee(name="SECSTATE WASHDC", route="RUEHC", precedence="IMMEDIATE", serial="2872"),),
    info=(
        Addressee(name="AMEMBASSY OTTAWA", route="RUEHOT", precedence="PRIORITY", serial="0002"),
    ),
    classified_by="Political-Military Counselor Liam Wasley",
    reasons="1.4 (b) and (d)",
    declassify_on="2019-11-02",
    handling=("SIPDIS",),
    signer="THORNE",
    sections=4,
    source=SourceInfo(format="webpage", file="raw/09ROME1240.txt", sha256=sha256_text(ORIGINAL)),
)
BODY = "## Summary\n\n1. (C) The last Nonproliferation Directors Group meeting."


def test_markdown_round_trip_keeps_every_field() -> None:
    text = cable_to_markdown(ROME, BODY)
    cable, body = cable_from_markdown(text)
    assert cable == ROME
    assert body == BODY


def test_serial_keeps_its_leading_zeros_in_yaml() -> None:
    text = cable_to_markdown(ROME, BODY)
    assert "serial: '0002'" in text
    assert "tags: [PREL, PARM, UNSC, KNNP, KSUM]" in text


def test_front_matter_keys_follow_the_design_order() -> None:
    text = cable_to_markdown(ROME, BODY)
    keys = [
        line.split(":")[0]
        for line in text.splitlines()[1:]
        if line and not line.startswith((" ", "-"))
    ]
    assert keys[:6] == ["id", "subject", "created", "released", "classification", "origin"]
    assert "warnings" not in keys


def test_write_cable_keeps_original_byte_for_byte(tmp_path: Path) -> None:
    assert write_cable(CableDocument(ROME, BODY, ORIGINAL), tmp_path) == "new"
    txt = tmp_path / "cables/2009/11/09ROME1240.txt"
    assert txt.read_bytes() == ORIGINAL.encode()
    document = read_cable(tmp_path / "cables/2009/11/09ROME1240.md")
    assert document.original == ORIGINAL
    assert sha256_text(document.original) == document.cable.source.sha256  # type: ignore[union-attr]


def test_rewriting_unchanged_cable_touches_nothing(tmp_path: Path) -> None:
    write_cable(CableDocument(ROME, BODY, ORIGINAL), tmp_path)
    md = tmp_path / "cables/2009/11/09ROME1240.md"
    os.utime(md, (1_000_000, 1_000_000))
    assert write_cable(CableDocument(ROME, BODY, ORIGINAL), tmp_path) == "unchanged"
    assert md.stat().st_mtime == 1_000_000


def test_changed_cable_is_updated_and_user_keys_survive(tmp_path: Path) -> None:
    write_cable(CableDocument(ROME, BODY, ORIGINAL), tmp_path)
    md = tmp_path / "cables/2009/11/09ROME1240.md"
    md.write_text(md.read_text().replace("---\n\n", "my_note: checked by hand\n---\n\n", 1))
    changed = replace(ROME, subject="G-8 NPDG MEETING")
    assert write_cable(CableDocument(changed, BODY, ORIGINAL), tmp_path) == "updated"
    cable, _ = cable_from_markdown(md.read_text(), md)
    assert cable.subject == "G-8 NPDG MEETING"
    assert cable.extra == {"my_note": "checked by hand"}


@pytest.mark.parametrize("bad_id", ["../../x", "/etc/passwd", "CON", "a" * 300, "09ROME 1240", ""])
def test_unsafe_ids_are_refused(tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(ContentError):
        write_cable(CableDocument(replace(ROME, id=bad_id), BODY, ORIGINAL), tmp_path)
    assert not list(tmp_path.rglob("*.md"))


def test_load_cables_reports_bad_files_and_keeps_the_rest(write_tree) -> None:  # type: ignore[no-untyped-def]
    good = cable_to_markdown(ROME, BODY)
    root = write_tree(
        {
            "content/cables/2009/11/09ROME1240.md": good,
            "content/cables/2009/12/09ROME1240.md": good,
            "content/cables/2009/11/09ROME9999.md": good,
            "content/cables/2009/11/BROKEN.md": "---\nid: [unclosed\n---\n",
            "content/cables/2009/11/NOID.md": "---\nsubject: x\n---\n",
            "content/cables/2009/11/NOFENCE.md": "id: X\n",
        }
    )
    cables, problems = load_cables(root / "content")
    assert [c.id for c in cables] == ["09ROME1240"]
    messages = {Path(p.path).name + ": " + p.message for p in problems}
    assert any(m.startswith("09ROME1240.md: duplicate id") for m in messages)
    assert any(m.startswith("09ROME9999.md: id '09ROME1240' disagrees") for m in messages)
    assert any(m.startswith("BROKEN.md") and "broken front matter" in m for m in messages)
    assert any(m.startswith("NOID.md") and "no 'id'" in m for m in messages)
    assert any(m.startswith("NOFENCE.md") for m in messages)
    assert len(problems) == 5


def test_dates_load_from_yaml_timestamps_or_strings() -> None:
    text = (
        "---\nid: X1\ncreated: 2009-11-10 16:42:00\nreleased: 2010-11-28\n"
        "declassify_on: 2019-11-02\n---\n"
    )
    cable, _ = cable_from_markdown(text)
    assert cable.created == datetime(2009, 11, 10, 16, 42)
    assert cable.released == date(2010, 11, 28)
    assert cable.declassify_on == "2019-11-02"
