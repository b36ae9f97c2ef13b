"""CableRecorder: records kept from the data a build renders with, the same as computed afresh."""

from __future__ import annotations

import random
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from generator import build_records
from generator.build import build
from generator.build_records import CableRecorder, load_records, record_cable_pages
from generator.config import config_from_data, load_config
from generator.pages import Plan, plan_pages
from generator.pages_links import cable_page_data
from generator.site import CableMeta, Site, build_site
from generator.urls import output_relpath

SITES = Path(__file__).resolve().parent / "sites"


def _archive(root: Path) -> tuple[Site, Plan, Path]:
    """40 cables over four months and an undated folder, citing each other."""
    config = config_from_data({"title": "t", "page_size": 5}, root / "site")
    content = config.content_dir
    metas = []
    for n in range(40):
        when = None if n % 9 == 0 else datetime(2001, 1 + n % 4, 1 + n % 28, 12)
        folder = f"{content}/cables/{when:%Y/%m}" if when else f"{content}/cables/undated"
        refs = (f"01X{n - 1}", f"01X{n // 2}", "99NOTHERE1") if n else ()
        cable = CableMeta(
            f"01X{n}", f"Subject {n}", when, "SECRET", f"Post {n % 3}", ("PREL",),
            ("SECSTATE WASHDC",), (), refs, f"{folder}/01X{n}.md", f"key{n}",
        )  # fmt: skip
        metas.append(cable)
    site = build_site(config, metas)
    return site, plan_pages(site), content


def _manifest(plan: Plan) -> dict[str, tuple[bytes, bytes]]:
    return {spec.relpath: (spec.digest, b"out") for spec in plan.pages}


def _all_records(cache: Path, site: Site, content: Path) -> dict[str, object]:
    folders = {str(Path(m.content_path).parent.relative_to(content)) for m in site.cables.values()}
    return {folder: load_records(cache, folder) for folder in sorted(folders)}


def _stream(recorder: CableRecorder, site: Site, plan: Plan, order: list[int]) -> None:
    cable_specs = [spec for spec in plan.pages if spec.kind == "cable"]
    for index in order:
        spec = cable_specs[index]
        recorder.seen(spec.name, spec.digest, cable_page_data(site, site.cables[spec.name]))


def _afresh(cache: Path, site: Site, plan: Plan, content: Path) -> dict[str, object]:
    """The records of every cable as computed without a render (record_cable_pages)."""
    record_cable_pages(cache, content, site, plan, _manifest(plan))
    return _all_records(cache, site, content)


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def counted(site: Site, meta: CableMeta) -> object:
        calls.append(meta.id)
        return cable_page_data(site, meta)

    monkeypatch.setattr(build_records, "cable_page_data", counted)
    return calls


def test_streamed_records_equal_records_computed_afresh_and_cost_no_second_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, plan, content = _archive(tmp_path)
    expected = _afresh(tmp_path / "afresh", site, plan, content)
    assert len(expected) == 5 and all(records for records in expected.values())
    assert sum(len(records or {}) for records in expected.values()) == 40
    calls = _counting(monkeypatch)
    recorder = CableRecorder(tmp_path / "streamed", content, site, plan)
    _stream(recorder, site, plan, list(range(40)))
    written_early = len(recorder._written)
    recorder.finish(_manifest(plan))
    assert calls == []  # every cable's data came from the render
    assert written_early == 5  # each folder written when its last page went by
    assert _all_records(tmp_path / "streamed", site, content) == expected


def test_a_page_not_made_has_no_record_and_its_folder_mates_keep_theirs(tmp_path: Path) -> None:
    site, plan, content = _archive(tmp_path)
    manifest = _manifest(plan)
    failed = output_relpath(site.urls["01X5"])
    assert manifest.pop(failed, None) is not None
    changed = output_relpath(site.urls["01X13"])
    manifest[changed] = (b"another input", b"out")  # rendered with another input than seen
    recorder = CableRecorder(tmp_path / "cache", content, site, plan)
    _stream(recorder, site, plan, list(range(40)))
    recorder.finish(manifest)
    records = _all_records(tmp_path / "cache", site, content)
    folder = "cables/2001/02"
    kept = records[folder]
    assert isinstance(kept, dict)
    assert "01X5" not in kept and kept["01X13"].input_digest == b"another input"
    assert {"01X1", "01X13", "01X17", "01X21"} <= kept.keys()


