"""What a source says about a cable outside the telegram (RawCable.metadata); the release's labels.

The importer hands over metadata as text, exactly as the source wrote it:

    created   '2009-11-10 16:42:00' (web page), '2007-09-11 09:09' (2010 HTML page),
              '12/28/1966 18:48' or '2/25/1972 9:30' (cables.csv),
              'Wed Nov 20 00:00:00 +0100 2002' (five-line text files)
    released  '2011-03-14 06:06'
    classification, origin  the release's labels ('CONFIDENTIAL', 'Embassy Rome')

When the source has none (a bare telegram), classification and origin are
derived the way the release labelled cables: from the banner and caveat lines,
and from the post of the id (post-variants.yaml, origin_label).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from types import MappingProxyType

from generator.reference import ReferenceTables

_MONTHS = MappingProxyType(
    {
        m: i
        for i, m in enumerate(
            ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
            start=1,
        )
    }
)
_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d\d)(?::(?P<S>\d\d))?)?"
)
_US = re.compile(
    r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d\d)(?::(?P<S>\d\d))?)?"
)
# Ruby's Time#to_s: 'Wed Nov 20 00:00:00 +0100 2002'
_RUBY = re.compile(
    r"^(?:[A-Za-z]{3}[ \t]+)?(?P<mon>[A-Za-z]{3})[ \t]+(?P<d>\d{1,2})[ \t]+"
    r"(?P<H>\d{1,2}):(?P<M>\d\d)(?::(?P<S>\d\d))?"
    r"(?:[ \t]+(?:[+-]\d{4}|[A-Z]{3,4}))?[ \t]+(?P<y>\d{4})$"
)
RELEASE_CLASSIFICATIONS = (
    "UNCLASSIFIED",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    "CONFIDENTIAL",
    "CONFIDENTIAL//NOFORN",
    "SECRET",
    "SECRET//NOFORN",
)


def parse_source_time(text: str) -> datetime | None:
    """A creation or release time as a source writes it -> naive datetime (wall clock as printed).

    '2009-11-10 16:42:00', '2007-09-11 09:09', '12/28/1966 18:48', '2/25/1972 9:30',
    'Wed Nov 20 00:00:00 +0100 2002' (the timezone suffix is ignored, as the
    corpus convention records the value as printed). None when unreadable.
    """
    value = " ".join(text.split())
    if not value:
        return None
    match = _ISO.match(value) or _US.match(value)
    month: int | None
    if match is not None:
        month = int(match["m"])
    else:
        match = _RUBY.match(value)
        if match is None:
            return None
        month = _MONTHS.get(match["mon"].upper())
        if month is None:
            return None
    try:
        return datetime(
            int(match["y"]),
            month,
            int(match["d"]),
            int(match["H"] or 0),
            int(match["M"] or 0),
        )
    except ValueError:
        return None


def parse_source_date(text: str) -> date | None:
    moment = parse_source_time(text)
    return moment.date() if moment is not None else None


def classification_from_banner(
    banner_classification: str | None, caveats: Iterable[str]
) -> str | None:
    """The release's label for a cable known only by its banner and caveat lines.

    'UNCLAS' + a SENSITIVE line -> 'UNCLASSIFIED//FOR OFFICIAL USE ONLY' (as the
    release labels SBU cables, 09UNVIEVIENNA279); CONFIDENTIAL or SECRET + a
    NOFORN line -> '…//NOFORN'; LIMITED OFFICIAL USE, the older State marking
    for the same handling, -> 'UNCLASSIFIED//FOR OFFICIAL USE ONLY'.
    """
    if banner_classification is None:
        return None
    marks = set(caveats)
    if banner_classification == "LIMITED OFFICIAL USE":
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    if banner_classification == "UNCLASSIFIED":
        sensitive = marks & {
            "SENSITIVE",
            "SENSITIVE BUT UNCLASSIFIED",
            "FOR OFFICIAL USE ONLY",
            "FOUO",
        }
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY" if sensitive else "UNCLASSIFIED"
    if "NOFORN" in marks:
        return f"{banner_classification}//NOFORN"
    return banner_classification


def normalise_classification(text: str) -> str:
    """A metadata classification as the release writes it ('confidential' -> 'CONFIDENTIAL')."""
    value = " ".join(text.split())
    upper = value.upper()
    return upper if upper in RELEASE_CLASSIFICATIONS else value


def origin_of(cable_id: str, tables: ReferenceTables, sender: str | None = None) -> str | None:
    """The release's Origin label: that of the sending post ('FM AMEMBASSY ROME' -> 'Embassy Rome').

    The release labels a cable by its FM line, which can differ from the post
    of the id: 10BRUSSELS186 is 'FM USEU BRUSSELS', labelled 'USEU Brussels'.
    The labels come from post-variants.yaml; where the FM line calls a post an
    embassy and the table a consulate, or the reverse (Astana became an
    embassy, Lagos a consulate), the FM line wins: 'FM AMEMBASSY ASTANA' ->
    'Embassy Astana'. Without a readable FM line, the post of the id decides
    ('09ROME1240' -> 'Embassy Rome').
    """
    id_post = cable_id[2:].rstrip("0123456789")
    words = sender.split() if sender else []
    kind = _SENDER_KINDS.get(words[0]) if words else None
    place = words[1:] if kind is not None else words
    candidates = tables.post_candidates(post_token("".join(place))) if place else ()
    post = id_post if id_post in candidates else (candidates[0] if candidates else id_post)
    info = tables.posts.get(post)
    label = info.origin_label if info is not None else None
    if kind is None or not candidates:
        return label
    if info is not None and label is not None and _TYPE_OF_KIND[kind] == info.type:
        return label
    return f"{kind} " + " ".join(word.capitalize() for word in place)


def post_token(text: str) -> str:
    """A post name as an id writes it: 'SAO PAULO' -> 'SAOPAULO', 'USMISSION USNATO' -> 'USNATO'."""
    token = _POST_PUNCTUATION.sub("", text.upper())
    for prefix in _POST_PREFIXES:
        if token.startswith(prefix) and len(token) > len(prefix):
            return token[len(prefix) :]
    return token


_POST_PUNCTUATION = re.compile(r"[\s'’.-]")
_POST_PREFIXES = ("AMEMBASSY", "EMBASSY", "USMISSION", "AMCONSUL")
_SENDER_KINDS = MappingProxyType(
    {
        "AMEMBASSY": "Embassy",
        "EMBASSY": "Embassy",
        "AMCONSUL": "Consulate",
        "AMCONSULATE": "Consulate",
        "CONSULATE": "Consulate",
    }
)
_TYPE_OF_KIND = MappingProxyType({"Embassy": "embassy", "Consulate": "consulate"})
