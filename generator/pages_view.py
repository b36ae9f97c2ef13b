"""Presentation helpers for the template context: chart geometry, classification levels, groups.

Templates only draw what these functions give them, so the arithmetic of the
timeline chart (bar positions, collapsed empty years, axis labels) and the
grouping of a listing page (tags by kind, posts by first letter) live here,
as pure functions of plain values. Nothing here decides what belongs in an
index: every function receives the rows or counts pages.py already chose.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from generator.site import month_counts

Context = dict[str, Any]

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
GAP_MONTHS = 12  # a run of this many months without a cable collapses into a gap
GAP_SLOTS = 4  # the width of a gap, in month slots
LABEL_SPACING = 11.5  # minimum distance between two year labels on a phone, in percent of the width
MINOR_SPACING = 5.5  # the same on a wider screen, where the 'minor' labels show too
LABEL_LAST = 90.0  # a year label may start no further right than this (percent)

TAG_KINDS = (
    ("subject", "Subject tags", "What a cable is about, by area of the Department's work."),
    ("program", "Program tags", "Programs and special subjects (the K tags)."),
    ("organization", "Organization tags", "International organizations and bodies."),
    ("geography", "Country and area tags", "Countries and areas, by their two-letter code."),
    ("unknown", "Other tags", "Names of people and free text written in the TAGS line."),
)

_LEVELS = (
    ("TOP SECRET", "ts", "Top secret"),
    ("SECRET", "s", "Secret"),
    ("CONFIDENTIAL", "c", "Confidential"),
    ("LIMITED OFFICIAL USE", "sbu", "Limited official use"),
    ("FOR OFFICIAL USE ONLY", "sbu", "For official use only"),
    ("SENSITIVE", "sbu", "Sensitive but unclassified"),
    ("UNCLASSIFIED", "u", "Unclassified"),
)


def classification_level(name: str | None) -> tuple[str, bool]:
    """('s', True) for 'SECRET//NOFORN': the CSS level of a classification and whether NOFORN.

    Levels are those of the portion-marking badges: u, sbu, c, s, ts ('' when
    unknown). 'UNCLASSIFIED//FOR OFFICIAL USE ONLY' is sbu, as its caveat says.
    """
    if not name:
        return "", False
    upper = name.upper()
    noforn = "NOFORN" in upper or "//NF" in upper
    for marker, level, _ in _LEVELS:
        if marker in upper and not (marker == "SECRET" and "TOP SECRET" in upper):
            return level, noforn
    return "", noforn


def month_title(label: str) -> str:
    """'November 2009' for '2009-11'."""
    return f"{MONTHS[int(label[5:7]) - 1]} {label[:4]}"


def timeline(created: Sequence[datetime | None], plot_height: int = 64) -> Context | None:
    """Cables per month as the geometry of an inline SVG chart (see timeline_chart)."""
    return timeline_chart(month_counts(created), plot_height=plot_height)


def timeline_chart(months: Sequence[tuple[str, int]], *, plot_height: int) -> Context | None:
    """Geometry of a cables-per-month bar chart, for an inline SVG without a viewBox.

    `months` runs from the first month to the last, zeros included
    ([('2009-10', 0), ('2009-11', 3)]). Horizontal positions are percentages
    of the width (strings such as '12.345'), vertical ones pixels, so the
    labels keep their size on a phone and on a desktop. A year or more without
    a cable collapses into a narrow gap marked as a break on the axis, so a
    release whose cables mostly date from 2004-2010 but begin in 1966 stays
    readable; the gaps are named in the description. The scale is linear from
    zero.
    """
    counts = [count for _, count in months]
    peak = max(counts, default=0)
    if not peak:
        return None
    first, last = month_title(months[0][0]), month_title(months[-1][0])
    if len(months) < 12:  # a few months would make fat bars: show their whole year(s)
        months = _whole_years(months)
        counts = [count for _, count in months]
    slots, gaps = _layout(months, counts)
    total_slots = max(slots) + 1
    width = 100.0 / total_slots
    top, step = _scale(peak)
    bar_width = _pct(width * 0.8)
    bars: list[Context] = []
    for (label, count), slot in zip(months, slots, strict=True):
        if slot < 0 or count == 0:
            continue
        height = max(count / top * plot_height, 1.5)
        bars.append(
            {
                "x": _pct(slot * width + width * 0.1),
                "w": bar_width,
                "y": f"{plot_height - height:.1f}",
                "h": f"{height:.1f}",
                "title": f"{month_title(label)}: {count:,} cable{'' if count == 1 else 's'}",
            }
        )
    gap_views = [
        {
            "x": _pct(start * width),
            "w": _pct(GAP_SLOTS * width),
            "mid": _pct((start + GAP_SLOTS / 2) * width),
            "mid_left": _pct((start + GAP_SLOTS / 2) * width - 0.35),
            "mid_right": _pct((start + GAP_SLOTS / 2) * width + 0.35),
            "label": label,
        }
        for start, label in gaps
    ]
    grid = [
        {
            "y": f"{plot_height - value / top * plot_height:.1f}",
            "text_y": f"{plot_height - value / top * plot_height + 4:.1f}",
            "label": f"{value:,}",
        }
        for value in range(step, top + 1, step)
    ]
    total = sum(counts)
    busiest = [label for label, count in months if count == peak]
    if len(busiest) == 1:
        peak_text = f"busiest month {month_title(busiest[0])} ({peak:,})"
    else:
        peak_text = f"at most {peak:,} in a month ({len(busiest)} months)"
    gap_text = ", ".join(label for _, label in gaps)
    span = f"from {first} to {last}" if first != last else f"in {first}"
    counted = f"{total:,} cable{'' if total == 1 else 's'} {span}"
    description = (
        (f"{counted}." if len(bars) == 1 else f"{counted}; {peak_text}.")
        + (f" Stretches without cables are left out: {gap_text}." if gaps else "")
    )
    caption = (
        (f"{counted}." if len(bars) == 1 else f"{counted}; {peak_text}.")
        + (" A break (//) on the axis marks a year or more without cables." if gaps else "")
    )
    return {
        "plot_height": plot_height,
        "height": plot_height + 24,
        "label_y": plot_height + 18,
        "bars": bars,
        "gaps": gap_views,
        "grid": grid,
        "years": _year_labels(months, slots, gaps, width),
        "total": total,
        "max": peak,
        "first": first,
        "last": last,
        "title": f"Cables per month, {first} to {last}" if first != last else f"Cables, {first}",
        "description": description,
        "caption": caption,
    }


def _whole_years(months: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The months of every year that `months` touches, January to December, zeros added."""
    counts = dict(months)
    years = range(int(months[0][0][:4]), int(months[-1][0][:4]) + 1)
    return [
        (label, counts.get(label, 0))
        for year in years
        for label in (f"{year:04d}-{month:02d}" for month in range(1, 13))
    ]


