"""The cable body as Markdown: repairs, paragraph numbers, headings, lists, tables, escaping.

Corpus expectations come from ../shared/corpus/expected/*.yaml (repaired_snippets,
first_paragraph_starts); the Markdown is also rendered with markdown-it-py the
way the site renders it, to prove that cable text never turns into markup.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import EXPECTED_DIR, RAW_DIR
from markdown_it import MarkdownIt

from generator.errors import Problem
from generator.importer import iter_raw_cables
from generator.parse import RawCable
from generator.parse_body import BodyResult, body_to_markdown, escape_line, repair_text

_UNESCAPE = re.compile(r"\\(.)")
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def plain(text: str) -> str:
    """Markdown or repaired text -> plain text: escapes dropped, straight quotes, one space."""
    text = _UNESCAPE.sub(r"\1", text.replace("&#46;", "."))
    for curly, straight in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(curly, straight)
    return " ".join(text.split())


def load_raw_cables() -> dict[str, RawCable]:
    cables: dict[str, RawCable] = {}
    for item in iter_raw_cables([str(RAW_DIR)]):
        assert not isinstance(item, Problem), str(item)
        cables[item.metadata.get("id") or Path(item.file).stem] = item
    return cables


RAW = load_raw_cables()
EXPECTED = {
    path.stem: yaml.safe_load(path.read_text("utf-8"))
    for path in sorted(EXPECTED_DIR.glob("*.yaml"))
}
SNIPPETS = [
    pytest.param(key, snippet, id=f"{key}-{snippet['raw'][:20]}")
    for key, expected in EXPECTED.items()
    for snippet in expected.get("repaired_snippets") or []
]
FIRST_PARAGRAPHS = [
    pytest.param(key, expected["first_paragraph_starts"], id=key)
    for key, expected in EXPECTED.items()
    if expected.get("first_paragraph_starts")
]


def body_of(key: str) -> BodyResult:
    cable = RAW[key]
    return body_to_markdown(cable.text, file=cable.file, line=cable.line)


def blocks_of(markdown: str) -> list[str]:
    return [block for block in markdown.split("\n\n") if block.strip()]


def numbered(markdown: str) -> list[tuple[int, str | None, str]]:
    """(number, portion mark, text) of every numbered paragraph, by the renderer's convention."""
    found = []
    for block in blocks_of(markdown):
        match = re.match(r"^(\d+)\\\. (?:(\([^)\n]*\)) )?", block)
        if match:
            found.append((int(match.group(1)), match.group(2), block[match.end() :]))
    return found


# ---------------------------------------------------------------- the corpus's expected values


def test_every_expected_cable_has_its_raw_text() -> None:
    assert set(EXPECTED) <= set(RAW)
    assert len(SNIPPETS) == 22 and len(FIRST_PARAGRAPHS) >= 50


@pytest.mark.parametrize(("key", "snippet"), SNIPPETS)
def test_body_holds_the_repaired_snippet_and_not_the_garbled_one(
    key: str, snippet: dict[str, str]
) -> None:
    body = plain(body_of(key).markdown)
    assert plain(snippet["clean"]) in body
    assert plain(snippet["raw"]) not in body


@pytest.mark.parametrize(("key", "start"), FIRST_PARAGRAPHS)
def test_paragraph_one_starts_as_expected(key: str, start: str) -> None:
    """Paragraph 1 after its number and marking (else the first plain paragraph)."""
    markdown = body_of(key).markdown
    paragraphs = numbered(markdown)
    if paragraphs and paragraphs[0][0] == 1:
        text = paragraphs[0][2]
    else:
        text = next(
            block
            for block in blocks_of(markdown)
            if not re.match(r"^(?:\d+\\\.|## |- |`{3}|REF|---)", block)
        )
    assert plain(text).startswith(plain(start).removesuffix("...").rstrip("."))


# ---------------------------------------------------------------- the seed, 09ROME1240


def test_seed_paragraphs_keep_their_numbers_and_portion_marks() -> None:
    paragraphs = numbered(body_of("09ROME1240").markdown)
    assert [number for number, _, _ in paragraphs] == list(range(1, 14))
    assert [mark for _, mark, _ in paragraphs] == ["(C)"] * 8 + ["(SBU)"] + ["(C)"] * 3 + ["(SBU)"]
    assert paragraphs[0][2].startswith(
        "The last Nonproliferation Directors Group (NPDG) meeting of Italy's"
    )


