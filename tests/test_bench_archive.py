"""The benchmark's tools (tests/bench/): the synthetic archive, its cables.csv, the Hugo twin.

The archive must be deterministic, shaped like the release, and readable the
way the real dump is read; the Hugo site must build. These are not timings.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from conftest import RAW_DIR

from generator.cable_files import iter_content_files, load_cables, read_cable

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))

import archive_model
import hugo_site
import make_archive
import proc_measure
import run_bench

N = 200
SEED = 7
CSV_DIALECT = {"escapechar": "\\", "doublequote": False, "strict": True}
US_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}")
PARAGRAPH_MD = re.compile(r"(\d+)\\\. \((U|SBU|C|S|C/NF|S/NF)\) \S")
PARAGRAPH_TELEGRAM = re.compile(r"(\d+)\. \((U|SBU|C|S|C/NF|S/NF)\) \S")


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 200-cable archive: cables.csv and archive/ (site.yaml, content/)."""
    root = tmp_path_factory.mktemp("bench")
    make_archive.make_archive(N, SEED, root / "cables.csv", root / "archive")
    return root


def read_rows(path: Path) -> list[list[str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, **CSV_DIALECT))


# ---------------------------------------------------------------- determinism


def test_same_seed_gives_byte_identical_csv_gz_and_content(tmp_path: Path) -> None:
    for name in ("one", "two"):
        make_archive.make_archive(
            N, SEED, tmp_path / name / "cables.csv.gz", tmp_path / name / "archive"
        )
    one, two = tree_digest(tmp_path / "one"), tree_digest(tmp_path / "two")
    assert len([p for p in one if p.endswith(".md")]) == N
    assert one == two


def test_another_seed_gives_another_archive() -> None:
    data = archive_model.load_reference_data()
    first = archive_model.plan_archive(50, 1, data)
    second = archive_model.plan_archive(50, 2, data)
    assert [c.id for c in first] != [c.id for c in second]


# ---------------------------------------------------------------- shape


def test_ids_months_and_posts_come_from_the_release(archive: Path) -> None:
    data = archive_model.load_reference_data()
    month_of = dict(data.ids)
    cables, problems = load_cables(archive / "archive" / "content")
    assert not problems
    assert len({c.id for c in cables}) == N
    for cable in cables:
        assert cable.id in month_of
        assert cable.created is not None and cable.created.month == month_of[cable.id]
        assert cable.created.year % 100 == int(cable.id[:2])
    origins = Counter(c.origin for c in cables)
    assert len(origins) > 40  # many posts, as in the release, not a handful


def test_tags_are_two_to_six_real_codes_with_a_zipf_like_head(archive: Path) -> None:
    codes = set(yaml.safe_load((archive_model.DATA_DIR / "tags.yaml").read_text("utf-8")))
    cables, _ = load_cables(archive / "archive" / "content")
    counts: Counter[str] = Counter()
    for cable in cables:
        assert 2 <= len(cable.tags) <= 6
        assert len(set(cable.tags)) == len(cable.tags)
        assert set(cable.tags) <= codes
        counts.update(cable.tags)
    (top, top_count), *_ = counts.most_common()
    assert top == "PREL"
    assert 0.12 * N <= top_count <= 0.40 * N  # the release: about 24%
    assert len(counts) > 100  # a long tail of rare tags


def test_addressees_are_secstate_plus_up_to_25_real_stations(archive: Path) -> None:
    data = archive_model.load_reference_data()
    real = {(p.route, p.address) for p in data.posts.values()} | set(data.routes)
    real |= set(archive_model.COMMON_ADDRESSEES)
    posts = {p.address for p in data.posts.values()}
    cables, _ = load_cables(archive / "archive" / "content")
    info_counts = []
    from_posts = 0
    for cable in cables:
        assert len(cable.to) == 1
        if cable.sender != "SECSTATE WASHDC":
            assert (cable.to[0].name, cable.to[0].route) == ("SECSTATE WASHDC", "RUEHC")
        assert 0 <= len(cable.info) <= 25
        names = [a.name for a in cable.to + cable.info]
        assert len(names) == len(set(names))
        for addressee in cable.info:
            assert (addressee.route, addressee.name) in real, addressee
            if addressee.name in posts:
                from_posts += 1
                assert addressee.serial is not None and re.fullmatch(r"\d{4}", addressee.serial)
        info_counts.append(len(cable.info))
    assert min(info_counts) == 0 and max(info_counts) >= 15
    assert 2 <= statistics.mean(info_counts) <= 8
    assert from_posts > 0.6 * sum(info_counts)  # mostly AMEMBASSY/AMCONSUL X of real posts


