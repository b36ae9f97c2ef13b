"""Pagination of a term's cables: pages of at most page_size, bucketed by date.

A term's cables are in date order. Page boundaries fall on years and months
where they can (see `paginate`), so adding one cable to PREL changes the
pages of its own year or month, not all 600 pages of the tag.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from generator.site import Site, Term
from generator.urls import term_url

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class PageSlice(NamedTuple):
    """One page of a term: cable_ids[start:stop], with a label such as 'Nov 2009' or '1975–1989'."""

    start: int
    stop: int
    label: str
    url: str


def paginate(site: Site, term: Term) -> list[PageSlice]:
    """Split a term's cables (date order) into pages of at most page_size, bucketed by date.

    A term that fits on one page has one page. Otherwise each year is a bucket;
    a year with more than page_size cables is split into months, and a month
    with more than page_size into runs of page_size. Neighbouring small buckets
    share a page while they fit. Adding a cable therefore changes the pages of
    its own year or month (and rarely the packing of its neighbours), never the
    whole index. Page 1 is the earliest.
    """
    size = site.config.page_size
    ids = term.cable_ids
    cables = site.cables
    created = [cables[cable_id].created for cable_id in ids]
    if len(ids) <= size:
        return [PageSlice(0, len(ids), _label(created, 0, len(ids)), term.url)]
    years = [d.year if d else 0 for d in created]
    buckets: list[tuple[int, int, bool]] = []  # (start, stop, may share a page)
    for year_start, year_stop in _runs(years, 0, len(ids)):
        if year_stop - year_start <= size:
            buckets.append((year_start, year_stop, True))
            continue
        months = [d.month if d else 0 for d in created[year_start:year_stop]]
        for month_start, month_stop in _runs(months, 0, len(months)):
            month_start += year_start
            month_stop += year_start
            count = month_stop - month_start
            if count <= size:
                buckets.append((month_start, month_stop, True))
            else:
                for chunk in range(month_start, month_stop, size):
                    buckets.append((chunk, min(chunk + size, month_stop), False))
    shareable_ends = {stop for _, stop, shareable in buckets if shareable}
    slices: list[tuple[int, int]] = []
    for start, stop, shareable in buckets:
        if (
            slices
            and shareable
            and stop - slices[-1][0] <= size
            and slices[-1][1] == start
            and slices[-1][1] in shareable_ends
        ):
            slices[-1] = (slices[-1][0], stop)
        else:
            slices.append((start, stop))
    return [
        PageSlice(
            start, stop, _label(created, start, stop), term.url if n == 1 else term_url(term.url, n)
        )
        for n, (start, stop) in enumerate(slices, start=1)
    ]


def _runs(keys: Sequence[int], start: int, stop: int) -> Iterable[tuple[int, int]]:
    """(start, stop) of each run of equal keys in keys[start:stop]."""
    run_start = start
    for position in range(start + 1, stop):
        if keys[position] != keys[run_start]:
            yield run_start, position
            run_start = position
    if run_start < stop:
        yield run_start, stop


def _label(created: Sequence[datetime | None], start: int, stop: int) -> str:
    """'1975–1989', 'Mar–Jun 2009', '2–9 Nov 2009' or '10 Nov 2009' for the dates on one page."""
    dated = [d for d in created[start:stop] if d is not None]
    if not dated:
        return "undated"
    first, last = dated[0], dated[-1]
    if first.year != last.year:
        return f"{first.year}–{last.year}"
    if first.month != last.month:
        return f"{MONTH_ABBR[first.month - 1]}–{MONTH_ABBR[last.month - 1]} {first.year}"
    month = f"{MONTH_ABBR[first.month - 1]} {first.year}"
    if first.day != last.day:
        return f"{first.day}–{last.day} {month}"
    return f"{first.day} {month}"