def test_seed_headings_become_markdown_headings_once() -> None:
    markdown = body_of("09ROME1240").markdown
    headings = re.findall(r"^## (.*)$", markdown, re.M)
    assert headings == [
        "Summary",
        "NPDG Divided on Iran",
        "Japan Reports on DPRK",
        "2010 NPT RevCon Planning",
        "CTBT Ratification; Pakistan FMCT Policy",
        "Sensitive Technology Transfers and NSG",
        "UNSCR 1540",
        "Universalization of the Additional Protocol",
        "Global Partnership",
        "Outlook for the Canadian G8 Presidency",
    ]


def test_seed_sentences_cut_by_a_blank_line_or_a_page_break_are_joined() -> None:
    paragraphs = {
        number: plain(text) for number, _, text in numbered(body_of("09ROME1240").markdown)
    }
    assert "Japan supported strong G-8 sanctions against DPRK" in paragraphs[3]
    assert "it is not official but is supported by the two governments. End note.)" in paragraphs[4]
    assert "an extension to the Partnership in 2010. An October 7-8 Mediterranean" in paragraphs[11]


def test_seed_loses_header_captions_page_markers_and_the_repeated_preamble() -> None:
    markdown = body_of("09ROME1240").markdown
    for artifact in (
        "VZCZC",
        "RUEHC",
        "C O N F I D E N T I A L",
        "SIPDIS",
        "E.O. 12958",
        "TAGS",
        "SUBJECT",
        "Classified By",
        "00001240",
        "OF 004",
    ):
        assert artifact not in markdown
    assert markdown.startswith("## Summary\n\n1\\. (C) The last")
    assert markdown.endswith("13\\. (SBU) DAS Kang has cleared this cable.\n\nTHORNE\n")


def test_seed_summary_is_paragraph_one_without_its_end_mark() -> None:
    summary = body_of("09ROME1240").summary
    assert summary is not None
    assert summary.startswith("The last Nonproliferation Directors Group (NPDG) meeting")
    assert summary.endswith("Ambassador Bonnie Jenkins also attended the meeting.")


# ---------------------------------------------------------------- other corpus shapes


def test_flattened_cable_keeps_numbers_and_the_rel_marking_and_loses_the_mid_line_page_marker() -> (
    None
):
    markdown = body_of("10STATE284").markdown
    assert [(n, mark) for n, mark, _ in numbered(markdown)] == [
        (1, "(U)"),
        (2, "(C)"),
        (3, "(C)"),
        (4, "(C)"),
        (5, "(C/REL LIBYA)"),
        (6, None),
    ]
    assert "STATE 00000284" not in markdown and "002 OF 002" not in markdown
    assert "(AQIM, LIFG, foreign fighters)" in plain(markdown)
    assert "xxxxxxxxxxxx or xxxxxxxxxxxx" in markdown  # redactions stay as they are
    assert markdown.rstrip().endswith("CLINTON")


def test_framed_headings_and_ref_lines() -> None:
    markdown = body_of("07BERN881").markdown
    assert re.findall(r"^## (.*)$", markdown, re.M) == [
        "SUMMARY",
        "IRAN/IAEA",
        "IRAN/EGL Gas Deal",
        "COMMENT",
    ]
    # REF lines stay whole, one line each, e-mails included, and are not repaired
    assert (
        "REF: A. STATE 124823\\\nB. GUHA-CARTER E-MAIL (07SEP07)\\\nC. BERN 860\\\nD. STATE 123352"
        in markdown
    )
    # the cable of another record glued after the signature does not leak in
    assert "TBILISI" not in markdown and markdown.rstrip().endswith("CARTER")


def test_summary_between_summary_and_end_summary_spans_paragraphs() -> None:
    summary = body_of("09UNVIEVIENNA289").summary
    assert summary is not None and summary.startswith("The June Board debate on Syria")
    assert "End summary" not in summary and "Summary:" not in summary


def test_summary_is_none_when_the_cable_has_none() -> None:
    assert body_of("10STATE284").summary is None
    assert body_of("86MADRID5480").summary is None


def test_old_cable_keeps_its_text_and_loses_its_header() -> None:
    markdown = body_of("75TEHRAN2069").markdown
    assert "FM AMEMBASSY TEHRAN" not in markdown and "E.O. 11652" not in markdown
    assert markdown.startswith(
        "Declassified/Released US Department of State EO Systematic Review 05 JUL 2006\n\n"
        "SUMMARY: CREATION OF IRANIAN RESURGENCE PARTY"
    )
    assert [n for n, _, _ in numbered(markdown)] == list(range(1, 9))
    summary = body_of("75TEHRAN2069").summary
    assert summary is not None and summary.startswith("CREATION OF IRANIAN RESURGENCE PARTY")


