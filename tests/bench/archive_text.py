"""The words of a synthetic cable: subject, body blocks, and its two renderings.

A body is a list of blocks (section headings, numbered paragraphs with portion
marks, dash lists, the signature). It is rendered twice from the same blocks:
- as the telegram of the release (the header and content fields of cables.csv:
  routing header, banner, captions, hard-wrapped lines with trailing spaces,
  headings underlined with dashes, page markers, section banners, the garbled
  apostrophe 'Minister,s'), and
- as the cleaned Markdown body of content/ (`## Heading`, `N\\. (C) text`,
  `- item`, repaired apostrophes), the form `cablesite import` is meant to write.
Body lengths are log-normal: median about 5.5 KB, clamped to 0.7-60 KB.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from archive_model import CableMeta

BODY_MEDIAN = 5_500
BODY_SIGMA = 0.75
BODY_MIN, BODY_MAX = 700, 57_500  # the last paragraph may add up to ~2.5 KB
LINES_PER_PAGE = 55
BYTES_PER_SECTION = 11_000
_WRAP = re.compile(r"(.{1,68})(?: +|$)")
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


ACTORS = _words(
    "The Foreign Minister|The Prime Minister|Opposition leaders|Embassy contacts|"
    "The Ambassador|Ministry of Defense officials|Central bank officials|Local NGOs|"
    "Parliamentarians|The Deputy Foreign Minister|Senior MFA officials|Business leaders|"
    "Party insiders|The Interior Minister|Journalists|Civil society activists|"
    "The presidential advisor|Security service contacts|Regional governors|"
    "Diplomats here|The National Security Advisor|Trade union leaders|"
    "The Finance Minister|PolOff|EconOff|The DCM|Military officers|The ruling coalition|"
    "Religious leaders"
)
POSSESSORS = _words("Minister|President|government|party|Ambassador|country|opposition")
VERBS = _words(
    "told PolOff|stressed|noted|argued|reported|confirmed|suggested|warned|acknowledged|"
    "explained|insisted|predicted|complained|agreed|told the Ambassador|emphasized|"
    "cautioned|indicated|claimed|conceded"
)
CLAUSES = _words(
    "the government would move quickly on {topic}|"
    "progress on {topic} depended on {actor_l}|"
    "there was little appetite for new commitments on {topic}|"
    "the coalition remained divided over {topic}|"
    "the ministry had not yet received instructions on {topic}|"
    "{topic} would dominate the agenda of the coming session|"
    "the issue of {topic} was being handled at the highest level|"
    "public opinion strongly opposed any concession on {topic}|"
    "the budget for {topic} would be cut by {number} percent|"
    "a decision on {topic} was expected before {month}|"
    "donor support for {topic} had fallen sharply since {year}|"
    "the security situation in the north had complicated {topic}|"
    "talks with the neighbors on {topic} had stalled|"
    "the new law on {topic} would be submitted to parliament in {month}"
)
TOPICS = _words(
    "energy security|the border dispute|visa reform|counternarcotics cooperation|"
    "the nuclear program|trade liberalization|the elections|judicial reform|"
    "the refugee situation|military cooperation|the peace process|human rights|"
    "corruption cases|the privatization program|press freedom|the status agreement|"
    "the IMF program|counterterrorism|the gas pipeline|agricultural subsidies|"
    "the constitutional amendments|the UN resolution|intellectual property rights|"
    "the aid package|maritime security|trafficking in persons|the census"
)
TAILS = _words(
    "||| in the coming weeks| despite pressure from the opposition|"
    " according to several contacts| (protect)| before the summit|"
    " in spite of U.S. concerns| once the budget was approved| by the end of the year"
)
HEADINGS = _words(
    "Background|Comment|Political Context|Next Steps|The Economic Picture|"
    "Security Concerns|Meeting with the Minister|Opposition Views|Regional Implications|"
    "Growing Concern|Elections Outlook|Trade Issues|Human Rights Situation|"
    "Bilateral Relations|Action Request|Reaction in the Press|Outlook"
)
SUBJECT_TOPICS = _words(
    "{topic} talks stall|minister outlines plans on {topic}|new push on {topic}|"
    "parliament debates {topic}|opposition rallies against {topic}|"
    "progress report on {topic}|{topic}: ambassador's meeting with the president|"
    "scenesetter for the visit|media reaction to {topic}|update on {topic}|"
    "uncertainty over {topic}"
)
SIGNERS = _words(
    "THORNE|RICCIARDONE|WILSON|JEFFREY|HILL|KELLY|MORENO|SMITH|BROWN|GARCIA|MILLER|DAVIS|"
    "CROCKER|PATTERSON|EIKENBERRY|SCOBEY|LEVINE|ROOS|SUSMAN|BEYRLE|RUBIN|TEFFT|HUGHES|"
    "BRYZA|MCFARLAND|CUNNINGHAM"
)
SECRETARIES = (
    (2009, "CLINTON"),
    (2005, "RICE"),
    (2001, "POWELL"),
    (1997, "ALBRIGHT"),
    (1993, "CHRISTOPHER"),
    (1989, "BAKER"),
    (1900, "SHULTZ"),
)
CLASSIFIER_TITLES = _words(
    "Political Counselor|Ambassador|DCM|Pol/Econ Chief|Political Officer|"
    "Charge d'Affaires|Economic Counselor"
)
NAMES = _words(
    "Liam Wasley|Kathleen Allegrone|Glyn T. Davies|Mary Ellen Smith|John Doe|Robert Finn|"
    "Ana Lopez|David Brown|Sarah Klein|Michael Ortiz"
)
REASONS = _words("1.4 (b) and (d)|1.4 (b), (d)|1.4 (d)|1.4 (c)|1.4 (b)")


@dataclass(frozen=True, slots=True)
class Sentence:
    telegram: str  # as the release holds it ('Minister,s')
    markdown: str  # repaired ('Minister's')


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # 'heading', 'para', 'list', 'signature'
    text: str = ""  # heading text or signer
    number: int = 0  # paragraph number
    mark: str = ""  # portion mark: 'C', 'SBU', 'S/NF'
    parts: tuple[Sentence, ...] = ()  # sentences of a paragraph, items of a list


@dataclass(frozen=True, slots=True)
class CableText:
    """The words of one cable."""

    subject: str
    blocks: tuple[Block, ...]
    summary: str | None
    signer: str
    classified_by: str | None
    reasons: str | None
    declassify_on: str  # ISO date or 'N/A'
    handling: tuple[str, ...]


def make_sentence_pool(seed: int, size: int = 4000) -> tuple[Sentence, ...]:
    """A fixed pool of sentences; bodies pick from it (fast, and realistic enough to parse)."""
    rng = random.Random(f"{seed}:sentences")
    pool = []
    for _ in range(size):
        clause = rng.choice(CLAUSES).format(
            topic=rng.choice(TOPICS),
            actor_l=rng.choice(ACTORS).lower(),
            number=rng.randint(5, 60),
            month=rng.choice(("January", "March", "June", "September", "the spring", "year's end")),
            year=rng.randint(2001, 2009),
        )
        text = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} that {clause}{rng.choice(TAILS)}."
        roll = rng.random()
        if roll < 0.15:
            owner = rng.choice(POSSESSORS)
            extra = f" The {owner}{{}}s position on {rng.choice(TOPICS)} has not changed."
            # the release garbles the apostrophe to a comma; the importer repairs it to U+2019
            pool.append(Sentence(text + extra.format(","), text + extra.format("\u2019")))
        elif roll < 0.2:
            word = rng.choice(("a mistake", "overdue", "a gamble", "unworkable"))
            quoted = f' One contact called it "{word}."'
            pool.append(Sentence(text + quoted, text + quoted))
        elif roll < 0.23:
            pool.append(
                Sentence(
                    text + " XXXXXXXXXXXX confirmed this.", text + " XXXXXXXXXXXX confirmed this."
                )
            )
        else:
            pool.append(Sentence(text, text))
    return tuple(pool)


def portion_marks(classification: str) -> tuple[str, ...]:
    if classification.startswith("SECRET"):
        return ("S/NF", "S", "C") if "NOFORN" in classification else ("S", "C", "C", "U")
    if classification.startswith("CONFIDENTIAL"):
        return ("C/NF", "C", "SBU") if "NOFORN" in classification else ("C", "C", "SBU", "U")
    return ("SBU", "SBU", "U") if "OFFICIAL USE" in classification else ("U",)


def make_text(meta: CableMeta, seed: int, pool: tuple[Sentence, ...]) -> CableText:
    """Subject, captions and body of one cable, from a generator seeded by (seed, id)."""
    rng = random.Random(f"{seed}:{meta.id}")
    target = int(
        min(BODY_MAX, max(BODY_MIN, rng.lognormvariate(math.log(BODY_MEDIAN), BODY_SIGMA)))
    )
    marks = portion_marks(meta.classification)
    blocks: list[Block] = []
    size = 0
    summary = None
    number = 0
    if rng.random() < 0.7:
        sentences = tuple(rng.choices(pool, k=rng.randint(2, 5)))
        summary = " ".join(s.markdown for s in sentences)
        first = Sentence("Summary: " + sentences[0].telegram, "Summary: " + sentences[0].markdown)
        last = sentences[-1]
        closing = Sentence(last.telegram + "  End summary.", last.markdown + " End summary.")
        parts = (
            (first, *sentences[1:-1], closing)
            if len(sentences) > 1
            else (Sentence(first.telegram + "  End summary.", first.markdown + " End summary."),)
        )
        number += 1
        blocks.append(Block("para", number=number, mark=rng.choice(marks), parts=parts))
        size += sum(len(s.markdown) for s in parts)
    while size < target:
        if number and rng.random() < 0.22:
            heading = rng.choice(HEADINGS)
            blocks.append(Block("heading", text=heading))
            size += len(heading) + 4
        number += 1
        parts = tuple(rng.choices(pool, k=rng.randint(2, 8)))
        blocks.append(Block("para", number=number, mark=rng.choice(marks), parts=parts))
        size += sum(len(s.markdown) + 1 for s in parts) + 8
        if rng.random() < 0.08:
            items = tuple(rng.choices(pool, k=rng.randint(2, 5)))
            blocks.append(Block("list", parts=items))
            size += sum(len(s.markdown) + 3 for s in items)
    signer = _signer(rng, meta)
    blocks.append(Block("signature", text=signer))
    subject = _subject(rng, meta)
    classified = not meta.classification.startswith("UNCLASSIFIED")
    handling = ["SIPDIS"]
    if "NOFORN" in meta.classification:
        handling.insert(0, "NOFORN")
    if "OFFICIAL USE" in meta.classification:
        handling.append("SENSITIVE")
    declassify = meta.created.date().replace(year=meta.created.year + 10) if classified else None
    return CableText(
        subject=subject,
        blocks=tuple(blocks),
        summary=summary,
        signer=signer,
        classified_by=f"{rng.choice(CLASSIFIER_TITLES)} {rng.choice(NAMES)}"
        if classified
        else None,
        reasons=rng.choice(REASONS) if classified else None,
        declassify_on=declassify.isoformat() if declassify else "N/A",
        handling=tuple(handling),
    )


def _signer(rng: random.Random, meta: CableMeta) -> str:
    if meta.post.token == "STATE":
        return next(name for year, name in SECRETARIES if meta.created.year >= year)
    return (
        SIGNERS[hash_text(meta.post.token) % len(SIGNERS)]
        if rng.random() < 0.9
        else rng.choice(SIGNERS)
    )


def hash_text(text: str) -> int:
    """A stable small hash (Python's hash() of a str changes from run to run)."""
    value = 0
    for char in text:
        value = (value * 31 + ord(char)) % 1_000_003
    return value


def _subject(rng: random.Random, meta: CableMeta) -> str:
    place = (
        meta.post.banner
        if meta.post.token != "STATE"
        else rng.choice(("DEMARCHE", "GUIDANCE", "REQUEST"))
    )
    topic = rng.choice(SUBJECT_TOPICS).format(topic=rng.choice(TOPICS))
    return f"{place}: {topic}".upper()


# ---------------------------------------------------------------- Markdown


def render_markdown(text: CableText) -> str:
    """The cleaned body as content/ holds it."""
    out = []
    for block in text.blocks:
        if block.kind == "heading":
            out.append(f"## {block.text}")
        elif block.kind == "para":
            out.append(
                f"{block.number}\\. ({block.mark}) " + " ".join(s.markdown for s in block.parts)
            )
        elif block.kind == "list":
            out.append("\n".join(f"- {s.markdown}" for s in block.parts))
        else:
            out.append(block.text)
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------- telegram


def dtg(meta: CableMeta) -> str:
    """'101642Z NOV 09'."""
    c = meta.created
    return f"{c.day:02d}{c.hour:02d}{c.minute:02d}Z {MONTHS[c.month - 1]} {c.year % 100:02d}"


def render_telegram(meta: CableMeta, text: CableText) -> tuple[str, str]:
    """(header, content): the two telegram fields of a cables.csv row."""
    c = meta.created
    level = {"U": "UUUUU", "C": "CCCCC", "S": "SSSSS"}[meta.classification[0]]
    sender_route = meta.post.route or "RUEH" + meta.post.token[:3]
    header = [
        f"VZCZCXRO{meta.serial % 10000:04d}",
        f"{meta.prosign}{meta.prosign} RUEHDBU RUEHFL RUEHLA",
        f"DE {sender_route} #{meta.serial % 10000:04d}/01 {c.timetuple().tm_yday:03d}{c:%H%M}",
        f"{'ZNR' if level == 'UUUUU' else 'ZNY'} {level} ZZH",
        f"{meta.prosign} {dtg(meta)}",
        f"FM {meta.post.address}",
    ]
    for prefix, addressees in (("TO", meta.to), ("INFO", meta.info)):
        for i, a in enumerate(addressees):
            line = " ".join(
                p
                for p in (f"{a.route}/{a.name}" if a.route else a.name, a.precedence, a.serial)
                if p
            )
            header.append(f"{prefix} {line}" if i == 0 else line)
    body_lines, block_starts = _body_lines(text)
    sections = max(1, math.ceil(sum(len(line) + 2 for line in body_lines) / BYTES_PER_SECTION))
    banner_class = {"U": "UNCLAS", "C": "C O N F I D E N T I A L", "S": "S E C R E T"}[
        meta.classification[0]
    ]
    serial6 = f"{meta.serial:06d}"

    def banner(section: int) -> str:
        part = f" SECTION {section:02d} OF {sections:02d}" if sections > 1 else ""
        return f"{banner_class}{part} {meta.post.banner} {serial6}"

    lines = [banner(1), "", *text.handling, ""]
    order = "13526" if c.year >= 2010 else "12958"
    lines.append(
        f"E.O. {order}: N/A"
        if text.declassify_on == "N/A"
        else f"E.O. {order}: DECL: {_us_date(text.declassify_on)}"
    )
    lines.append("TAGS: " + " ".join(meta.tags))
    lines.extend(_wrap("SUBJECT: " + text.subject))
    lines.append("")
    if meta.references:
        refs = " ".join(f"{chr(65 + i)}. {_ref(ref)}" for i, ref in enumerate(meta.references))
        lines.extend(_wrap("REF: " + refs))
        lines.append("")
    if text.classified_by:
        lines.extend(_wrap(f"Classified By: {text.classified_by} for reasons {text.reasons}"))
        lines.append("")
    # section banners at block boundaries, page markers every LINES_PER_PAGE lines
    section_at = {
        block_starts[i * len(block_starts) // sections]: i + 1 for i in range(1, sections)
    }
    for index, line in enumerate(body_lines):
        if index in section_at:
            lines.extend([banner(section_at[index]), ""])
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()  # a page marker starts a page: never one after the signature
    pages = max(1, math.ceil(len(lines) / LINES_PER_PAGE))
    paged = []
    for index, line in enumerate(lines):
        if index and index % LINES_PER_PAGE == 0:
            page = index // LINES_PER_PAGE + 1
            paged.append(f"{meta.post.banner} {meta.serial:08d} {page:03d}.2 OF {pages:03d}")
        paged.append(line)
    content = "".join(f"{line} \n" for line in paged)
    return "\n".join(header) + "\n", content


def _body_lines(text: CableText) -> tuple[list[str], list[int]]:
    lines: list[str] = []
    starts: list[int] = []
    for block in text.blocks:
        starts.append(len(lines))
        if block.kind == "heading":
            lines.extend([block.text, "-" * (len(block.text) + 3)])
        elif block.kind == "para":
            words = f"{block.number}. ({block.mark}) " + " ".join(s.telegram for s in block.parts)
            lines.extend(_wrap(words))
        elif block.kind == "list":
            for item in block.parts:
                lines.extend(_wrap("-- " + item.telegram))
        else:
            lines.append(block.text)
        lines.append("")
    return lines, starts


def _wrap(text: str) -> list[str]:
    return _WRAP.findall(text)


def _us_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{month}/{day}/{year}"


def _ref(cable_id: str) -> str:
    """'09ROME1240' -> '09 ROME 1240', the way a REF line cites it."""
    match = re.fullmatch(r"(\d\d)([A-Z]+)(\d+)", cable_id)
    return f"{match.group(1)} {match.group(2)} {match.group(3)}" if match else cable_id
