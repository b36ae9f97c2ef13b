"""Hostile ids, terms and base URLs: nothing is written outside content/ or the output folder.

Cable ids and index terms such as '../../x', '/etc/passwd', 'CON', 300-character
names, mixed case, Unicode look-alikes and names whose slugs collide; a base_url
with a path. The whole temporary tree is snapshotted before and after each
import and build, so a file written anywhere else is caught. Colliding slugs get
distinct URLs that are the same on every build and whatever the input order.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from hostile_support import REPO_DIR, parse_html, snapshot, tree_bytes

from generator.build import build
from generator.config import load_config
from generator.serve_http import RefusedPath, request_segments, resolve_file
from generator.site import assign_slugs
from generator.urls import output_relpath, short_hash

SITES = Path(__file__).resolve().parent / "sites"
CORPUS_RAW = REPO_DIR.parent / "shared" / "corpus" / "raw"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=300,
    )


def minimal_archive(tmp_path: Path, base_url: str) -> Path:
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive, ignore=shutil.ignore_patterns(".cablesite-cache"))
    config = archive / "site.yaml"
    config.write_text(
        re.sub(r"(?m)^base_url: .*$", f"base_url: {base_url}", config.read_text()),
        encoding="utf-8",
    )
    return archive


# ---------------------------------------------------------------- base_url with a path


@pytest.mark.parametrize("base_url", ["https://example.org/cables", "https://example.org"])
def test_absolute_urls_in_sitemaps_feeds_and_robots_are_not_doubled(
    tmp_path: Path, base_url: str
) -> None:
    archive = minimal_archive(tmp_path, base_url)
    report = build(load_config(archive / "site.yaml"), jobs=1)
    assert not report.problems
    public = archive / "public"
    absolute: list[str] = []
    for path in public.rglob("*.xml"):
        root = ET.fromstring(path.read_bytes())
        absolute += [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
        absolute += [link.get("href", "") for link in root.iter(f"{ATOM}link")]
        absolute += [e.text or "" for e in root.iter(f"{ATOM}id")]
    robots = (public / "robots.txt").read_text()
    absolute += re.findall(r"(?m)^Sitemap: (\S+)$", robots)
    assert len(absolute) > 50
    for url in absolute:
        assert url.startswith(base_url + "/"), url
        relative = url[len(base_url) :]
        assert not relative.startswith("/cables/"), f"base path doubled: {url}"
        target = public / relative.lstrip("/")
        assert (target / "index.html" if relative.endswith("/") else target).is_file(), url
    sitemap_index = ET.fromstring((public / "sitemap.xml").read_bytes())
    assert [loc.text for loc in sitemap_index.iter(f"{SITEMAP}loc")] == [
        f"{base_url}/sitemap-cables-2006.xml",
        f"{base_url}/sitemap-cables-2008.xml",
        f"{base_url}/sitemap-cables-2009.xml",
        f"{base_url}/sitemap-pages.xml",
    ]


def test_links_of_pages_below_a_base_path_stay_below_it(tmp_path: Path) -> None:
    archive = minimal_archive(tmp_path, "https://example.org/cables")
    build(load_config(archive / "site.yaml"), jobs=1)
    public = archive / "public"
    page = parse_html((public / "cable/2009/11/09ROME1240.html").read_bytes())
    internal = [link for link in page.links if link.startswith("/")]
    assert internal and all(link.startswith("/cables/") for link in internal)
    for link in internal:
        relative = link.split("#")[0][len("/cables/") :]
        target = public / relative
        assert (target / "index.html" if link.endswith("/") or not relative else target).exists()


# ---------------------------------------------------------------- hostile ids and terms

LONG = "A" * 300
HOSTILE_TAGS = [
    "PREL",
    "prel",
    "Prel",
    "P.R.E.L",
    "../../x",
    "..",
    ".",
    "/etc/passwd",
    "CON",
    "con",
    "nul.txt",
    "LPT1",
    LONG,
    LONG.lower(),
    "\u0410BC",
    "\uff21\uff22\uff23",
    "ABC",
    "A\u0301BC",
    "a/b",
    "a\\b",
    "%2e%2e",
    "?x=1#y",
    "\u202eRTL",
    "x\x00y",
    "\u200b",
]
HOSTILE_NAMES = {  # front-matter line -> its hostile replacement
    "origin: Embassy Rome": "origin: '../../x'",
    "classification: SECRET//NOFORN": "classification: ../../../../etc/passwd",
    "name: SECSTATE WASHDC": "name: /etc/passwd",
    "name: AMEMBASSY PARIS": "name: 'CON'",
}
OUR_FILES = ("public", ".public.cablesite", ".cablesite-cache", "content/slugs.json")


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\0") + '"'


def hostile_archive(tmp_path: Path) -> Path:
    """The minimal archive; 09ROME1300 has every hostile tag, post, addressee, classification."""
    archive = minimal_archive(tmp_path, "https://example.org")
    path = archive / "content/cables/2009/12/09ROME1300.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("tags: [PREL, KNNP]", f"tags: [{', '.join(map(quoted, HOSTILE_TAGS))}]")
    for line, hostile in HOSTILE_NAMES.items():
        assert line in text
        text = text.replace(line, hostile)
    path.write_text(text, encoding="utf-8")
    return archive


def surroundings(tmp_path: Path) -> dict[str, str]:
    """Everything under the test's folder, and the names in the two folders above it.

    '../../x' from public/tag/ lands in the archive, '../../../../etc/passwd'
    from public/classification/ two levels above the test folder: both are seen.
    """
    found = {f"{tmp_path.name}/{path}": kind for path, kind in snapshot(tmp_path).items()}
    for level in (tmp_path.parent, tmp_path.parent.parent):
        for name in os.listdir(level):
            found.setdefault(f"{level}/{name}", "listed")
    return found


def changed_paths(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def assert_only_our_files_changed(changed: list[str]) -> None:
    outside = [
        path
        for path in changed
        if not any(path == ours or path.startswith(ours + "/") for ours in OUR_FILES)
    ]
    assert not outside, f"written outside the output and the caches: {outside[:10]}"


def internal_links(public: Path) -> dict[str, set[str]]:
    """link -> pages that have it, for every root-relative link of every HTML page."""
    links: dict[str, set[str]] = {}
    for page in public.rglob("*.html"):
        for link in parse_html(page.read_bytes()).links:
            if link.startswith("/") and not link.startswith("//"):
                links.setdefault(link.split("#")[0].split("?")[0], set()).add(str(page))
    return links


def target_of(public: Path, link: str) -> Path:
    relative = unquote(link).lstrip("/")
    return public / relative / "index.html" if link.endswith("/") else public / relative


def test_hostile_terms_build_inside_the_output_only_and_every_link_resolves(
    tmp_path: Path,
) -> None:
    archive = hostile_archive(tmp_path)
    passwd = Path("/etc/passwd").read_bytes()
    before = surroundings(tmp_path)
    result = run_cli("build", cwd=archive)
    assert result.returncode == 0, result.stderr
    after = surroundings(tmp_path)
    changed = [p for p in changed_paths(before, after) if p.startswith(tmp_path.name + "/")]
    assert changed == changed_paths(before, after), "written beside the test folder"
    assert_only_our_files_changed(
        [p.removeprefix(f"{tmp_path.name}/archive/") for p in changed if "/archive/" in p]
    )
    assert all("/archive/" in p or p == f"{tmp_path.name}/archive" for p in changed), changed
    assert Path("/etc/passwd").read_bytes() == passwd
    public = archive / "public"
    assert not [
        p for p in public.rglob("*") if p.name.lower().split(".")[0] in {"con", "nul", "lpt1"}
    ]
    assert max(len(p.name) for p in public.rglob("*")) <= 100
    links = internal_links(public)
    missing = {
        link: sorted(pages)[:2]
        for link, pages in links.items()
        if not target_of(public, link).is_file()
    }
    assert not missing, missing
    check = run_cli("check", cwd=archive)
    assert check.returncode == 0, check.stdout + check.stderr

    page = parse_html((public / "cable/2009/12/09ROME1300.html").read_bytes())
    tag_links = sorted(
        {link for link in page.links if link.startswith("/tag/") and link != "/tag/"}
    )
    names = {name for name in HOSTILE_TAGS if name.strip("\x00\u200b")}
    register = json.loads((archive / "content/slugs.json").read_text())
    tags = register["tag"]
    assert len(set(tags.values())) == len(tags), "two tags share a slug"
    for name in ["PREL", "prel", "Prel", "../../x", "CON", "con", LONG, "\u0410BC", "ABC"]:
        assert f"/tag/{tags[name]}/" in tag_links, name
        assert (public / "tag" / tags[name] / "index.html").is_file()
    assert tags["PREL"] == "prel"  # the common spelling (most cables) keeps the plain slug
    assert len(tag_links) >= len(names) - 4  # a few are the same tag once cleaned by the reader
    assert register["origin"]["../../x"] == "x"
    assert register["addressee"]["/etc/passwd"] == "etc-passwd"
    assert register["classification"]["../../../../etc/passwd"] == "etc-passwd"


def test_colliding_slugs_keep_their_urls_when_a_new_spelling_comes(tmp_path: Path) -> None:
    archive = minimal_archive(tmp_path, "https://example.org")
    folder = archive / "content/cables/2009"
    rome1300 = folder / "12/09ROME1300.md"
    rome1300.write_text(
        rome1300.read_text().replace("tags: [PREL, KNNP]", "tags: [PREL, KNNP, Abc]")
    )
    assert run_cli("build", cwd=archive).returncode == 0
    public = archive / "public"
    assert "Abc" in (public / "tag/abc/index.html").read_text()
    first = json.loads((archive / "content/slugs.json").read_text())

    # 'ABC' arrives later, on more cables than 'Abc' and first in sort order
    for path in (folder / "11/09ROME1240.md", folder / "10/09ROME1111.md"):
        path.write_text(re.sub(r"(?m)^tags: \[", "tags: [ABC, ", path.read_text(), count=1))
    assert run_cli("build", cwd=archive).returncode == 0
    assert "Abc" in (public / "tag/abc/index.html").read_text(), "the URL of 'Abc' moved"
    second = json.loads((archive / "content/slugs.json").read_text())
    abc = second["tag"]["ABC"]
    assert abc.startswith("abc-") and (public / "tag" / abc / "index.html").is_file()
    assert {k: v for k, v in second["tag"].items() if k != "ABC"} == first["tag"]
    rome1240 = parse_html((public / "cable/2009/11/09ROME1240.html").read_bytes())
    assert f"/tag/{abc}/" in rome1240.links and "/tag/abc/" not in rome1240.links

    # a clean build, a build into a new folder and a rebuild give the same URLs
    assert run_cli("build", "--clean", cwd=archive).returncode == 0
    assert "Abc" in (public / "tag/abc/index.html").read_text()
    assert run_cli("build", "--out", str(tmp_path / "elsewhere"), cwd=archive).returncode == 0
    assert tree_bytes(tmp_path / "elsewhere") == tree_bytes(public)
    assert json.loads((archive / "content/slugs.json").read_text()) == second

    # a term that leaves keeps its slug reserved: no other name takes its URL
    rome1300.write_text(rome1300.read_text().replace(", Abc]", "]"))
    assert run_cli("build", cwd=archive).returncode == 0
    assert not (public / "tag/abc").exists()
    assert (public / "tag" / abc / "index.html").is_file()


def test_assign_slugs_is_independent_of_input_order_and_honours_known_slugs() -> None:
    counts = {"PREL": 5, "prel": 9, "Prel": 1, "P.R.E.L.": 1, "p-r-e-l": 1}
    fresh = assign_slugs(counts)
    assert fresh == assign_slugs(dict(reversed(list(counts.items()))))
    assert fresh["prel"] == "prel" and len(set(fresh.values())) == len(counts)
    known = {"PREL": "prel", "gone": "p-r-e-l"}
    slugs = assign_slugs(counts, known)
    assert slugs["PREL"] == "prel" and slugs["prel"] != "prel"
    assert slugs["p-r-e-l"] != "p-r-e-l"  # reserved by a term that left
    assert len(set(slugs.values())) == len(counts)
    hostile = {"evil": "../../x", "con": "con", "Upper": "UPPER", "ok": "fine"}
    slugs = assign_slugs({"evil": 1, "con": 1, "Upper": 1, "ok": 1}, hostile)
    assert slugs == {
        "evil": "evil",
        "con": "con-" + short_hash("con"),
        "Upper": "upper",
        "ok": "fine",
    }
    for slug in slugs.values():
        assert output_relpath(f"/tag/{slug}/") == f"tag/{slug}/index.html"


def test_a_damaged_slugs_file_is_reported_and_the_build_goes_on(tmp_path: Path) -> None:
    archive = minimal_archive(tmp_path, "https://example.org")
    (archive / "content/slugs.json").write_text('{"tag": {"PREL": ["not a slug"]')
    result = run_cli("build", cwd=archive)
    assert result.returncode == 0, result.stderr
    assert "slugs.json" in result.stderr and "Traceback" not in result.stderr
    assert json.loads((archive / "content/slugs.json").read_text())["tag"]["PREL"] == "prel"


# ---------------------------------------------------------------- importing hostile raw cables

HOSTILE_ROWS = [  # (id, origin, classification, TAGS line)
    ("09ROME1240", "../../x", "CON", "TAGS: PREL, ../../X, /ETC/PASSWD, CON, NUL.TXT"),
    ("../../../x", "Embassy Rome", "SECRET", "TAGS: PREL"),
    ("/etc/passwd", "Embassy Rome", "SECRET", "TAGS: PREL"),
    ("CON", "Embassy Rome", "SECRET", "TAGS: PREL"),
    ("09" + "A" * 300, "Embassy Rome", "SECRET", "TAGS: PREL"),
]


def hostile_csv(path: Path) -> Path:
    telegram = (CORPUS_RAW / "09ROME1240.txt").read_text(encoding="utf-8")
    _, _, body = telegram.partition("\n\n")
    rows = []
    for number, (cable_id, origin, classification, tags) in enumerate(HOSTILE_ROWS, start=1):
        content = re.sub(r"(?m)^TAGS: .*$", tags, body)
        fields = [
            str(number),
            "11/10/2009 16:42",
            cable_id,
            origin,
            classification,
            "",
            "",
            content,
        ]
        rows.append(
            ",".join('"' + f.replace("\\", "\\\\").replace('"', '\\"') + '"' for f in fields)
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_importing_hostile_ids_and_terms_writes_inside_content_only(tmp_path: Path) -> None:
    source = hostile_csv(tmp_path / "cables.csv")
    work = tmp_path / "work"
    work.mkdir()
    before = surroundings(tmp_path)
    result = run_cli("-v", "import", str(source), "--into", "content", cwd=work)
    assert "Traceback" not in result.stderr
    after = surroundings(tmp_path)
    changed = changed_paths(before, after)
    assert changed and all(p.startswith(f"{tmp_path.name}/work/content") for p in changed), changed
    written = sorted(
        p.relative_to(work / "content").as_posix() for p in (work / "content").rglob("*.md")
    )
    assert written == ["cables/2009/11/09ROME1240.md"], written
    # a malformed published id is named, and the id the telegram itself gives is used
    for cable_id in ("../../../x", "/etc/passwd", "CON", "09" + "A" * 300):
        assert f"the published id {cable_id} is malformed" in result.stderr
    assert result.returncode == 0, result.stderr
    archive = tmp_path / "archive"
    shutil.copytree(work / "content", archive / "content")
    (archive / "site.yaml").write_text("title: Hostile import\nsearch: false\n")
    built = run_cli("build", cwd=archive)
    assert built.returncode == 0, built.stderr
    tags = json.loads((archive / "content/slugs.json").read_text())["tag"]
    for tag in ("/../X", "/ETC/PASSWD", "CON", "NUL.TXT"):
        assert (archive / "public/tag" / tags[tag] / "index.html").is_file()
    assert not (tmp_path / "x").exists() and not (archive / "x").exists()


# ---------------------------------------------------------------- the preview server's address


def listening(port: int) -> set[str]:
    """The local addresses (hex, as /proc/net/tcp{,6} write them) listening on port."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].rpartition(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp6").exists(), reason="needs Linux /proc/net")
