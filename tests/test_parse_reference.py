"""The packaged reference tables: loaded once, complete, immutable."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from generator.errors import CablesiteError
from generator.reference import DATA_DIR, PostInfo, ReferenceTables, load_reference_tables


@pytest.fixture(scope="module")
def tables() -> ReferenceTables:
    return load_reference_tables()


def test_tables_are_read_from_the_package_data_folder() -> None:
    package_data = Path(__file__).resolve().parent.parent / "generator" / "data"
    assert package_data == DATA_DIR


def test_cable_ids_hold_the_whole_release(tables: ReferenceTables) -> None:
    assert len(tables.cable_ids) == 251_287
    assert "09ROME1240" in tables.cable_ids
    assert "66BUENOSAIRES2481" in tables.cable_ids
    # published broken ids are in the list as the release wrote them
    assert "09SECTION01OF03SANJOSE525" in tables.cable_ids


def test_posts_carry_their_release_labels_and_routing_indicators(tables: ReferenceTables) -> None:
    assert tables.posts["ROME"] == PostInfo(
        key="ROME", name="Rome", type="embassy", ri="RUEHRO", origin_label="Embassy Rome"
    )
    assert tables.posts["UNVIEVIENNA"].origin_label == "UNVIE"
    assert tables.posts["STATE"].origin_label == "Secretary of State"
    assert tables.posts_by_ri["RUEHRO"] == "ROME"
    assert tables.route_names["RUEHC"] == "DEPT OF STATE WASHINGTON DC"


def test_variants_map_ref_spellings_to_posts(tables: ReferenceTables) -> None:
    assert tables.post_candidates("SECSTATE") == ("STATE",)
    assert tables.post_candidates("RIODEJAN") == ("RIODEJANEIRO",)
    assert tables.post_candidates("TAIPEI") == ("AITTAIPEI", "TAIPEI")
    assert tables.post_candidates("PARISPOINTS") == ()


def test_year_post_counts_count_the_release(tables: ReferenceTables) -> None:
    assert tables.year_post_counts[("05", "TAIPEI")] == 806
    assert ("05", "AITTAIPEI") not in tables.year_post_counts
    assert sum(tables.year_post_counts.values()) == 251_287


def test_precedence_misspellings_come_from_precedence_yaml(tables: ReferenceTables) -> None:
    assert tables.precedence_variants["PRIOITY"] == "PRIORITY"


def test_tables_are_immutable(tables: ReferenceTables) -> None:
    with pytest.raises(TypeError):
        tables.posts["NOWHERE"] = tables.posts["ROME"]  # type: ignore[index]
    with pytest.raises(TypeError):
        tables.variants["X"] = "ROME"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tables.cable_ids = frozenset()  # type: ignore[misc]
    assert isinstance(tables.cable_ids, frozenset)


def test_a_missing_table_is_reported_with_its_file(tmp_path: Path) -> None:
    for name in ("post-variants.yaml", "precedence.yaml", "route2name.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    with pytest.raises(CablesiteError, match=r"cable-ids\.csv\.gz"):
        load_reference_tables(tmp_path)


def test_a_broken_table_is_reported_with_its_file(tmp_path: Path) -> None:
    for name in ("precedence.yaml", "route2name.csv", "cable-ids.csv.gz"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    (tmp_path / "post-variants.yaml").write_text("posts: [1, 2\n", encoding="utf-8")
    with pytest.raises(CablesiteError, match=r"post-variants\.yaml"):
        load_reference_tables(tmp_path)
