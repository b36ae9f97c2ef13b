"""Markdown bodies, the theme chain and template errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import config_from_data
from generator.errors import ThemeError
from generator.render import (
    Page,
    load_theme,
    make_environment,
    make_markdown,
    render_markdown,
    render_page,
)
from generator.render_markdown import is_safe_link, portion_badge


def html(text: str) -> str:
    return render_markdown(make_markdown(), text)


def test_numbered_paragraph_gets_anchor_link_and_badge() -> None:
    out = html("1\\. (C) The last Nonproliferation Directors Group meeting.")
    assert '<p id="p1" class="numbered">' in out
    assert '<a class="para-number" href="#p1"' in out
    assert '<abbr class="portion portion-c" title="Confidential">(C)</abbr>' in out
    assert out.rstrip().endswith("The last Nonproliferation Directors Group meeting.</p>")


def test_repeated_paragraph_numbers_get_distinct_anchors() -> None:
    out = html("3\\. (S/NF) One.\n\n3\\. (C/REL LIBYA) Two.")
    assert 'id="p3"' in out and 'id="p3-2"' in out
    assert 'portion-s" title="Secret, NOFORN"' in out
    assert 'title="Confidential, releasable to Libya"' in out


@pytest.mark.parametrize(
    ("mark", "level"),
    [
        ("SBU", "sbu"),
        ("U", "u"),
        ("S", "s"),
        ("C - ENTIRE TEXT", "c"),
        ("SBU/NF", "sbu"),
        ("TS", "ts"),
    ],
)
def test_portion_levels(mark: str, level: str) -> None:
    assert portion_badge(mark)[0] == level


def test_raw_html_images_and_bad_schemes_never_pass() -> None:
    out = html(
        "<script>alert(1)</script>\n\n![x](http://e/x.png) [a](javascript:alert(1)) "
        "[b](JaVa\tScRiPt:alert(1)) [c](data:text/html,x) [ok](https://e.org/) [rel](/tag/prel/)"
    )
    assert "<script" not in out and "<img" not in out
    assert 'href="javascript' not in out.lower() and "data:text" not in out.split("[c]")[0]
    assert '<a href="https://e.org/">ok</a>' in out
    assert '<a href="/tag/prel/">rel</a>' in out
    assert not is_safe_link("vbscript:x") and is_safe_link("mailto:a@b.c") and is_safe_link("#p1")


def test_body_headings_sit_below_the_page_sections() -> None:
    assert '<h3 id="s-summary">Summary</h3>' in html("## Summary")


def test_site_templates_override_and_extend_the_theme(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "404.html").write_text(
        '{% extends "theme/404.html" %}{% block title %}Lost in the archive{% endblock %}'
    )
    config = config_from_data({"title": "T"}, tmp_path)
    theme = load_theme(config)
    assert theme.template_dirs[0] == tmp_path / "templates"
    env = make_environment(theme, config)
    context = {
        "site": {
            "title": "T",
            "description": "",
            "language": "en",
            "feed_url": "/feed.xml",
            "nav": [],
            "author": "T",
            "base_url": "",
            "extra": {},
        },
        "page_url": "/404.html",
        "page_kind": "not_found",
    }
    out = render_page(env, Page("/404.html", "404.html", "404.html", context)).decode()
    assert "<title>Lost in the archive</title>" in out
    assert "Page not found" in out


def test_template_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "404.html").write_text("line one\n{{ missing.value }}\n")
    config = config_from_data({"title": "T"}, tmp_path)
    env = make_environment(load_theme(config), config)
    with pytest.raises(ThemeError) as info:
        render_page(env, Page("/404.html", "404.html", "404.html", {}))
    assert f"{tmp_path / 'templates' / '404.html'}:2" in str(info.value)


def test_unknown_theme_lists_where_it_looked(tmp_path: Path) -> None:
    config = config_from_data({"title": "T", "theme": "fancy"}, tmp_path)
    with pytest.raises(ThemeError, match=r"fancy.*looked in"):
        load_theme(config)


def test_autoescape_is_on(tmp_path: Path) -> None:
    config = config_from_data({"title": "T"}, tmp_path)
    env = make_environment(load_theme(config), config)
    assert env.from_string("{{ x }}").render(x="<b>{{ 7*7 }}</b>") == "&lt;b&gt;{{ 7*7 }}&lt;/b&gt;"
