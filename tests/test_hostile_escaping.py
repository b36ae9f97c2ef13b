"""Hostile input reaches the published site as text: nothing runs, links only to safe schemes.

Two archives are built and every file of their output is read with a real
parser (hostile_support.scan_site): tests/sites/hostile (front-matter Markdown
written by hand, with HTML, JavaScript, Markdown and Jinja in every field and
in site.yaml), and an archive made by `cablesite import` from the hostile raw
telegram, cablegate page and cables.csv rows of tests/sites/hostile-raw.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hostile_support import page_text, parse_html, scan_site, scan_xml

from generator.build import build
from generator.cable import cable_from_markdown, cable_to_front_matter
from generator.config import load_config
from generator.render import make_markdown, render_markdown

SITES = Path(__file__).resolve().parent / "sites"
BASE_URL = "https://example.org/cables"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/hostile built with two workers; returns the archive folder."""
    archive = tmp_path_factory.mktemp("hostile") / "archive"
    shutil.copytree(SITES / "hostile", archive)
    report = build(load_config(archive / "site.yaml"), clean=True, jobs=2)
    assert report.cables == 4 and not report.problems, report.problems
    return archive


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=300,
    )


def front_matter(archive: Path, relpath: str) -> dict[str, object]:
    cable, _ = cable_from_markdown((archive / "content" / relpath).read_text(encoding="utf-8"))
    return cable_to_front_matter(cable)