def test_out_of_order_pages_past_the_bound_give_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, plan, content = _archive(tmp_path)
    expected = _afresh(tmp_path / "afresh", site, plan, content)
    monkeypatch.setattr(build_records, "MAX_PENDING", 4)
    calls = _counting(monkeypatch)
    recorder = CableRecorder(tmp_path / "streamed", content, site, plan)
    order = list(range(40))
    random.Random(3).shuffle(order)
    _stream(recorder, site, plan, order[:30])  # ten pages linked, not rendered
    assert recorder._held <= 5
    recorder.finish(_manifest(plan))
    assert 10 <= len(calls) < 40  # the dropped folders' data and the ten not rendered
    assert _all_records(tmp_path / "streamed", site, content) == expected


def test_recording_some_cables_keeps_the_other_records_of_their_folders(tmp_path: Path) -> None:
    site, plan, content = _archive(tmp_path)
    cache = tmp_path / "cache"
    record_cable_pages(cache, content, site, plan, _manifest(plan))
    before = _all_records(cache, site, content)
    manifest = _manifest(plan)
    manifest[output_relpath(site.urls["01X5"])] = (b"new input", b"out")
    recorder = CableRecorder(cache, content, site, plan, {"01X5"})
    recorder.seen("01X5", b"new input", cable_page_data(site, site.cables["01X5"]))
    recorder.finish(manifest)
    after = _all_records(cache, site, content)
    folder = "cables/2001/02"
    old, new = before[folder], after[folder]
    assert isinstance(old, dict) and isinstance(new, dict)
    assert new["01X5"].input_digest == b"new input"
    assert {k: v for k, v in new.items() if k != "01X5"} == {
        k: v for k, v in old.items() if k != "01X5"
    }
    assert {f: r for f, r in after.items() if f != folder} == {
        f: r for f, r in before.items() if f != folder
    }


def test_pages_taken_from_the_back_tree_get_their_records_again(tmp_path: Path) -> None:
    """Site A, site B, site A again (its pages come back from the back tree, none rendered):
    the records follow, so the next body edit still takes the quick way."""
    archive = tmp_path / "archive"
    shutil.copytree(SITES / "minimal", archive)
    site_yaml = archive / "site.yaml"
    original = site_yaml.read_text(encoding="utf-8")
    build(load_config(site_yaml), jobs=1)
    site_yaml.write_text(original.replace("Six cables", "Six other cables"), encoding="utf-8")
    assert build(load_config(site_yaml), jobs=1).rendered > 10
    site_yaml.write_text(original, encoding="utf-8")
    again = build(load_config(site_yaml), jobs=1)
    assert again.rendered == 0 and again.swapped
    cable = archive / "content/cables/2009/10/09ROME1111.md"
    cable.write_text(cable.read_text(encoding="utf-8") + "\nA sentence added.\n", encoding="utf-8")
    report = build(load_config(site_yaml), jobs=1)
    assert "quick" in report.timings and "plan" not in report.timings
    assert report.rendered == 2


def test_a_changed_folder_is_recorded_whole_and_other_folders_stay(tmp_path: Path) -> None:
    site, plan, content = _archive(tmp_path)
    cache = tmp_path / "cache"
    before = _afresh(cache, site, plan, content)
    manifest = {path: (b"new:" + entry[0], entry[1]) for path, entry in _manifest(plan).items()}
    CableRecorder(cache, content, site, plan, set(), {"cables/2001/02"}).finish(manifest)
    after = _all_records(cache, site, content)
    changed = after["cables/2001/02"]
    in_folder = [m.id for m in site.cables.values() if "/cables/2001/02/" in m.content_path]
    assert isinstance(changed, dict) and sorted(changed) == sorted(in_folder)
    assert all(record.input_digest.startswith(b"new:") for record in changed.values())
    assert {f: r for f, r in after.items() if f != "cables/2001/02"} == {
        f: r for f, r in before.items() if f != "cables/2001/02"
    }
