"""`cablesite serve`: live rebuilds, errors shown and recovered from, nothing from outside."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import REPO_DIR, ServerProcess, copy_archive, set_subject, tree_bytes

from generator.build import build
from generator.config import load_config
from generator.serve_http import (
    RELOAD_SCRIPT,
    RefusedPath,
    ServeState,
    decorate_html,
    request_segments,
    resolve_file,
)
from generator.serve_watch import ChangeBatcher, is_relevant, plan_watch

ROME = "content/cables/2009/11/09ROME1240.md"
ROME_URL = "/cable/2009/11/09ROME1240.html"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A private copy of the minimal archive."""
    return copy_archive(tmp_path / "archive")


@pytest.fixture
def server(archive: Path) -> Iterator[ServerProcess]:
    """`cablesite serve` running on the private archive, on a free port."""
    process = ServerProcess(archive)
    try:
        yield process
    finally:
        process.stop()


# ---------------------------------------------------------------- request paths (no server)


@pytest.mark.parametrize(
    "raw_path",
    [
        "/../etc/passwd",
        "/cable/../../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/.%2e/etc/passwd",
        "/cable/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2fetc%2fpasswd",
        "/cable%2F..%2F..%2Fetc%2Fpasswd",
        "/..\\..\\etc\\passwd",
        "/%5c..%5c..%5cetc%5cpasswd",
        "//etc/passwd",
        "/tag//prel/",
        "/C:/Windows/win.ini",
        "/c:%5cwindows",
        "/index.html%00.txt",
        "/%c0%ae%c0%ae/etc/passwd",  # overlong UTF-8 for '..': not UTF-8 at all
        "/./index.html",
        "/.git/config",
        "etc/passwd",
    ],
)
def test_request_segments_refuses_every_spelling_of_traversal(raw_path: str) -> None:
    with pytest.raises(RefusedPath):
        request_segments(raw_path)


def test_request_segments_decodes_ordinary_paths() -> None:
    assert request_segments("/") == ("",)
    assert request_segments("/tag/prel/") == ("tag", "prel", "")
    assert request_segments("/cable/2009/11/09ROME1240.html") == (
        "cable",
        "2009",
        "11",
        "09ROME1240.html",
    )
    assert request_segments("/origin/caf%C3%A9/") == ("origin", "café", "")
    assert request_segments("/.well-known/security.txt") == (".well-known", "security.txt")


def test_request_segments_serves_below_the_base_path_only() -> None:
    assert request_segments("/cables/tag/", "/cables") == ("tag", "")
    assert request_segments("/cables/", "/cables") == ("",)
    assert request_segments("/cables", "/cables") is None  # redirected to /cables/
    assert request_segments("/tag/", "/cables") is None
    assert request_segments("/cablesx/tag/", "/cables") is None


def test_resolve_file_refuses_symlinks_that_lead_outside(tmp_path: Path) -> None:
    site = tmp_path / "public"
    (site / "cable").mkdir(parents=True)
    (site / "index.html").write_text("home")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (site / "leak.txt").symlink_to(secret)
    (site / "cable" / "up").symlink_to(tmp_path)
    (site / "inside.html").symlink_to(site / "index.html")
    assert resolve_file(site, ("leak.txt",)) == (None, False)
    assert resolve_file(site, ("cable", "up", "secret.txt")) == (None, False)
    assert resolve_file(site, ("inside.html",)) == (site / "index.html", False)
    assert resolve_file(site, ("",)) == (site / "index.html", False)
    assert resolve_file(site, ("cable",)) == (None, True)  # a folder: redirect to 'cable/'


def test_resolve_file_follows_an_output_symlink_swapped_after_start(tmp_path: Path) -> None:
    for generation in ("one", "two"):
        (tmp_path / generation).mkdir()
        (tmp_path / generation / "index.html").write_text(generation)
    link = tmp_path / "public"
    link.symlink_to(tmp_path / "one")
    first, _ = resolve_file(link, ("",))
    assert first is not None and first.read_text() == "one"
    swap = tmp_path / "public.new"
    swap.symlink_to(tmp_path / "two")
    os.replace(swap, link)  # how a build swaps a symlinked output atomically
    second, _ = resolve_file(link, ("",))
    assert second is not None and second.read_text() == "two"


def test_decorate_html_adds_the_reload_script_and_the_error_banner_only() -> None:
    page = b"<!DOCTYPE html><html><head><title>t</title></head><body class=x><p>hi</p></body>"
    clean = decorate_html(page, ServeState(out_dir=Path("/x")))
    assert clean.count(b"livereload.js") == 1
    assert clean.index(b"livereload.js") < clean.index(b"</head>")
    assert clean.replace(clean[clean.index(b"<script>") : clean.index(b"</head>")], b"") == page
    failed = decorate_html(
        page, ServeState(out_dir=Path("/x"), build_error="templates/cable.html:3: <oops> & co")
    )
    banner_at = failed.index(b'id="cablesite-build-error"')
    assert failed.index(b"<body class=x>") < banner_at < failed.index(b"<p>hi</p>")
    assert b"templates/cable.html:3: &lt;oops&gt; &amp; co" in failed


