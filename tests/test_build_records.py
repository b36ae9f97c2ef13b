"""The records a full build keeps for the short ways: packs that are read back or found missing."""

from __future__ import annotations

import pickle
import shutil
from datetime import datetime
from pathlib import Path

from generator.build import build
from generator.build_pack import INDEX_FILE, Pack, PackWriter, record_pickler
from generator.build_records import RECORDS_FOLDER, RECORDS_VERSION, load_records
from generator.build_terms import TERMS_FOLDER, TermRecords, record_terms, save_terms
from generator.config import config_from_data, load_config
from generator.pages import plan_pages
from generator.pages_context import term_dates
from generator.reference_tags import TagInfo
from generator.site import CableMeta, Term, build_site

SITES = Path(__file__).resolve().parent / "sites"
ROME1111 = "content/cables/2009/10/09ROME1111.md"


def meta(n: int, when: datetime | None, tags: tuple[str, ...], root: Path) -> CableMeta:
    folder = f"{root}/cables/{when:%Y/%m}" if when else f"{root}/cables/undated"
    return CableMeta(
        f"08X{n}", f"S{n}", when, "SECRET", f"Post {n % 3}", tags, ("SECSTATE WASHDC",),
        (), (), f"{folder}/08X{n}.md", f"key{n}",
    )  # fmt: skip


def test_a_pack_reads_back_what_was_put_and_an_append_keeps_the_rest(tmp_path: Path) -> None:
    writer = PackWriter(Pack(tmp_path, 7), fresh=True)
    for n in range(5):
        writer.put(("tag", f"T{n}"), pickle.dumps(n), b"note%d" % n)
    writer.close()
    writer = PackWriter(Pack(tmp_path, 7), fresh=False)
    writer.put(("tag", "T2"), pickle.dumps("two"))
    writer.drop(("tag", "T4"))
    writer.close()
    pack = Pack(tmp_path, 7)
    assert [pack.load(("tag", f"T{n}")) for n in range(5)] == [0, 1, "two", 3, None]
    assert pack.note(("tag", "T1")) == b"note1" and pack.note(("tag", "T2")) == b""
    assert [p.name for p in tmp_path.glob("*.pack")] == ["pack-1.pack"]  # appended to
    assert Pack(tmp_path, 8).load(("tag", "T1")) is None  # another version's pack


def test_a_torn_or_replaced_pack_is_never_misread(tmp_path: Path) -> None:
    writer = PackWriter(Pack(tmp_path, 1), fresh=True)
    writer.put("a", pickle.dumps("first" * 100))
    writer.put("b", pickle.dumps("second" * 100))
    writer.close()
    pack_path = tmp_path / "pack-1.pack"
    pack_path.write_bytes(pack_path.read_bytes()[:-10])  # a torn write
    torn = Pack(tmp_path, 1)
    assert torn.load("a") == "first" * 100 and torn.load("b") is None
    old_index = (tmp_path / INDEX_FILE).read_bytes()
    writer = PackWriter(Pack(tmp_path, 1), fresh=True)
    writer.put("b", pickle.dumps("third" * 100))
    writer.put("a", pickle.dumps("fourth" * 100))
    writer.close()
    assert not pack_path.exists() and (tmp_path / "pack-2.pack").is_file()
    assert Pack(tmp_path, 1).load("a") == "fourth" * 100
    (tmp_path / INDEX_FILE).write_bytes(old_index)  # an index older than its pack
    (tmp_path / "pack-2.pack").rename(pack_path)
    stale = Pack(tmp_path, 1)
    assert stale.load("a") is None and stale.load("b") is None


def test_a_pack_of_mostly_dead_records_is_rewritten(tmp_path: Path) -> None:
    blob = pickle.dumps("x" * 10_000)
    for round_ in range(12):
        writer = PackWriter(Pack(tmp_path, 1), fresh=False)
        writer.put("hot", pickle.dumps(f"{round_:02d}" * 5_000))
        if round_ == 0:
            writer.put("cold", blob)
        writer.close()
    packs = list(tmp_path.glob("*.pack"))  # dead bytes never outweigh the 2 live records
    assert len(packs) == 1 and packs[0].name != "pack-1.pack"
    assert packs[0].stat().st_size <= 2 * 2 * len(blob)
    pack = Pack(tmp_path, 1)
    assert pack.load("hot") == "11" * 5_000 and pack.load("cold") == "x" * 10_000