def strings_of(value: object) -> list[str]:
    """Every string inside a front-matter value (the values of mappings)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_of(v)]
    if isinstance(value, list):
        return [s for item in value for s in strings_of(item)]
    return []


def squash(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- the scanner itself


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href=" jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<p style="background:url(x)">x</p>',
        "<!-- x -->",
        '<meta http-equiv="refresh" content="0;url=javascript:x">',
        '<p onclick="x">x</p>',
        '<form action="JAVASCRIPT:x"></form>',
        "<svg><set attributeName=href to=javascript:x /></svg>",
    ],
)
def test_the_scanner_finds_each_kind_of_injection(snippet: str) -> None:
    assert parse_html(f"<p>{snippet}</p>".encode()).findings


def test_the_scanner_rejects_feeds_that_are_not_well_formed_or_embed_html() -> None:
    feed = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>%s</title></feed>'
    assert scan_xml(feed % b"\x0c", "")
    assert scan_xml(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">'
        b"&lt;script&gt;x&lt;/script&gt;</title></feed>",
        "",
    )


# ---------------------------------------------------------------- front matter written by hand


def test_every_output_file_of_the_hostile_archive_is_safe(hostile_site: Path) -> None:
    public = hostile_site / "public"
    kinds = {p.suffix for p in public.rglob("*") if p.is_file()}
    assert {".html", ".xml", ".json", ".txt"} <= kinds
    assert scan_site(public, BASE_URL) == []


def test_every_field_of_a_hostile_cable_is_shown_as_text(hostile_site: Path) -> None:
    data = front_matter(hostile_site, "cables/2009/11/09HOSTILE1.md")
    page = (hostile_site / "public/cable/2009/11/09HOSTILE1.html").read_bytes()
    text = page_text(page)
    shown = [
        "subject", "classification", "origin", "tags", "dtg", "sender", "to", "info",
        "classified_by", "reasons", "declassify_on", "handling", "signer", "warnings",
        "<b onclick=alert('userkey')>userkey</b>", "homepage", "nested",
    ]  # fmt: skip
    for key in shown:
        for value in strings_of(data[key]):
            if value and not value.isdigit() and value not in {"RUEHC", "RUEHAK", "<x>"}:
                assert squash(value).lower() in text.lower(), (key, value)  # precedence: lower
    assert "<b onclick=alert('userkey')>userkey</b>" in text  # a user's key, as text
    for ref in ["javascript:alert('reference')", "<script>alert('reference')</script>"]:
        assert ref in text
    description = parse_html(page).metas["description"]
    assert description.startswith("Summary \" onmouseover=\"alert('summary') <script>")


def test_jinja_in_cable_text_and_site_yaml_is_shown_not_evaluated(hostile_site: Path) -> None:
    public = hostile_site / "public"
    first = page_text((public / "cable/2009/11/09HOSTILE1.html").read_bytes())
    assert "{{ 7*7 }} {% raw %}x{% endraw %} {# c #}" in first  # subject
    assert "{{ config }} {{ self.__init__ }}" in first  # signer
    assert "{{ 7*7 }} {% raw %} {{ config.items() }} {% endraw %} {%- if true -%}" in first
    second = page_text((public / "cable/2009/11/09HOSTILE2.html").read_bytes())
    assert "Text with {{ 7*7 }} and {% include 'base.html' %}." in second
    home = page_text((public / "index.html").read_bytes())
    assert "Hostile <script>alert('title')</script> {{ 7*7 }}" in home


def test_markdown_in_a_body_cannot_inject_html_images_or_other_schemes(hostile_site: Path) -> None:
    page = parse_html((hostile_site / "public/cable/2009/11/09HOSTILE1.html").read_bytes())
    assert "img" not in page.tags
    body_links = [link for link in page.links if "example" in link or ":" in link]
    assert "https://example.org/" in body_links  # safe links still work
    assert "https://example.org/auto" in body_links
    assert not [link for link in page.links if "alert(" in link or "passwd" in link]
    text = " ".join(page.text)
    for shown in [
        "<script>alert('body')</script>",
        "<div onmouseover=\"alert('html-block')\">raw block</div>",
        "<img src=x onerror=alert('html-img')>",
        "<script>alert('fenced')</script>",
        "<script>alert('indented')</script>",
        "<!-- a comment -->",
    ]:
        assert shown in text, shown


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](&#106;avascript&#58;alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        "![x](https://example.org/x.png)",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        '<a href="javascript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<iframe src=javascript:alert(1)></iframe>",
        "<style>body{display:none}</style>",
        "<details open ontoggle=alert(1)>",
        "1\\. (C) <script>alert(1)</script> [x](javascript:alert(1))",
        "# <script>alert(1)</script>",
        "[<img src=x onerror=alert(1)>](https://example.org/)",
        '[x](https://example.org/ "title\\" onmouseover=\\"alert(1)")',
    ],
)
def test_render_markdown_writes_only_safe_html(body: str) -> None:
    html = render_markdown(make_markdown(), body)
    scan = parse_html(html.encode())
    assert scan.findings == [], html
    assert not {"img", "script", "iframe", "svg", "style", "details"} & set(scan.tags), html


def test_feeds_and_sitemaps_carry_hostile_text_as_text(hostile_site: Path) -> None:
    public = hostile_site / "public"
    data = front_matter(hostile_site, "cables/2009/11/09HOSTILE1.md")
    feed = ET.fromstring((public / "feed.xml").read_bytes())
    assert feed.findtext(f"{ATOM}title") == "Hostile <script>alert('title')</script> {{ 7*7 }}"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == (
        "</name></author><script>alert('author')</script>"
    )
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert data["subject"] in titles
    summaries = " ".join(s.text or "" for s in feed.iter(f"{ATOM}summary"))
    assert str(data["origin"]) in summaries and str(data["classification"]) in summaries
    for entry in feed.iter(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}title").get("type") in (None, "text")  # type: ignore[union-attr]


def test_control_characters_never_make_a_feed_unreadable(hostile_site: Path) -> None:
    public = hostile_site / "public"
    feed = ET.fromstring((public / "feed.xml").read_bytes())
    titles = [entry.findtext(f"{ATOM}title") or "" for entry in feed.iter(f"{ATOM}entry")]
    control = next(title for title in titles if title.startswith("Control characters"))
    assert "escape \ufffd[31m, NUL \ufffd," in control and "\x1b" not in control
    for path in public.rglob("*.xml"):
        assert scan_xml(path.read_bytes(), BASE_URL) == [], path


def test_the_json_of_a_cable_keeps_hostile_values_exactly(hostile_site: Path) -> None:
    expected = front_matter(hostile_site, "cables/2009/11/09HOSTILE1.md")
    actual = json.loads((hostile_site / "public/cable/2009/11/09HOSTILE1.json").read_text())
    assert actual == json.loads(json.dumps(expected))
    control = json.loads((hostile_site / "public/cable/2009/11/09HOSTILE4.json").read_text())
    assert control["subject"].startswith("Control characters: form\ffeed, escape \x1b[31m")


def test_the_original_text_cannot_close_its_pre_block(hostile_site: Path) -> None:
    page = (hostile_site / "public/cable/2009/11/09HOSTILE1.html").read_bytes()
    scan = parse_html(page)
    original = (hostile_site / "content/cables/2009/11/09HOSTILE1.txt").read_text()
    assert "</details></section>" in original
    assert squash(original) in squash("".join(scan.text))


# ---------------------------------------------------------------- raw cables through the importer


def test_imported_hostile_raw_cables_give_a_safe_site(tmp_path: Path) -> None:
    archive = tmp_path / "imported"
    assert run_cli("new", str(archive)).returncode == 0
    raw = tmp_path / "raw"
    shutil.copytree(SITES / "hostile-raw", raw)
    imported = run_cli("import", str(raw), "--into", str(archive / "content"), "--jobs", "1")
    assert "Traceback" not in imported.stderr
    assert imported.returncode == 1  # three rows of hostile.csv name no usable id
    assert "5 new, 0 updated, 0 unchanged, 3 failed" in imported.stdout
    failures = [line for line in imported.stderr.splitlines() if line.startswith("error:")]
    assert len(failures) == 3 and all("hostile.csv:" in line for line in failures)
    assert "cable id 'CON' is not usable as a file name" in imported.stderr
    files = sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*") if p.is_file())
    assert [f for f in files if f.startswith("content/")] == [
        f"content/cables/{month}/{cable_id}.{ext}"
        for month, cable_id in [
            ("2007/09", "07BERN9002"),
            ("2007/09", "07BERN9003"),
            ("2007/09", "07BERN9004"),
            ("2007/09", "07BERN9005"),
            ("2009/11", "09ROME9001"),
        ]
        for ext in ("md", "txt")
    ]
    built = run_cli("build", "--jobs", "2", cwd=archive)
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    assert scan_site(archive / "public") == []
    bern = page_text((archive / "public/cable/2007/09/07BERN9002.html").read_bytes())
    assert "<script>alert('subject')</script> {{ 7*7 }}" in bern
    assert "Embassy Bern <img src=x onerror=alert('origin')>" in bern
    assert "<script>alert('body')</script>" in bern
    csv = page_text((archive / "public/cable/2007/09/07BERN9003.html").read_bytes())
    assert "\"><script>alert('csv-subject')</script> {{ 7*7 }}" in csv
    assert "Embassy <script>alert('csv-origin')</script>" in csv
    meta = yaml.safe_load(
        (archive / "content/cables/2007/09/07BERN9003.md").read_text().split("---\n")[1]
    )
    assert meta["origin"] == "Embassy <script>alert('csv-origin')</script>"
