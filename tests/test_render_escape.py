"""escape_output writes what markupsafe.escape writes, in every place Jinja escapes output;
xml_bytes what the regular expression of XML's forbidden characters gives."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import jinja2
import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import config_from_data
from generator.render import escape_output, load_theme, make_environment, pre_text, xml_bytes


class Html:
    """An object that renders itself (as a view object with __html__ would)."""

    def __html__(self) -> str:
        return "<em>kept</em>"


class Tag(str):
    """A str subclass without __html__: escaped like its text."""


VALUES: list[object] = [
    "09ROME1240",
    'ITALY: PM\'s "views" on <things> & stuff',
    "",
    "\u00e9t\u00e9 \U0001f600 \ud800",
    markupsafe.Markup("<b>safe</b>"),
    Html(),
    Tag("<PREL>"),
    1234,
    None,
    date(2009, 11, 10),
    ["a<", "b"],
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_escape_output_writes_markupsafes_text(value: object) -> None:
    assert escape_output(value) == str(markupsafe.escape(value))


TEMPLATES = [
    "{{ v }}|{{ v|e }}|{{ v|safe }}",
    "{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}{{ m(v) }}|{{ m(v)|upper }}",
    "{% set b %}[{{ v }}]{% endset %}{{ b }}|{{ b|length }}",
    "{% filter upper %}{{ v }}<{% endfilter %}",
    "{% macro w() %}({{ caller() }}){% endmacro %}{% call w() %}{{ v }}{% endcall %}",
    "{{ v ~ '<' }}|{{ '<' ~ v|safe }}|{{ [v, v]|join('&') }}",
    "{% for x in [v, '&'] %}{{ loop.index }}{{ x }}{% endfor %}",
    "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}"
    "{{ ns.n }}{{ dict(a=v)['a'] }}",
]


@pytest.mark.parametrize("source", TEMPLATES)
def test_templates_render_as_with_jinjas_own_escape(tmp_path: Path, source: str) -> None:
    config = config_from_data({"title": "T"}, tmp_path)
    ours = make_environment(load_theme(config), config)
    plain = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    for value in VALUES:
        expected = plain.from_string(source).render(v=value)
        assert ours.from_string(source).render(v=value) == expected
    assert "&lt;" in ours.from_string(source).render(v="<").lower()


NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def old_xml_bytes(text: str) -> bytes:
    return NOT_XML.sub("\ufffd", text).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize(
    "text",
    [
        "<feed>plain ascii\n\t\r</feed>",
        "form\x0cfeed and \x00 nul \x1f",
        "caf\u00e9 \u2019 \ud55c\uad6d",  # Hangul starts with 0xED in UTF-8 too
        "lone \ud800 surrogate",
        "\ufffe and \uffff and \ufffd",
        "caf\u00e9\x0b",
        "",
    ],
)
def test_xml_bytes_replaces_what_xml_cannot_carry(text: str) -> None:
    assert xml_bytes(text) == old_xml_bytes(text)


SPECIAL = "\x00\x0b\x0c\x1f\ud800\udfff\ufffe\uffff\ud55c\xe9\n"


@given(st.text(alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters(exclude_categories=()))))
@settings(max_examples=300)
def test_xml_bytes_equals_the_regular_expression_on_any_text(text: str) -> None:
    assert xml_bytes(text) == old_xml_bytes(text)


def test_templates_see_the_globals_of_their_environment(tmp_path: Path) -> None:
    config = config_from_data({"title": "T"}, tmp_path)
    env = make_environment(load_theme(config), config)
    env.globals["archive_name"] = "Cables <2010>"
    template = env.from_string("{{ archive_name }} {{ range(2)|list }}")
    assert template.render() == "Cables &lt;2010&gt; [0, 1]"
    assert env.from_string("{{ x }}", globals={"x": "<own>"}).render() == "&lt;own&gt;"


@pytest.mark.parametrize("text", ["a\r\nb <x> & \u2019", "plain", "", "\r", "x'\"", "\u00e9\r"])
def test_pre_text_escapes_and_keeps_carriage_returns_as_references(text: str) -> None:
    expected = "\n" + str(markupsafe.escape(text)).replace("\r", "&#13;")
    assert pre_text(text) == expected
    assert isinstance(pre_text(text), markupsafe.Markup)