def _layout(
    months: Sequence[tuple[str, int]], counts: Sequence[int]
) -> tuple[list[int], list[tuple[int, str]]]:
    """The slot of each month (-1: inside a collapsed gap) and the gaps (first slot, months).

    A run of at least GAP_MONTHS months without a cable becomes a gap of
    GAP_SLOTS slots, named 'Jan 1967–Nov 1972', or '1967–1971' for whole years.
    `counts` are the months' counts, in the same order.
    """
    slots: list[int] = []
    gaps: list[tuple[int, str]] = []
    position = 0
    index = 0
    end = len(counts)
    while index < end:
        if counts[index]:
            slots.append(position)
            position += 1
            index += 1
            continue
        run_end = index + 1
        while run_end < end and counts[run_end] == 0:
            run_end += 1
        length = run_end - index
        if length >= GAP_MONTHS:
            gaps.append((position, _span_name(months[index][0], months[run_end - 1][0])))
            slots.extend([-1] * length)
            position += GAP_SLOTS
        else:
            slots.extend(range(position, position + length))
            position += length
        index = run_end
    return slots, gaps


def _span_name(first: str, last: str) -> str:
    """'1967–1971' for whole years, else 'Mar 2001–Jun 2002'."""
    if first.endswith("-01") and last.endswith("-12"):
        return first[:4] if first[:4] == last[:4] else f"{first[:4]}–{last[:4]}"
    return f"{_short_month(first)}–{_short_month(last)}"


