"""The `cached` filter: a fragment is drawn once per key, the same text every time, bounded."""

from __future__ import annotations

import jinja2

from generator.render_cache import FragmentCache


def test_cached_draws_a_key_once_and_returns_the_same_text() -> None:
    cache = FragmentCache()
    calls: list[tuple[object, ...]] = []

    def draw(*args: object) -> str:
        calls.append(args)
        return f"<li>{args[0]}</li>"

    first = cache.cached(("row", "09ROME1240", True), draw, "09ROME1240")
    again = cache.cached(("row", "09ROME1240", True), draw, "anything")
    other = cache.cached(("row", "09ROME1240", False), draw, "09ROME1240")
    assert first == again == other == "<li>09ROME1240</li>"
    assert calls == [("09ROME1240",), ("09ROME1240",)]


def test_cached_starts_again_empty_past_its_bound() -> None:
    cache = FragmentCache(max_characters=10)
    cache.cached("a", lambda: "12345")
    cache.cached("b", lambda: "12345")
    assert set(cache.fragments) == {"a", "b"} and cache.characters == 10
    cache.cached("c", lambda: "1")
    assert set(cache.fragments) == {"c"} and cache.characters == 1


def test_a_cached_macro_renders_as_the_macro_itself_in_a_template() -> None:
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["cached"] = FragmentCache().cached
    template = env.from_string(
        "{% macro item(c) %}<li>{{ c.id }} {{ c.subject }}</li>{% endmacro %}"
        "{% for c in rows %}{{ (c.id,)|cached(item, c) }}|{{ item(c) }}\n{% endfor %}"
    )
    rows = [{"id": "06STATE5", "subject": "A & B <x>"}, {"id": "06STATE5", "subject": "other"}]
    lines = template.render(rows=rows).splitlines()
    assert lines[0] == "<li>06STATE5 A &amp; B &lt;x&gt;</li>|<li>06STATE5 A &amp; B &lt;x&gt;</li>"
    # the key names the cable: a second row with its id gets the first drawing
    assert lines[1] == "<li>06STATE5 A &amp; B &lt;x&gt;</li>|<li>06STATE5 other</li>"