def test_a_number_opening_a_plain_paragraph_is_not_written_as_a_paragraph_number() -> None:
    text = "UNCLAS ROME 000001\n\nSUBJECT: X\n\n1. (C) Text ends here.\n\n2010. A year to watch.\n"
    markdown = body_to_markdown(text).markdown
    assert markdown == "1\\. (C) Text ends here.\n\n2010&#46; A year to watch.\n"
    assert _MARKDOWN.render(markdown).endswith("<p>2010. A year to watch.</p>\n")


def test_paragraphs_run_together_on_one_line_are_split_at_the_next_number() -> None:
    text = (
        "UNCLAS STATE 000001\nSUBJECT: X\n"
        "1. (C) Summary: First paragraph. 2. (C) Second one, with 3. a number. 3. (U) Third.\n"
        "4. (C) Fourth.\n"
    )
    assert [
        (n, mark, text.strip()) for n, mark, text in numbered(body_to_markdown(text).markdown)
    ] == [
        (1, "(C)", "Summary: First paragraph."),
        (2, "(C)", "Second one, with 3. a number."),
        (3, "(U)", "Third."),
        (4, "(C)", "Fourth."),
    ]


def test_heading_shapes() -> None:
    text = (
        "UNCLAS PARIS 000001\n\nSUBJECT: X\n\n"
        "A FIFTY PERCENT CHANCE OF BEING FRANCE'S\n---------------\nNEXT PRESIDENT\n-------\n\n"
        "1. (C) Text.\n\n"
        "------- Summary -------\n\n"
        "2. (U) Post is asked to report.\n-----\nPOINTS OF CONTACT\n-----\n3. (U) Call us.\n"
    )
    markdown = body_to_markdown(text).markdown
    assert re.findall(r"^## (.*)$", markdown, re.M) == [
        "A FIFTY PERCENT CHANCE OF BEING FRANCE'S NEXT PRESIDENT",
        "Summary",
        "POINTS OF CONTACT",
    ]
    assert [n for n, _, _ in numbered(markdown)] == [1, 2, 3]


# ---------------------------------------------------------------- lists and tables


def test_dash_and_lettered_lists_stay_lists() -> None:
    text = (
        "UNCLAS STATE 000001\n\nSUBJECT: LISTS\n\n"
        "1. (U) Post should weigh:\n"
        "(a) post security;\n(b) the safety of the\nindividual;\n(c) the value.\n\n"
        "2. (U) Points:\n-- first point\n-- second point that\nwraps\n- third\n\n"
        "3. (U) Also a) and b) in a sentence stay text, and (b) and (d) too.\n"
    )
    markdown = body_to_markdown(text).markdown
    assert "- (a) post security;\n- (b) the safety of the individual;\n- (c) the value." in markdown
    assert "- first point\n- second point that wraps\n- third" in markdown
    assert "3\\. (U) Also a) and b) in a sentence stay text, and (b) and (d) too." in markdown
    html = _MARKDOWN.render(markdown)
    assert html.count("<li>") == 6 and html.count("<ul>") == 2


def test_fixed_width_tables_stay_preformatted() -> None:
    text = (
        "UNCLAS STATE 000001\n\nSUBJECT: TABLE\n\n1. (U) Results:\n\n"
        "PARTY          SEATS     SHARE\n"
        "CDU/CSU          239     33.8\n"
        "SPD              146     23.0\n\n"
        "2. (U) Next paragraph.\n"
    )
    markdown = body_to_markdown(text).markdown
    assert (
        "```text\nPARTY          SEATS     SHARE\nCDU/CSU          239     33.8\n"
        "SPD              146     23.0\n```" in markdown
    )
    assert "<pre><code" in _MARKDOWN.render(markdown)


# ---------------------------------------------------------------- repairs


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("legitimizing Iran,s nuclear", "legitimizing Iran’s nuclear"),
        ("if it doesn,t, then", "if it doesn’t, then"),
        ("the L,Aquila language, d,Ivoire", "the L’Aquila language, d’Ivoire"),
        ("wanted &material collateral,8 not just", "wanted “material collateral,” not just"),
        ("seminar, &Towards FMCT.8 The", "seminar, “Towards FMCT.” The"),
        ('the previous "redirection8 focus', 'the previous "redirection” focus'),
        (
            "a window of opportunity ) but a narrow one ) to",
            "a window of opportunity — but a narrow one — to",
        ),
        ("the proposal is ¬ a gadget,8 but", "the proposal is “not a gadget,” but"),
        ("SMA as ∂ of the problem8 and", "SMA as “part of the problem” and"),
    ],
)
def test_garbled_characters_are_repaired(raw: str, clean: str) -> None:
    assert repair_text(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        "the G-8 and G8 summit, UNSCR 1887 and 1.8 billion",
        "AT&T, R&D, Q&A, S&ED and Texas A&M",
        "experts, seminar; lists a,b,c,d and (b,d)",
        "for Reasons 1.4 (b) and (d) and ( c)",
        "a (parenthesis ) closed with a space",
        "LAND REFORM WAS “UNFINISHED” BUSINESS and ‘Udwan",
        "an unpaired &opener and 45° C",
        "yyyy=2009&mm=10&dd= 19",
    ],
)
def test_real_commas_digits_ampersands_and_quotes_are_not_repaired(text: str) -> None:
    assert repair_text(text) == text