def test_records_pickle_terms_and_tag_infos_as_equal_objects() -> None:
    term = Term("tag", "PREL", "prel", "/tag/prel/", "PREL", ("08X1", "08X2"))
    info = TagInfo("PREL", "External Political Relations", "subject", "Political Affairs", True)
    loaded = pickle.loads(record_pickler()({"term": term, "infos": (info, info)}))
    assert loaded["term"] == term and loaded["infos"] == (info, info)
    assert loaded["infos"][0] is loaded["infos"][1]


def test_term_records_hold_what_the_site_says_of_each_term(tmp_path: Path) -> None:
    """Dates, pagination and rows of every term as kept match the Site's (undated cables too)."""
    whens = [datetime(2001, 5, 3), None, datetime(2001, 5, 9), datetime(2003, 1, 1)]
    whens += [datetime(2004, 12, 31), None, datetime(1999, 2, 1)]
    config = config_from_data({"title": "t", "page_size": 2}, tmp_path / "site")
    tags = [("PREL", "PGOV")[: 1 + n % 2] + (("ECON",) if n > 4 else ()) for n in range(7)]
    metas = [meta(n, when, tags[n], config.content_dir) for n, when in enumerate(whens)]
    site = build_site(config, metas)
    plan = plan_pages(site)
    record_terms(tmp_path, site, plan, {"term.html": b"t"}, b"base")
    records = TermRecords(tmp_path)
    count = 0
    for kind, index in site.indexes.items():
        for name, term in index.terms.items():
            record = records.load((kind, name))
            assert record is not None, (kind, name)
            assert record.term == term and list(record.slices) == plan.pagination[(kind, name)]
            assert record.dates == term_dates(site, term), (kind, name)
            assert record.every == b"".join(plan.row_digests[i] for i in term.cable_ids)
            assert record.folders == tuple(
                str(Path(site.cables[i].content_path).parent.relative_to(config.content_dir))
                for i in term.cable_ids
            )
            count += 1
    assert count > 10
    prel = records.load(("tag", "PREL"))
    assert prel is not None and prel.dates.months[0] == ("1999-02", 1)
    assert ("2000-06", 0) in prel.dates.months  # months without cables are counted as 0
    save_terms(tmp_path, {("tag", "PREL"): prel._replace(every=b"\0" * len(prel.every))})
    patched = TermRecords(tmp_path).load(("tag", "PREL"))
    assert patched is not None and patched.every == b"\0" * len(prel.every)
    assert patched.dates == prel.dates and patched.term == prel.term


def test_a_build_replaces_records_of_the_one_file_per_record_format(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive)
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    cache = config.cache_dir
    # what an older cablesite left: its folders, and none of this one's
    shutil.rmtree(cache / RECORDS_FOLDER)
    shutil.rmtree(cache / TERMS_FOLDER)
    for old in ("terms", "page-records"):
        (cache / old).mkdir()
        (cache / old / "0123456789abcdef01234567.pickle").write_bytes(pickle.dumps((1, "x")))
    path = archive / ROME1111
    path.write_text(path.read_text(encoding="utf-8") + "\nA line.\n", encoding="utf-8")
    report = build(config, jobs=1)
    assert "quick" in report.timings and "record" in report.timings  # the full way, once
    assert not (cache / "terms").exists() and not (cache / "page-records").exists()
    assert load_records(cache, "cables/2009/10") is not None
    assert TermRecords(cache).load(("tag", "PREL")) is not None
    path.write_text(path.read_text(encoding="utf-8") + "\nAnother.\n", encoding="utf-8")
    report = build(config, jobs=1)
    assert "quick" in report.timings and "record" not in report.timings  # the short way
    assert report.rendered == 2


def test_records_of_another_version_are_ignored_not_misread(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive)
    config = load_config(archive / "site.yaml")
    build(config, jobs=1)
    folder = config.cache_dir / RECORDS_FOLDER
    index = pickle.loads((folder / INDEX_FILE).read_bytes())
    (folder / INDEX_FILE).write_bytes(pickle.dumps((index[0], RECORDS_VERSION - 1, *index[2:])))
    assert load_records(config.cache_dir, "cables/2009/10") is None
    path = archive / ROME1111
    path.write_text(path.read_text(encoding="utf-8") + "\nA line.\n", encoding="utf-8")
    report = build(config, jobs=1)
    assert "render" in report.timings  # no records: the full way
    assert load_records(config.cache_dir, "cables/2009/10") is not None
