"""Hostile and broken site.yaml: one message naming the key and what was expected, exit 1.

Every case runs `cablesite build` (and a few `cablesite check` / `serve`) as a
subprocess in an archive of its own: exit code 1, 'error: ' and the words that
name the key and the expectation on stderr, no traceback, nothing built, and
nothing written outside the archive (a Python tag must not run).
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hostile_support import snapshot

GOOD = "title: Cables\n"
BOMB = "\n".join(
    ["title: Cables", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [
        f"{chr(97 + n)}: &{chr(97 + n)} [{', '.join(['*' + chr(96 + n)] * 9)}]"
        for n in range(1, 10)
    ]
    + ["extra: {bomb: *j}", ""]
)

# name -> (site.yaml text or bytes, words the message must contain)
CASES: dict[str, tuple[str | bytes, tuple[str, ...]]] = {
    "empty": ("", ("the file is empty", "'title'")),
    "blank": ("\n\n   \n", ("the file is empty",)),
    "comment only": ("# nothing here\n", ("the file is empty",)),
    "document marker only": ("---\n", ("the file is empty",)),
    "null": ("null\n", ("the file is empty",)),
    "a list": ("- title\n- Cables\n", ("expected a mapping", "a list")),
    "a scalar": ("Cables\n", ("expected a mapping", "text")),
    "missing title": ("base_url: https://example.org\n", ("missing key 'title'",)),
    "unknown key": ("titel: Cables\n", ("unknown key 'titel'", "Did you mean 'title'?")),
    "unknown nested key": (
        GOOD + "permalinks:\n  tags: /t/{slug}/\n",
        ("unknown key 'permalinks.tags'", "Did you mean 'permalinks.tag'?"),
    ),
    "number key": (GOOD + "1: x\n", ("unknown key '1'",)),
    "title list": ("title: [a, b]\n", ("'title' is", "expected text")),
    "title mapping": ("title: {a: b}\n", ("'title' is", "expected text")),
    "title null": ("title:\n", ("'title' is", "expected text")),
    "page_size text": (GOOD + "page_size: ten\n", ("'page_size'", "a whole number")),
    "page_size zero": (GOOD + "page_size: 0\n", ("'page_size'", "a whole number of at least 1")),
    "page_size negative": (GOOD + "page_size: -5\n", ("'page_size'", "at least 1")),
    "page_size bool": (GOOD + "page_size: yes\n", ("'page_size'", "a whole number")),
    "page_size float": (GOOD + "page_size: 2.5\n", ("'page_size'", "a whole number")),
    "feed_size huge": (GOOD + "feed_size: 1e400\n", ("'feed_size'", "a whole number")),
    "base_url number": (GOOD + "base_url: 42\n", ("'base_url'", "http(s) URL")),
    "base_url javascript": (
        GOOD + "base_url: \"javascript:alert('base')\"\n",
        ("'base_url'", "http(s) URL"),
    ),
    "base_url ftp": (GOOD + "base_url: ftp://example.org/\n", ("'base_url'", "http(s) URL")),
    "base_url query": (GOOD + "base_url: https://example.org/?x=1\n", ("'base_url'",)),
    "base_url spaces": (GOOD + "base_url: https://exa mple.org\n", ("'base_url'",)),
    "language script": (
        GOOD + 'language: "en\\"><script>alert(\'lang\')</script>"\n',
        ("'language'", "a language tag such as en"),
    ),
    "language long": (
        GOOD + "language: en-abcdefgh-abcdefgh-abcdefgh-abcdefgh\n",
        ("'language'", "a language tag"),
    ),
    "language list": (GOOD + "language: [en]\n", ("'language'", "a language tag")),
    "theme list": (GOOD + "theme: [default]\n", ("'theme'", "expected text")),
    "theme missing": (GOOD + "theme: nosuchtheme\n", ("theme 'nosuchtheme' not found",)),
    "theme outside": (GOOD + "theme: ../../../etc\n", ("not found",)),
    "indexes text": (GOOD + "indexes: tag\n", ("'indexes'", "a list of index names")),
    "indexes typo": (GOOD + "indexes: [tags]\n", ("'indexes'", "did you mean 'tag'?")),
    "permalinks text": (GOOD + "permalinks: /x/\n", ("'permalinks'", "a mapping")),
    "permalink no slug": (GOOD + "permalinks:\n  tag: /tag/\n", ("'permalinks.tag'", "{slug}")),
    "permalink dotdot": (
        GOOD + "permalinks:\n  cable: /../../{year}/{id}.html\n",
        ("'permalinks.cable'", "without '.', '..'"),
    ),
    "permalink unknown placeholder": (
        GOOD + "permalinks:\n  tag: /tag/{name}/\n",
        ("'permalinks.tag'", "only the placeholders {slug}"),
    ),
    "permalink not a folder": (
        GOOD + "permalinks:\n  tag: /tag/{slug}.html\n",
        ("'permalinks.tag'", "a folder ending in '/'"),
    ),
    "content_dir outside": (GOOD + "content_dir: ../elsewhere\n", ("'content_dir'", "inside")),
    "output_dir absolute": (GOOD + "output_dir: /tmp/public\n", ("'output_dir'", "inside")),
    "cache_dir list": (GOOD + "cache_dir: [x]\n", ("'cache_dir'", "a folder path")),
    "extra list": (GOOD + "extra: [1, 2]\n", ("'extra'", "a mapping")),
    "search maybe": (GOOD + "search: maybe\n", ("'search'", "true or false")),
    "several problems": (
        "title: [x]\npage_size: 0\nlanguage: 7\n",
        ("3 problem(s)", "'title'", "'page_size'", "'language'"),
    ),
    "tab indentation": (
        GOOD + "permalinks:\n\ttag: /t/{slug}/\n",
        ("not valid YAML", "spaces, not tabs"),
    ),
    "tab in value": (GOOD + "description: a\tb\n", ()),  # valid YAML: builds
    "broken YAML": ("title: [unclosed\n", ("not valid YAML",)),
    "duplicate anchor use": (
        "title: &t Cables\ndescription: *t\n",
        ("aliases (*name) are not allowed",),
    ),
    "alias bomb": (BOMB, ("aliases (*name) are not allowed",)),
    "deep nesting": (GOOD + "extra: {x: " + "[" * 100_000 + "}\n", ("nested deeper than 32",)),
    "python object": (
        "title: !!python/object/apply:os.system ['touch pwned']\n",
        ("not valid YAML", "python/object/apply"),
    ),
    "python name": ("title: !!python/name:os.system\n", ("not valid YAML",)),
    "custom tag": ("title: !include other.yaml\n", ("not valid YAML",)),
    "binary tag": (GOOD + "extra: {b: !!binary aGVsbG8=}\n", ()),  # safe: builds
    "latin-1": ("title: Caf\xe9\n".encode("latin-1"), ("not UTF-8",)),
    "garbage": (bytes(range(256)) * 4, ("not UTF-8",)),
    "nul bytes": (b"title: a\x00b\n", ("not valid YAML",)),
    "bom": ("\ufefftitle: Cables\n".encode(), ()),  # a BOM is allowed: builds
}


def run(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=archive,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def make_archive(root: Path, name: str, text: str | bytes) -> Path:
    archive = root / name.replace(" ", "-")
    (archive / "content" / "cables").mkdir(parents=True)
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    (archive / "site.yaml").write_bytes(data)
    return archive


def test_every_broken_site_yaml_is_named_with_the_key_and_the_expectation(tmp_path: Path) -> None:
    archives = {name: make_archive(tmp_path, name, text) for name, (text, _) in CASES.items()}
    before = snapshot(tmp_path)
    with ThreadPoolExecutor(max_workers=2) as pool:
        built = pool.map(lambda a: run(a, "build"), archives.values())
        results = dict(zip(CASES, built, strict=True))
    failures: list[str] = []
    for name, (_, words) in CASES.items():
        result = results[name]
        output = result.stdout + result.stderr
        if "Traceback" in output or result.returncode < 0:
            failures.append(f"{name}: crashed (exit {result.returncode}):\n{output[-2000:]}")
            continue
        if not words:  # valid: it builds
            if result.returncode != 0:
                failures.append(f"{name}: expected a build, got:\n{result.stderr}")
            continue
        missing = [word for word in words if word not in result.stderr]
        if result.returncode != 1 or not result.stderr.startswith("error: ") or missing:
            failures.append(
                f"{name}: exit {result.returncode}, missing {missing} in:\n{result.stderr}"
            )
        if (archives[name] / "public").exists():
            failures.append(f"{name}: a site was built from a broken site.yaml")
    assert failures == [], "\n\n".join(failures)
    after = snapshot(tmp_path)
    created = sorted(set(after) - set(before))
    assert all(
        any(
            part in path
            for part in ["public", ".cablesite-cache", ".public.cablesite", "content/slugs.json"]
        )
        for path in created
    ), created
    assert not [path for path in after if path.endswith("pwned")]


@pytest.mark.parametrize("command", [["check"], ["serve", "--port", "0"]])
def test_check_and_serve_report_a_broken_site_yaml_the_same_way(
    tmp_path: Path, command: list[str]
) -> None:
    archive = make_archive(tmp_path, "bomb", BOMB)
    result = run(archive, *command)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        result.stderr.startswith("error: ") and "aliases (*name) are not allowed" in result.stderr
    )


def test_a_missing_or_unreadable_site_yaml_is_named(tmp_path: Path) -> None:
    missing = run(tmp_path, "build")
    assert missing.returncode == 1 and "site.yaml: no such file" in missing.stderr
    (tmp_path / "site.yaml").mkdir()
    folder = run(tmp_path, "build")
    assert folder.returncode == 1 and "Traceback" not in folder.stderr
    assert "site.yaml: cannot read" in folder.stderr
    other = run(tmp_path, "build", "--config", str(tmp_path / "nowhere" / "x.yaml"))
    assert other.returncode == 1 and "x.yaml: no such file" in other.stderr