def test_ref_lines_are_not_repaired() -> None:
    markdown = body_to_markdown(
        "UNCLAS ROME 000001\n\nSUBJECT: X\n\nREF: A. ROME 1,s B. STATE 8\n\n1. Text.\n"
    ).markdown
    assert "REF: A. ROME 1,s B. STATE 8" in markdown


# ---------------------------------------------------------------- line ends and odd bytes


def test_cr_and_crlf_line_ends_give_the_same_body() -> None:
    text = RAW["09ROME1240"].text
    lf = body_to_markdown(text)
    assert body_to_markdown(text.replace("\n", "\r\n")).markdown == lf.markdown
    assert body_to_markdown(text.replace("\n", "\r")).markdown == lf.markdown
    assert body_to_markdown(text.replace("\n", "\r\n")).summary == lf.summary


def test_pilcrows_nul_and_control_bytes_are_dropped() -> None:
    markdown = body_to_markdown(
        "UNCLAS ROME 000001\n\nSUBJECT: X\n\n\xb61. (C) Te\x00xt\x07 here.\n"
    ).markdown
    assert markdown == "1\\. (C) Text here.\n"


def test_crlf_corpus_cable_keeps_its_paragraphs() -> None:
    assert "\r" in RAW["06NEWDELHI5138"].text
    markdown = body_of("06NEWDELHI5138").markdown
    assert "\r" not in markdown and "¶" not in markdown
    assert [n for n, _, _ in numbered(markdown)][:3] == [2, 3, 4]


# ---------------------------------------------------------------- hostile text


HOSTILE = (
    "UNCLAS ROME 000001\n\nSUBJECT: HOSTILE\n\n"
    "1. (C) <script>alert(1)</script> and [x](javascript:alert(1)) and ![i](http://x)\n"
    "and {{ 7*7 }} and {% raw %} and *emph* and _under_ and `code` and <http://x.y>\n"
    "and &amp; &#60;b&#62; and a | b | c and ~~strike~~ and a\\backslash.\n\n"
    "1. this line starts like a list\n\n"
    "# not a heading\n\n"
    "> not a quote\n\n"
    "+ not a list\n\n"
    "    not code\n\n"
    "```\nnot a fence\n```\n\n"
    "<div>block html</div>\n\n"
    "[ref]: http://x\n"
)


def test_hostile_text_comes_out_as_text() -> None:
    markdown = body_to_markdown(HOSTILE).markdown
    html = _MARKDOWN.render(markdown)
    assert set(re.findall(r"</?([a-z0-9]+)", html)) == {"p"}, html
    text = re.sub(r"</?p>", "", html)
    for literal in (
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "[x](javascript:alert(1))",
        "![i](http://x)",
        "{{ 7*7 }}",
        "{% raw %}",
        "*emph*",
        "_under_",
        "`code`",
        "&lt;http://x.y&gt;",
        "&amp;amp; &amp;#60;b&amp;#62;",
        "a | b | c",
        "~~strike~~",
        "a\\backslash",
        "1. this line starts like a list",
        "# not a heading",
        "&gt; not a quote",
        "+ not a list",
        "not code",
        "```",
        "&lt;div&gt;block html&lt;/div&gt;",
        "[ref]: http://x",
    ):
        assert literal in text, literal


def test_escaping_keeps_no_template_syntax() -> None:
    assert "{{" not in body_to_markdown(HOSTILE).markdown
    assert "{%" not in body_to_markdown(HOSTILE).markdown


@pytest.mark.parametrize(
    "line", ["1. x", "1) x", "- x", "+ x", "= x", "# x", "> x", "* x", "<b>", "---", "***"]
)
def test_a_line_that_looks_like_markup_is_escaped(line: str) -> None:
    html = _MARKDOWN.render(escape_line(line))
    assert html.startswith("<p>") and html.count("<") == 2, html