# ---------------------------------------------------------------- watching (no server)


def test_a_burst_of_changes_becomes_one_batch() -> None:
    now = [100.0]
    batcher = ChangeBatcher(quiet_seconds=0.25, clock=lambda: now[0])
    for number in range(5000):  # a re-import: thousands of files, a few ms apart
        batcher.add(Path(f"/a/content/cables/2009/11/09ROME{number}.md"))
        now[0] += 0.002
        assert batcher.take_if_quiet(now[0]) is None
    now[0] += 0.1
    assert batcher.take_if_quiet(now[0]) is None
    now[0] += 0.2
    batch = batcher.take_if_quiet(now[0])
    assert batch is not None and len(batch) == 5000
    assert batcher.take_if_quiet(now[0] + 10) is None


def test_the_output_caches_and_editor_scratch_files_are_not_watched(tmp_path: Path) -> None:
    site = tmp_path
    plan = plan_watch(
        site / "content",
        [site / "templates", site / "templates" / "partials", site / "static"],
        site,
        site / "site.yaml",
        ignored=[site / "public", site / ".public.cablesite", site / ".cablesite-cache"],
    )
    assert plan.recursive == (site / "content", site / "static", site / "templates")
    assert is_relevant(site / "content/cables/2009/11/09ROME1240.md", plan)
    assert is_relevant(site / "templates/cable.html", plan)
    assert is_relevant(site / "site.yaml", plan)
    assert is_relevant(site / "templates", plan)  # a templates/ folder appearing
    for ignored in [
        "public/index.html",
        ".public.cablesite/back/index.html",
        ".cablesite-cache/front-matter.pickle",
        "content/cables/2009/11/.09ROME1240.md.swp",
        "content/cables/2009/11/09ROME1240.md~",
        "content/cables/2009/11/4913",
        "content/cables/2009/11/.tmp-abc123",
        "notes.txt",
        "README.md",
    ]:
        assert not is_relevant(site / ignored, plan), ignored


# ---------------------------------------------------------------- the running server


def test_serve_shows_an_edited_subject_and_leaves_public_untouched(
    server: ServerProcess, archive: Path, tmp_path: Path
) -> None:
    status, headers, body = server.get(ROME_URL)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"G-8 NONPROLIFERATION DIRECTORS GROUP MEETING" in body
    assert b"/livereload.js" in body  # served pages carry the reload script

    set_subject(archive / ROME, "EDITED WHILE SERVING")
    page = server.wait_for_page(ROME_URL, "EDITED WHILE SERVING")
    assert b"G-8 NONPROLIFERATION DIRECTORS GROUP MEETING" not in page
    server.wait_for_page("/date/2009/11/", "EDITED WHILE SERVING")  # the indexes follow
    server.wait_for_page("/", "EDITED WHILE SERVING")
    assert server.get("/cable/2009/11/09ROME1240.json")[2].count(b"EDITED WHILE SERVING") == 1
    assert server.stop() == 0

    served = tree_bytes(archive / "public")
    assert not [path for path, data in served.items() if b"livereload" in data]
    config = load_config(archive / "site.yaml")
    build(config, tmp_path / "fresh", clean=True, jobs=1)
    fresh = tree_bytes(tmp_path / "fresh")

    def pages(tree: dict[str, bytes]) -> dict[str, bytes]:
        return {path: data for path, data in tree.items() if not path.startswith("pagefind/")}

    assert pages(served) == pages(fresh)  # byte for byte what `cablesite build` makes
    assert served != fresh  # but the search index stayed as first built while serving
    build(config, jobs=1)  # and the next `cablesite build` brings it up to date
    assert tree_bytes(archive / "public") == fresh


def test_serve_refuses_traversal_and_serves_nothing_outside_the_output(
    server: ServerProcess, archive: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET OUTSIDE THE SITE")
    (archive / "public" / "leak.txt").symlink_to(secret)
    for raw_path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/archive/site.yaml",
        "/cable/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/leak.txt",
        "/.%2e/site.yaml",
    ]:
        status, _, body = server.get(raw_path)
        assert status in {400, 404}, (raw_path, status)
        assert b"TOP SECRET" not in body and b"title: Minimal" not in body, raw_path
    status, _, body = server.get("http://127.0.0.1/../../etc/passwd")  # absolute-form target
    assert status in {400, 404} and b"root:" not in body
    assert server.get("/index.html")[0] == 200
    status, headers, _ = server.get("/tag")
    assert status == 301 and headers["Location"] == "/tag/"
    status, _, body = server.get("/no/such/page.html")
    assert status == 404
    assert body.replace(RELOAD_SCRIPT, b"") == (archive / "public" / "404.html").read_bytes()


def test_serve_listens_on_loopback_only_by_default(server: ServerProcess) -> None:
    assert f"http://127.0.0.1:{server.port}/" in server.stdout
    if sys.platform.startswith("linux"):
        listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
        local = {line.split()[1] for line in listening if line.split()[3] == "0A"}
        assert f"0100007F:{server.port:04X}" in local
        assert f"00000000:{server.port:04X}" not in local


