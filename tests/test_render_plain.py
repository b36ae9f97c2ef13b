"""The plain renderer of import-shaped bodies: the same bytes as markdown-it, or no answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.common.utils import escapeHtml

from generator.build_frontmatter import read_cable_fast
from generator.render import make_markdown, render_body, render_markdown
from generator.render_plain import _escape_html, _only_dot_escapes, render_plain

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content" / "cables"

# pieces of Markdown that matter to the plain renderer: its own shapes, and every character
# or line start that markdown-it would read as markup
PIECES = (
    "1\\. ",
    "12\\. ",
    "(C) ",
    "(S/NF) ",
    "(SBU)",
    "## ",
    "# ",
    "####### ",
    "- ",
    "-",
    "\\- ",
    "Embassy",
    " officials said",
    "’s",
    ".",
    "#",
    "*",
    "_",
    "`",
    "[",
    "]",
    "(",
    "<",
    ">",
    '"',
    "'",
    "&",
    "&amp;",
    "&#42;",
    "&foo",
    "\\",
    "\\\\",
    "\\*",
    "\\.",
    " ",
    "  ",
    "    ",
    "\t",
    "\r",
    "\u00a0",
    "\u2028",
    "\x00",
    "\n",
    "\n\n",
    "\n- ",
    "\n\n- ",
    "\n## ",
    "12. ",
    "1) ",
    "---",
    "===",
    "> ",
    "~~~",
    "```",
    "+ ",
    "0",
    "http://example.org/a_b",
)


def markdown_it(text: str) -> str:
    return render_markdown(make_markdown(), text)


def test_a_body_as_import_writes_it_is_rendered_the_plain_way() -> None:
    body = (
        "1\\. (C) Summary: the talks stalled. End summary.\n\n"
        "## Reaction in the Press\n\n"
        '2\\. (S/NF) The "minister" said R&D would wait -> 2011.\n\n'
        "- first point\n"
        "- \\- second point\n\n"
        "2\\. (U) Again.\n\n"
        "SUSMAN\n"
    )
    html = render_plain(body)
    assert html == (
        '<p id="p1" class="numbered"><a class="para-number" href="#p1" aria-label="Paragraph 1">'
        '1.</a> <abbr class="portion portion-c" title="Confidential">(C)</abbr> Summary: the '
        "talks stalled. End summary.</p>\n"
        '<h3 id="s-reaction-in-the-press">Reaction in the Press</h3>\n'
        '<p id="p2" class="numbered"><a class="para-number" href="#p2" aria-label="Paragraph 2">'
        '2.</a> <abbr class="portion portion-nf portion-s" title="Secret, NOFORN">(S/NF)</abbr> '
        "The &quot;minister&quot; said R&amp;D would wait -&gt; 2011.</p>\n"
        "<ul>\n<li>first point</li>\n<li>- second point</li>\n</ul>\n"
        '<p id="p2-2" class="numbered"><a class="para-number" href="#p2-2" '
        'aria-label="Paragraph 2">2.</a> <abbr class="portion portion-u" title="Unclassified">'
        "(U)</abbr> Again.</p>\n"
        "<p>SUSMAN</p>\n"
    )
    assert html == markdown_it(body)


@pytest.mark.parametrize(
    "body",
    [
        "Some *emphasis*.",
        "A `code` span.",
        "A [link](http://example.org).",
        "An entity &amp; here.",
        "Indented\n    code",
        "Tab\there",
        "- one\n\n- two",  # one loose list in Markdown
        "Setext\n===",
        "line one  \nline two",  # a hard break
        "12. not escaped",
        "Ends with a backslash\\",
    ],
)
def test_anything_markdown_reads_as_markup_goes_to_markdown_it(body: str) -> None:
    assert render_plain(body) is None
    assert render_body(make_markdown(), body) == markdown_it(body)


def test_every_body_of_the_demo_archive_renders_as_markdown_it_renders_it() -> None:
    paths = sorted(CONTENT_DIR.rglob("*.md"))
    assert len(paths) > 500
    plain = 0
    for path in paths:
        body = read_cable_fast(path).body
        html = render_plain(body)
        if html is not None:
            plain += 1
            assert html == markdown_it(body), path
    assert plain > len(paths) // 2  # the plain way is the usual one for imported cables


# bodies built block by block in the shapes the plain renderer takes, with words that
# put the characters it must get right at the start, middle and end of lines
WORDS = st.sampled_from(
    ["Embassy", "’s", '"quoted"', "&", "R&D", ">", "-", "#", "0", "1)", "a.", "(C)", "\\-", "\\#"]
)
LINES = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)
NUMBERS = st.sampled_from(
    ["", "1\\. ", "12\\. ", "007\\. ", "3\\. (C) ", "3\\. (S/NF) ", "4\\. (C/REL LIBYA) "]
)
PARAGRAPHS = st.builds(
    lambda number, lines: number + "\n".join(lines),
    NUMBERS,
    st.lists(LINES, min_size=1, max_size=3),
)
HEADINGS = st.builds(lambda level, line: "#" * level + " " + line, st.integers(1, 6), LINES)
LISTS = st.lists(LINES, min_size=1, max_size=3).map(
    lambda items: "\n".join(f"- {i}" for i in items)
)
BODIES = st.builds(
    lambda blocks, gap: gap.join(blocks),
    st.lists(st.one_of(PARAGRAPHS, HEADINGS, LISTS), max_size=8),
    st.sampled_from(["\n\n", "\n\n\n", "\n"]),
)


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_plain_rendering_is_markdown_it_or_nothing(pieces: list[str]) -> None:
    body = "".join(pieces)
    html = render_plain(body)
    if html is not None:
        assert html == markdown_it(body)


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_plain_shapes_render_as_markdown_it_renders_them(body: str) -> None:
    html = render_plain(body)
    if html is not None:
        assert html == markdown_it(body)


@given(st.text(alphabet=st.sampled_from('&<>"\\.a \u2019\n')))
@settings(max_examples=300)
def test_escaping_and_escape_checks_agree_with_the_plain_ways(text: str) -> None:
    assert _escape_html(text) == escapeHtml(text)
    assert _only_dot_escapes(text) == (text.count("\\") == text.count("\\."))