@pytest.mark.parametrize("host", [None, "127.0.0.2"])
def test_serve_listens_on_the_loopback_address_only_unless_told_otherwise(
    tmp_path: Path, host: str | None
) -> None:
    archive = minimal_archive(tmp_path, "https://example.org")
    expected = host or "127.0.0.1"
    args = ["serve", "--port", "0"] + (["--host", host] if host else [])
    output = tmp_path / "serve.out"
    with output.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", *args],
            cwd=archive,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        match = None
        for _ in range(1200):
            match = re.search(rf"at http://{re.escape(expected)}:(\d+)/", output.read_text())
            if match or process.poll() is not None:
                break
            time.sleep(0.1)
        assert match, output.read_text()
        port = int(match.group(1))
        octets = expected.split(".")
        own = "".join(f"{int(o):02X}" for o in reversed(octets))
        assert listening(port) == {own}, listening(port)  # not 0.0.0.0, not [::]
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
        with direct.open(f"http://{expected}:{port}/index.html", timeout=30) as reply:
            assert reply.status == 200
        if host:
            with pytest.raises(OSError):
                direct.open(f"http://127.0.0.1:{port}/", timeout=30)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


@pytest.mark.parametrize(
    "raw_path",
    [
        "/%252e%252e/%252e%252e/etc/passwd",  # encoded twice: a name with '%' in it, not '..'
        "/%2E%2e/etc/passwd",
        "/cable/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/\u2024\u2024/etc/passwd",  # ONE DOT LEADER, not a dot
        "/\uff0e\uff0e/etc/passwd",  # fullwidth full stops
        "/..;/etc/passwd",
        "/.../etc/passwd",
        "/tag/%00/",
        "/%C0%AE%C0%AE/etc/passwd",
        "/cable/2009/11/09ROME1240.html/..",
    ],
)
def test_no_spelling_of_a_request_path_reaches_outside_the_output(
    tmp_path: Path, raw_path: str
) -> None:
    site = tmp_path / "public"
    (site / "cable/2009/11").mkdir(parents=True)
    (site / "index.html").write_text("home")
    (site / "cable/2009/11/09ROME1240.html").write_text("cable")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0")
    try:
        segments = request_segments(quote(raw_path, safe="/%;"))
    except RefusedPath:
        return
    assert segments is not None
    found, _ = resolve_file(site, segments)
    assert found is None or site.resolve() in found.resolve().parents, found