def _short_month(label: str) -> str:
    return f"{MONTHS[int(label[5:7]) - 1][:3]} {label[:4]}"


def _scale(peak: int) -> tuple[int, int]:
    """(top of the scale, grid step): at most four round grid lines, the top one >= peak."""
    rough = max(peak / 4, 1)
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    step = max(int(step), 1)
    return step * math.ceil(peak / step), step


def _year_labels(
    months: Sequence[tuple[str, int]], slots: Sequence[int], gaps: Sequence[tuple[int, str]],
    width: float,
) -> list[Context]:
    """Year labels that never overlap: the first year after each gap first, then round years."""
    starts: dict[str, int] = {}
    for (label, _), slot in zip(months, slots, strict=True):
        if slot >= 0:
            starts.setdefault(label[:4], slot)
    after_gap = {slot for slot, _ in gaps} | {0}
    gap_ends = {slot + GAP_SLOTS for slot, _ in gaps}

    def priority(item: tuple[str, int]) -> tuple[int, int]:
        year, slot = item
        rank = 0 if slot in after_gap or slot in gap_ends else next(
            n for n, m in enumerate((10, 5, 2, 1), start=1) if int(year) % m == 0
        )
        return rank, slot

    chosen: list[tuple[float, str, bool]] = []
    ranked = sorted(starts.items(), key=priority)
    for spacing, minor in ((LABEL_SPACING, False), (MINOR_SPACING, True)):
        for year, slot in ranked:
            x = slot * width
            if x <= LABEL_LAST and all(abs(x - other) >= spacing for other, _, _ in chosen):
                chosen.append((x, year, minor))
    return [{"x": _pct(x), "label": year, "minor": minor} for x, year, minor in sorted(chosen)]


def _pct(value: float) -> str:
    return f"{value:.3f}%"


def tag_groups(rows: Iterable[Context]) -> list[Context]:
    """Tag rows (each with its 'kind') in the sections of TAG_KINDS, in the rows' own order."""
    by_kind: dict[str, list[Context]] = {}
    known = {kind for kind, _, _ in TAG_KINDS}
    for row in rows:
        kind = row.get("kind") if row.get("kind") in known else "unknown"
        by_kind.setdefault(str(kind), []).append(row)
    return [
        {
            "id": f"kind-{kind}",
            "title": title,
            "note": note,
            "count": len(by_kind[kind]),
            "terms": by_kind[kind],
        }
        for kind, title, note in TAG_KINDS
        if kind in by_kind
    ]


def letter_groups(rows: Iterable[Context]) -> list[Context]:
    """Rows under the first letter of their name ('#' for digits and signs), in the rows' order."""
    groups: dict[str, list[Context]] = {}
    for row in rows:
        initial = str(row["name"])[:1].upper()
        letter = initial if "A" <= initial <= "Z" else "#"
        groups.setdefault(letter, []).append(row)
    return [
        {"id": "letter-other" if letter == "#" else f"letter-{letter.lower()}",
         "title": letter, "note": None, "count": len(terms), "terms": terms}
        for letter, terms in groups.items()
    ]  # fmt: skip


def level_view(name: str | None) -> Mapping[str, object]:
    """{'level': 's', 'noforn': True} for a classification, for the badge classes of a template."""
    level, noforn = classification_level(name)
    return {"level": level, "noforn": noforn}