def test_a_broken_template_shows_an_error_page_and_a_fix_recovers(
    server: ServerProcess, archive: Path
) -> None:
    templates = archive / "templates"
    templates.mkdir()
    (templates / "cable.html").write_text(
        '{% extends "default/cable.html" %}{% block title %}{% if %}{% endblock %}\n'
    )
    page = server.wait_for_page(ROME_URL, "cablesite-build-error")
    assert b"cable.html" in page and b"syntax error" in page
    assert b"G-8 NONPROLIFERATION DIRECTORS GROUP MEETING" in page  # the last good build
    server.wait_for_output(r"cable\.html.*syntax error", stream="stderr")
    assert server.get("/")[0] == 200  # still serving

    (templates / "cable.html").write_text(
        '{% extends "default/cable.html" %}{% block title %}FIXED {{ cable.id }}{% endblock %}\n'
    )
    # The banner goes once the server has the build's report, a moment after the swap.
    page = server.wait_for_page(ROME_URL, "cablesite-build-error", present=False)
    assert b"<title>FIXED 09ROME1240</title>" in page


def test_a_broken_site_yaml_is_shown_and_a_fix_recovers(
    server: ServerProcess, archive: Path
) -> None:
    config = archive / "site.yaml"
    good = config.read_text()
    config.write_text(good + "page_sise: 3\n")
    page = server.wait_for_page("/", "cablesite-build-error")
    assert b"page_sise" in page and b"page_size" in page  # the key and the suggestion
    server.wait_for_output(r"page_sise", stream="stderr")
    config.write_text(good.replace("Minimal cable archive", "Renamed archive"))
    page = server.wait_for_page("/", "cablesite-build-error", present=False)
    assert b"<title>Renamed archive</title>" in page


def test_a_broken_cable_is_shown_the_rest_is_served_and_a_fix_recovers(
    server: ServerProcess, archive: Path
) -> None:
    cable = archive / ROME
    good = cable.read_text()
    cable.write_text(good.replace("subject: G-8", "subject: [G-8", 1))  # unbalanced YAML
    page = server.wait_for_page("/cable/2009/10/09ROME1111.html", "cablesite-build-error")
    assert b"09ROME1240.md" in page
    server.wait_for_output(r"09ROME1240\.md", stream="stderr")
    cable.write_text(good)
    server.wait_for_page("/cable/2009/10/09ROME1111.html", "cablesite-build-error", present=False)
    assert b"G-8 NONPROLIFERATION" in server.wait_for_page(ROME_URL, "G-8 NONPROLIFERATION")


def test_a_burst_of_new_cables_is_built_in_few_rebuilds(
    server: ServerProcess, archive: Path
) -> None:
    source = (archive / ROME).read_text()
    original = (archive / ROME).with_suffix(".txt").read_bytes()
    before = server.stdout.count("site updated")
    folder = archive / "content/cables/2009/11"
    for number in range(2000, 2200):
        text = source.replace("09ROME1240", f"09ROME{number}")
        (folder / f"09ROME{number}.txt").write_bytes(original)
        (folder / f"09ROME{number}.md").write_text(text)
    server.wait_for_page("/cable/2009/11/09ROME2199.html", "09ROME2199")
    server.wait_for_page("/origin/embassy-rome/", "<strong>203</strong> cables")
    server.wait_for_output(r"206 cables, \d+ pages: .*site updated")  # printed after the swap
    rebuilds = server.stdout.count("site updated") - before
    assert 1 <= rebuilds <= 3, server.stdout  # 400 files, not 400 rebuilds


def test_ctrl_c_stops_the_server_cleanly(server: ServerProcess, archive: Path) -> None:
    assert server.get("/")[0] == 200
    assert server.stop() == 0
    assert server.stdout.rstrip().endswith("stopped")
    assert "Traceback" not in server.stderr


def test_a_port_in_use_is_a_clear_error(server: ServerProcess, archive: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--port", str(server.port)],
        cwd=archive,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=str(REPO_DIR)),
        check=False,
    )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigterm_stops_the_server_too(archive: Path) -> None:
    process = ServerProcess(archive)
    process.process.send_signal(signal.SIGTERM)
    assert process.process.wait(timeout=30) == 0
    assert process.stdout.rstrip().endswith("stopped")


def test_a_first_build_that_fails_is_shown_and_a_fix_builds_the_site(archive: Path) -> None:
    templates = archive / "templates"
    templates.mkdir()
    (templates / "base.html").write_text("<html><head></head><body>{% block main %}</body>\n")
    process = ServerProcess(archive)  # serves even though nothing could be built
    try:
        status, _, page = process.get("/")
        assert status == 503 and b"cablesite-build-error" in page and b"base.html" in page
        assert not (archive / "public").exists()
        (templates / "base.html").unlink()
        process.wait_for_page("/", "<title>Minimal cable archive</title>")
        assert process.get(ROME_URL)[0] == 200
    finally:
        assert process.stop() == 0