def test_references_point_to_earlier_cables_of_the_archive(archive: Path) -> None:
    cables, _ = load_cables(archive / "archive" / "content")
    created = {c.id: c.created for c in cables}
    total = 0
    for cable in cables:
        assert len(cable.references) <= 4
        assert len(set(cable.references)) == len(cable.references)
        for ref in cable.references:
            assert ref in created and ref != cable.id
            assert created[ref] <= cable.created  # type: ignore[operator]
        total += len(cable.references)
    assert 0.5 * N <= total <= 1.6 * N  # about one reference per cable on average


def test_body_lengths_have_a_median_of_5_to_7_kb_and_a_long_tail() -> None:
    sizes = sorted(
        len(
            make_archive.to_document(
                meta, text, make_archive.render_telegram(meta, text)
            ).body.encode()
        )
        for meta, text in make_archive.iter_archive(2000, SEED)
    )
    assert 5_000 <= sizes[len(sizes) // 2] <= 7_000
    assert sizes[-1] <= 60_000
    assert sizes[int(len(sizes) * 0.99)] >= 20_000  # the tail
    assert sizes[0] >= 500


def test_markdown_body_follows_the_body_conventions(archive: Path) -> None:
    for md_path in list(iter_content_files(archive / "archive" / "content"))[:50]:
        document = read_cable(md_path)
        blocks = document.body.split("\n\n")
        numbers = [int(m.group(1)) for b in blocks if (m := PARAGRAPH_MD.match(b))]
        assert numbers == list(range(1, len(numbers) + 1)) and numbers
        for block in blocks:
            assert (
                PARAGRAPH_MD.match(block)
                or block.startswith("## ")
                or all(line.startswith("- ") for line in block.splitlines())
                or block == document.cable.signer
            ), block[:80]
        assert blocks[-1] == document.cable.signer
        if document.cable.summary:
            assert blocks[0].endswith("End summary.")
            assert document.cable.summary in blocks[0]


def test_telegram_has_captions_portion_marks_dashed_headings_and_signature(archive: Path) -> None:
    rows = read_rows(archive / "cables.csv")
    cables = {c.id: c for c in load_cables(archive / "archive" / "content")[0]}
    headings = 0
    for row in rows:
        cable = cables[row[2]]
        header, content = row[6], row[7]
        assert header.startswith("VZCZC") and f"\nFM {cable.sender}\n" in header
        assert f"TO {cable.to[0].route}/{cable.to[0].name}" in header
        lines = [line.rstrip() for line in content.splitlines()]
        assert f"TAGS: {' '.join(cable.tags)}" in lines
        assert any(line.startswith("SUBJECT: ") for line in lines)
        assert [line for line in lines if line][-1] == cable.signer
        numbers = [int(m.group(1)) for line in lines if (m := PARAGRAPH_TELEGRAM.match(line))]
        assert numbers == list(range(1, len(numbers) + 1)) and numbers
        for index, line in enumerate(lines[1:], start=1):
            if line and set(line) == {"-"} and lines[index - 1]:
                headings += 1
        if cable.references:
            assert any(line.startswith("REF: A. ") for line in lines)
    assert headings > N // 2


# ---------------------------------------------------------------- cables.csv layout


def test_real_sample_and_synthetic_dump_read_alike_with_the_dump_rules(archive: Path) -> None:
    for rows in (read_rows(RAW_DIR / "cables_sample.csv"), read_rows(archive / "cables.csv")):
        assert rows and all(len(row) == 8 for row in rows)
        assert [row[0] for row in rows] == [str(i) for i in range(1, len(rows) + 1)]
        for row in rows:
            assert US_DATE.fullmatch(row[1]), row[1]
            assert re.fullmatch(r"\d\d[A-Z0-9]+", row[2])
            assert row[4] in {c for c, _ in archive_model.CLASSIFICATIONS}
            assert all(re.fullmatch(r"\d\d[A-Z0-9]+", ref) for ref in row[5].split("|") if ref)
            assert "\n" in row[6] and "\n" in row[7]


def test_csv_rows_hold_the_same_cables_as_content(archive: Path) -> None:
    rows = read_rows(archive / "cables.csv")
    documents = {p.stem: read_cable(p) for p in iter_content_files(archive / "archive" / "content")}
    assert len(rows) == N == len(documents)
    created = [datetime.strptime(row[1], "%m/%d/%Y %H:%M") for row in rows]
    assert created == sorted(created)  # the dump is in date order
    for row in rows:
        document = documents[row[2]]
        cable = document.cable
        assert datetime.strptime(row[1], "%m/%d/%Y %H:%M") == cable.created
        assert (row[3], row[4]) == (cable.origin, cable.classification)
        assert row[5] == "|".join(cable.references)
        assert row[6] + row[7] == document.original  # the original is the header and content fields


def test_quotes_and_apostrophes_are_backslash_escaped_in_the_dump(archive: Path) -> None:
    raw = (archive / "cables.csv").read_text(encoding="utf-8")
    assert '\\"' in raw and "\\'" in raw
    assert "''" not in raw and not re.search(r'[^\\,\n]""[^,\n]', raw)


# ---------------------------------------------------------------- Hugo twin


def test_hugo_conversion_keeps_taxonomies_and_links(archive: Path, tmp_path: Path) -> None:
    count = hugo_site.convert_archive(archive / "archive", tmp_path / "hugo")
    assert count == N
    cables = {c.id: c for c in load_cables(archive / "archive" / "content")[0]}
    converted = list((tmp_path / "hugo" / "content" / "cable").rglob("*.md"))
    assert len(converted) == N
    cited = Counter(ref for c in cables.values() for ref in c.references)
    for path in converted:
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        cable = cables[front["id"]]
        assert front["tag"] == list(cable.tags)
        assert front["origin"] == [cable.origin]
        assert front["addressee"] == [a.name for a in cable.to + cable.info]
        assert [r["id"] for r in front["refs"]] == list(cable.references)
        assert all(r["url"] for r in front["refs"])
        assert len(front["cited_by"]) == cited[cable.id]
    config = (tmp_path / "hugo" / "config.toml").read_text()
    assert "paginate = 100" in config and 'addressee = "addressee"' in config


@pytest.mark.skipif(
    shutil.which("hugo") is None, reason="hugo is not installed (apt-get install hugo)"
)
def test_hugo_builds_the_converted_site(archive: Path, tmp_path: Path) -> None:
    hugo_site.convert_archive(archive / "archive", tmp_path / "hugo")
    out = tmp_path / "public"
    subprocess.run(
        ["hugo", "--quiet", "--source", str(tmp_path / "hugo"), "--destination", str(out)],
        check=True,
        capture_output=True,
    )
    cables = load_cables(archive / "archive" / "content")[0]
    pages = list((out / "cable").rglob("index.html"))
    assert len([p for p in pages if p.parent.parent.parent.parent.name == "cable"]) == N
    some = cables[N // 2]
    page = (
        out / "cable" / f"{some.created:%Y}" / f"{some.created:%m}" / some.id.lower() / "index.html"
    )
    html = page.read_text(encoding="utf-8")
    assert f"{some.id}</dd>" in html and "<p>1. (" in html
    assert 'href="/tag/' in html and 'href="/addressee/secstate-washdc/"' in html
    secstate = sum(1 for c in cables if any(a.name == "SECSTATE WASHDC" for a in c.to + c.info))
    assert secstate > 100
    assert (out / "addressee" / "secstate-washdc" / "page" / "2" / "index.html").exists()
    assert (out / "tag" / "prel" / "index.html").exists()
    assert (out / "origin" / "index.html").exists()


# ---------------------------------------------------------------- measuring


def test_tree_peak_sums_worker_processes_where_max_single_does_not() -> None:
    script = (
        "import multiprocessing as mp, time\n"
        "def work(_):\n"
        "    block = b'x' * (150 * 1024 * 1024)\n"
        "    time.sleep(1.0)\n"
        "    return len(block)\n"
        "if __name__ == '__main__':\n"
        "    with mp.get_context('fork').Pool(2) as pool:\n"
        "        print(sum(pool.map(work, [0, 1])))\n"
    )
    result = proc_measure.run_measured([sys.executable, "-c", script])
    assert result.ok, result.stderr
    mib = 1024 * 1024
    assert result.max_single >= 150 * mib
    assert result.max_single < 290 * mib
    assert result.tree_peak >= 300 * mib
    assert result.max_processes >= 3


def test_changed_files_counts_new_removed_and_rewritten_files() -> None:
    before = {"a.html": (10, 1), "b.html": (10, 1), "c.html": (10, 1)}
    after = {"a.html": (10, 1), "b.html": (11, 2), "d.html": (5, 3)}
    assert proc_measure.changed_files(before, after) == 3


def test_template_override_changes_the_first_block() -> None:
    from unittest.mock import patch

    written: dict[str, str] = {}
    with (
        patch.object(Path, "write_text", lambda self, text, **_: written.update({"t": text})),
        patch.object(Path, "mkdir", lambda self, **_: None),
    ):
        run_bench._write_override(
            Path("x/cable.html"), '{% extends "base.html" %}{% block main %}A{% endblock %}', 3
        )
    assert (
        written["t"]
        == '{% extends "base.html" %}{% block main %}<!-- bench template edit 3 -->A{% endblock %}'
    )


def test_cable_edit_changes_only_subject_and_body(archive: Path, tmp_path: Path) -> None:
    source = next(iter_content_files(archive / "archive" / "content"))
    path = tmp_path / source.name
    original = source.read_bytes()
    run_bench._edit_cable(path, original, 2, True)
    before, after = read_cable(source).cable, read_cable(path).cable
    assert after.subject == f"{before.subject} (bench edit 2)"
    assert read_cable(path).body.endswith("Bench edit 2.")
    assert after.tags == before.tags and after.info == before.info and after.id == before.id
    run_bench._edit_cable(path, original, 3, False)
    assert read_cable(path).cable.subject == before.subject
    assert read_cable(path).body == read_cable(source).body + " Bench edit 3."


def test_outputs_are_set_aside_whole_and_deleted_only_when_the_run_ends(tmp_path: Path) -> None:
    archive_dir = tmp_path / "n10" / "archive"
    (archive_dir / "content").mkdir(parents=True)
    (archive_dir / "site.yaml").write_text("title: t\n")
    (archive_dir / ".cablesite-cache" / "terms").mkdir(parents=True)
    (archive_dir / "public" / "cable").mkdir(parents=True)
    (archive_dir / "public" / "cable" / "a.html").write_text("page")
    run_bench.clean_archive(archive_dir, archive_dir / "public", tmp_path)
    assert sorted(p.name for p in archive_dir.iterdir()) == ["content", "site.yaml"]
    moved = sorted(p.name.split("-", 1)[1] for p in (tmp_path / run_bench.TRASH).iterdir())
    assert moved == [".cablesite-cache", "public"]
    kept = next((tmp_path / run_bench.TRASH).glob("*-public"))
    assert (kept / "cable" / "a.html").read_text() == "page"
    run_bench.set_aside(archive_dir / "public", tmp_path)  # gone already: nothing to do
    run_bench.empty_trash(tmp_path)
    assert not (tmp_path / run_bench.TRASH).exists()
    assert (archive_dir / "content").is_dir()
