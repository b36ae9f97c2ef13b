"""Everything that touches Jinja: find the theme, build a strict environment, render a Page.

The theme chain is an ordered list of template folders: the archive's own
templates/ first, then the chosen theme, then the default theme shipped in
the wheel. A template of the archive overrides the theme's by name and can
extend it as "theme/NAME" (the chosen theme) or "default/NAME". Static
folders chain the same way (the archive's static/ wins).
"""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import markupsafe

from generator.config import SiteConfig
from generator.errors import ThemeError
from generator.pages import PageSpec
from generator.render_cache import FragmentCache
from generator.render_jinja import ViewEnvironment, escape_output
from generator.render_markdown import make_markdown, render_markdown
from generator.render_plain import render_body
from generator.render_theme import Theme, load_theme

__all__ = [
    "PAGE_TEMPLATES",
    "Page",
    "Theme",
    "escape_output",
    "load_theme",
    "make_environment",
    "make_markdown",
    "render_body",
    "render_markdown",
    "render_page",
    "template_digests",
]

PACKAGE_DIR = Path(__file__).resolve().parent
# The page templates of a theme (style.md, convention 8); the build compiles them all up front.
PAGE_TEMPLATES = (
    "home.html",
    "cable.html",
    "term.html",
    "terms.html",
    "dates.html",
    "feed.xml",
    "404.html",
    "robots.txt",
    "sitemap.xml",
    "sitemap-index.xml",
    "search.html",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class Page:
    """One output file ready to render: its URL, where it goes, its template and its context."""

    url: str
    output_path: str  # relative to the output folder: 'tag/prel/index.html'
    template: str
    context: Mapping[str, object] = field(default_factory=dict)


def make_environment(theme: Theme, config: SiteConfig) -> jinja2.Environment:
    """A strict, autoescaping environment with cablesite's filters."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
            jinja2.PrefixLoader(
                {
                    "theme": jinja2.FileSystemLoader([str(d) for d in theme.theme_dirs]),
                    "default": jinja2.FileSystemLoader([str(d) for d in theme.default_dirs]),
                }
            ),
        ]
    )
    env = ViewEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )
    base_path, base_url = config.base_path, config.base_url
    # `absolute` takes a link as `url` wrote it ('/cables/tag/' below base_url
    # 'https://example.org/cables') and adds only the scheme and host
    origin = base_url[: len(base_url) - len(base_path)]
    filters: dict[str, Callable[..., object]] = {
        "url": lambda url: f"{base_path}{url}",
        "absolute": lambda url: f"{origin}{url}" if base_url else url,
        "date": format_date,
        "datetime": format_datetime,
        "isodate": lambda value: value.isoformat() if value else "",
        "atomdate": format_atom,
        "number": lambda value: f"{value:,}",
        "pre_text": pre_text,
        "cached": FragmentCache().cached,
        "nav_here": nav_here,
    }
    env.filters.update(filters)
    return env


def nav_here(nav: Sequence[Mapping[str, Any]], page_url: str) -> tuple[tuple[bool, bool], ...]:
    """Where a page sits in the navigation: (under the item's URL, at it) for each item.

    All that the site header shows of the page, so base.html draws the header
    once per value (a `cached` key): ((True, True), (False, False), ...) on '/tag/'.
    """
    return tuple((page_url.startswith(item["url"]), page_url == item["url"]) for item in nav)


def pre_text(text: str) -> markupsafe.Markup:
    """Text for a <pre> exactly as received: escaped, a leading newline kept, CRs as &#13;.

    An HTML parser drops one newline right after <pre> and turns CR LF into LF;
    the extra newline and the character references keep the original intact.
    """
    escaped = escape_output(text)
    if "\r" in escaped:  # a memchr; replace would scan a non-ASCII text several times slower
        escaped = escaped.replace("\r", "&#13;")
    return markupsafe.Markup("\n" + escaped)


def format_date(value: date | datetime | None) -> str:
    """'10 November 2009'; '' for no date."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """'10 November 2009, 16:42 UTC'."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return f"{format_date(value)}, {value:%H:%M} UTC"
    # the fields, not strftime (7 us a call, twice per cable page)
    return f"{format_date(value)}, {value.hour:02d}:{value.minute:02d} UTC"


def format_atom(value: date | datetime) -> str:
    """'2009-11-10T16:42:00Z', as strftime('%Y-%m-%dT%H:%M:%SZ') writes it (20 per feed)."""
    if type(value) is datetime and value.year >= 1000:  # strftime writes year 966 as '966'
        return (
            f"{value.year}-{value.month:02d}-{value.day:02d}"
            f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}Z"
        )
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_CONTROLS = tuple(chr(code) for code in (*range(9), 11, 12, *range(14, 32)))
_XML_CONTROL_BYTES = "".join(_XML_CONTROLS).encode("ascii")


def xml_bytes(text: str) -> bytes:
    """The UTF-8 of an XML file, with what XML 1.0 cannot carry even escaped as U+FFFD.

    A form feed in one subject would make a whole feed unreadable, so control
    characters, surrogates and U+FFFE/U+FFFF become U+FFFD (the HTML page
    keeps them). Almost no feed has any, and looking for them with the
    regular expression cost ~60 instructions a character, more than drawing
    the feed: an ASCII text is searched for each control character (memchr),
    any other in its UTF-8 (controls deleted by translate; surrogates, U+FFFE
    and U+FFFF all start with 0xED or EF BF BE/BF). Only a text that has one
    goes through the regular expression.
    """
    if text.isascii():
        if not any(control in text for control in _XML_CONTROLS):
            return text.encode("ascii")
    else:
        data = text.encode("utf-8", "surrogatepass")
        if (
            len(data.translate(None, _XML_CONTROL_BYTES)) == len(data)
            and b"\xed" not in data
            and b"\xef\xbf\xbe" not in data
            and b"\xef\xbf\xbf" not in data
        ):
            return data
    return _NOT_XML.sub("\ufffd", text).encode("utf-8", "surrogatepass")


def render_page(env: jinja2.Environment, page: Page) -> bytes:
    """Render one page to UTF-8 bytes; ThemeError naming the template file and line on failure."""
    template = load_template(env, page.template, page.url)
    try:
        text = template.render(page.context)
        if page.output_path.endswith(".xml"):
            return xml_bytes(text)
        return text.encode("utf-8", "surrogatepass")
    except jinja2.TemplateSyntaxError as exc:  # a template included at render time
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise ThemeError(f"{where}: template syntax error: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise ThemeError(f"template {exc.name!r} not found for {page.url}") from exc
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise ThemeError(
            f"{_template_location(exc, env)}: {type(exc).__name__}: {exc} (rendering {page.url})"
        ) from exc


def load_template(env: jinja2.Environment, name: str, purpose: str = "") -> jinja2.Template:
    """The compiled template; ThemeError naming the file and line of a syntax error."""
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise ThemeError(f"{where}: template syntax error: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        needed = f" for {purpose}" if purpose else ""
        raise ThemeError(f"template {exc.name!r} not found{needed}") from exc


def _template_location(exc: BaseException, env: jinja2.Environment) -> str:
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2"))
    ]
    if frames:
        return f"{frames[-1].filename}:{frames[-1].lineno}"
    return "template"


def template_digests(env: jinja2.Environment, names: set[str]) -> dict[str, bytes]:
    """For each page template, a digest of its source and every template it uses.

    Found by following extends/include/import statically; a template that
    names another dynamically depends on all templates. A change to base.html
    thus re-renders every page; a change to feed.xml only the feeds.
    """
    loader = env.loader
    assert loader is not None
    sources: dict[str, tuple[str, str | None]] = {}

    def source(name: str) -> tuple[str, str | None]:
        if name not in sources:
            try:
                text, filename, _ = loader.get_source(env, name)
            except jinja2.TemplateNotFound as exc:
                raise ThemeError(f"template {name!r} not found; looked in the theme chain") from exc
            sources[name] = (text, filename)
        return sources[name]

    def closure(name: str) -> set[str] | None:
        seen: set[str] = set()
        stack = [name]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            text, filename = source(current)
            try:
                refs = list(
                    jinja2.meta.find_referenced_templates(env.parse(text, current, filename))
                )
            except jinja2.TemplateSyntaxError as exc:
                raise ThemeError(
                    f"{filename or current}:{exc.lineno}: template syntax error: {exc.message}"
                ) from exc
            if any(ref is None for ref in refs):
                return None
            stack.extend(ref for ref in refs if ref is not None)
        return seen

    every = sorted(loader.list_templates())
    digests: dict[str, bytes] = {}
    for name in sorted(names):
        used = closure(name)
        members = sorted(used) if used is not None else every
        hasher = hashlib.blake2b(digest_size=16)
        for member in members:
            text, _ = source(member)
            hasher.update(member.encode() + b"\0" + text.encode("utf-8", "surrogatepass") + b"\0")
        digests[name] = hasher.digest()
    return digests


def page_from_spec(spec: PageSpec, context: Mapping[str, Any]) -> Page:
    """The renderable Page for a planned page and its context."""
    return Page(url=spec.url, output_path=spec.relpath, template=spec.template, context=context)
