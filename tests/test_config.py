"""site.yaml validation: every mistake is named with key, value and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.config import INDEX_KINDS, load_config
from generator.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_config_reads_values_and_fills_defaults(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "title: Cables\nbase_url: https://example.org/archive/\npage_size: 50\n")
    )
    assert config.title == "Cables"
    assert config.base_url == "https://example.org/archive"
    assert config.base_path == "/archive"
    assert config.page_size == 50
    assert config.feed_size == 20
    assert config.indexes == INDEX_KINDS
    assert config.permalinks.cable == "/cable/{year}/{month}/{id}.html"
    assert config.content_dir == tmp_path.resolve() / "content"


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "title: x\npermalink:\n  tag: /t/{slug}/\n"))
    assert "unknown key 'permalink'" in str(info.value)
    assert "Did you mean 'permalinks'?" in str(info.value)


def test_wrong_type_names_key_value_and_expectation(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "title: x\npage_size: ten\n"))
    message = str(info.value)
    assert "'page_size' is 'ten' (text)" in message
    assert "a whole number of at least 1" in message


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(
            write(tmp_path, "title: [1]\nfeed_size: 0\nindexes: [tags]\nbase_url: ftp://x\n")
        )
    message = str(info.value)
    assert "4 problem(s)" in message
    assert "did you mean 'tag'?" in message
    assert "'base_url'" in message


def test_permalink_without_placeholder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"permalinks\.tag.*\{slug\}"):
        load_config(write(tmp_path, "title: x\npermalinks:\n  tag: /tag/prel/\n"))


def test_permalink_escaping_the_site_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"permalinks\.cable"):
        load_config(write(tmp_path, "title: x\npermalinks:\n  cable: /../{id}.html\n"))


def test_empty_file_asks_for_a_title(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"empty.*'title'"):
        load_config(write(tmp_path, ""))


def test_missing_file_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cablesite new"):
        load_config(tmp_path / "nope.yaml")


def test_yaml_alias_bomb_is_refused_before_expanding(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\ntitle: *c\n"
    with pytest.raises(ConfigError, match="aliases"):
        load_config(write(tmp_path, bomb))


def test_tabs_get_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="spaces, not tabs"):
        load_config(write(tmp_path, "title: x\npermalinks:\n\ttag: /t/{slug}/\n"))


def test_python_objects_in_yaml_are_not_constructed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "title: !!python/object/apply:os.system ['echo hi']\n"))


def test_output_dir_must_stay_inside_the_archive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="output_dir"):
        load_config(write(tmp_path, "title: x\noutput_dir: ../elsewhere\n"))


def test_search_is_on_by_default_and_takes_only_yes_or_no(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "title: x\n")).search is True
    assert load_config(write(tmp_path, "title: x\nsearch: false\n")).search is False
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "title: x\nsearch: 'no'\n"))
    assert "'search' is 'no' (text); expected true or false" in str(info.value)
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "title: x\nserach: true\n"))
    assert "Did you mean 'search'?" in str(info.value)


def stop_like_libyaml(monkeypatch: pytest.MonkeyPatch, problem: str) -> None:
    """PyYAML's C parser as in 6.0.4, which stops deep nesting itself, in words of its own.

    Its scanner reads ahead in a flow collection, so its error comes before
    our count of the parser's levels reaches the limit; the wording is
    libyaml's and may change, so nothing may depend on it.
    """

    def refuse(*args: object, **kwargs: object) -> None:
        mark = yaml.Mark("<unicode string>", 0, 1, 12, None, None)  # type: ignore[no-untyped-call]
        raise yaml.scanner.ScannerError("while scanning", mark, problem, mark)

    monkeypatch.setattr(yaml, "parse", refuse)
    monkeypatch.setattr(yaml, "load", refuse)


def test_deep_nesting_stopped_by_pyyaml_is_reported_in_our_words_whatever_its_wording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "title: Cables\nextra: {x: " + "[" * 100_000 + "}\n")
    stop_like_libyaml(monkeypatch, "Verschachtelung zu tief")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}:2: nested deeper than 32 levels"


def test_a_yaml_error_that_mentions_nesting_is_not_taken_for_deep_nesting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "title: Cables\nextra: {x: [[[1]]]\n")
    stop_like_libyaml(monkeypatch, "exceeded maximum nesting depth")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:2: not valid YAML:")
