"""Slugs, permalink patterns, and site URL -> output path.

Site URLs start with '/' and are relative to the site root ('/tag/prel/');
the configured base path is added only when a link is written. `output_path`
is the one gate between a URL and the file system: it refuses anything that
would leave the output folder, whatever a cable id or term name contains.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from generator.config import Permalinks
from generator.errors import BuildError

SLUG_MAX = 80
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{n}" for n in range(10)] + [f"lpt{n}" for n in range(10)]
)
INDEX_FILE = "index.html"


def slugify(text: str) -> str:
    """Lower case, runs of anything but letters and digits become one '-' (design.md).

    Accents are dropped ('Bogotá' -> 'bogota'); other non-ASCII letters are not
    letters of a URL here, so 'Mосква' with a Cyrillic М never passes for
    'moskva'. An empty result becomes 'x-' plus a short hash of the text, and a
    long one is cut to 80 characters plus a hash, so every slug is a safe,
    short file name: 'SECSTATE WASHDC' -> 'secstate-washdc'.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_ALNUM.sub("-", ascii_text).strip("-")
    if not slug:
        return f"x-{short_hash(text)}"
    if len(slug) > SLUG_MAX or slug in _WINDOWS_RESERVED:
        return f"{slug[:SLUG_MAX].rstrip('-')}-{short_hash(text)}"
    return slug


_CLEAN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_clean_slug(slug: str) -> bool:
    """Whether slug could come from slugify: 'prel', 'prel-4fd62b'; not '../x', 'CON', 'con'."""
    return (
        len(slug) <= 2 * SLUG_MAX
        and _CLEAN_SLUG.fullmatch(slug) is not None
        and slug not in _WINDOWS_RESERVED
    )


def short_hash(text: str) -> str:
    """Six hex digits telling apart names whose slugs collide ('ROME', 'Rome ')."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:6]


def fill_pattern(pattern: str, **values: str) -> str:
    """Put values into a permalink pattern: ('/tag/{slug}/', slug='prel') -> '/tag/prel/'."""
    url = pattern
    for key, value in values.items():
        url = url.replace("{" + key + "}", value)
    return url


def cable_url(
    permalinks: Permalinks, cable_id: str, created: datetime | None, *, json: bool = False
) -> str:
    """'/cable/2009/11/09ROME1240.html' (the 2010 site's scheme); undated cables go to 0000/00."""
    year, month = (f"{created.year:04d}", f"{created.month:02d}") if created else ("0000", "00")
    pattern = permalinks.cable_json if json else permalinks.cable
    return fill_pattern(pattern, year=year, month=month, id=cable_id)


def term_url(pattern: str, page_number: int = 1, **values: str) -> str:
    """URL of one index term page: '/tag/prel/', then '/tag/prel/page/2/'."""
    base = fill_pattern(pattern, **values)
    return base if page_number == 1 else f"{base}page/{page_number}/"


def listing_url(pattern: str) -> str:
    """The page of all terms of an index: the folder above the first placeholder ('/tag/')."""
    head = pattern.split("{", 1)[0]
    return head[: head.rstrip("/").rfind("/") + 1] if not head.endswith("/") else head


def feed_url(folder_url: str) -> str:
    """The Atom feed inside a folder: '/tag/prel/' -> '/tag/prel/feed.xml'."""
    return f"{folder_url}feed.xml"


_CLEAN_URL = re.compile(
    r"/(?:[A-Za-z0-9][A-Za-z0-9._-]{0,199}/)*(?:[A-Za-z0-9][A-Za-z0-9._-]{0,199})?"
)
_RESERVED_SEGMENT = re.compile(
    r"(?:^|/)(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:[./]|$)", re.IGNORECASE
)
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")


def output_relpath(url: str) -> str:
    """The file a site URL is written to, relative to the output folder, as a POSIX path.

    '/tag/prel/' -> 'tag/prel/index.html'; '/cable/2009/11/09ROME1240.html' is
    kept. Raises BuildError for anything that is not a plain path below the root:
    '..', '.', backslashes, NUL, empty segments, segments starting with a dot,
    or names no file system accepts (one regular expression, as this runs for
    every one of 600,000 pages).
    """
    if (
        _CLEAN_URL.fullmatch(url) is None
        or _RESERVED_SEGMENT.search(url)
        or _DOT_SEGMENT.search(url)
    ):
        raise BuildError(f"refusing to write URL {url[:120]!r}: not a clean site path")
    relative = url[1:]
    return relative + INDEX_FILE if relative == "" or relative.endswith("/") else relative


def output_path(url: str, out_dir: Path) -> Path:
    """The file under out_dir a site URL is written to; BuildError if it would leave out_dir."""
    relative = output_relpath(url)
    path = out_dir / relative
    root = out_dir.resolve()
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise BuildError(f"refusing to write URL {url!r}: {resolved} is outside {root}")
    return path


def url_of_relpath(relative: str) -> str:
    """The site URL served for an output file: 'tag/prel/index.html' -> '/tag/prel/'."""
    if relative == INDEX_FILE:
        return "/"
    if relative.endswith("/" + INDEX_FILE):
        return "/" + relative[: -len(INDEX_FILE)]
    return "/" + relative
