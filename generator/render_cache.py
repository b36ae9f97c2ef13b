"""`{% cache key, ... %}...{% endcache %}`: a fragment rendered once per build and process.

The line of a cable in a list is the same on every page that lists the
cable: its tag, post, addressee, classification, year and month pages, and
the cited-by list of each cable that cites it, some twenty places in all. A
template wraps such a fragment in a cache block keyed by what it shows
(`{% cache "cable-row", cable.id, show_post %}`), and the block is rendered
the first time the key is met; later it is a dict lookup. The template, not
the code, says what is cached, so a theme that overrides the macro without
the block simply renders every line.

The cache belongs to one Jinja environment, and a build makes a new
environment, so a fragment never outlives the data of the build that drew
it. The key must name everything the block shows that can differ between
two pages (here the row of a cable is the same in one build for one id).
Memory is bounded: past MAX_CHARACTERS of cached text the cache starts
again empty, so an archive of any size costs at most a few tens of MB per
render process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup

MAX_CHARACTERS = 32_000_000  # about 90,000 rows of a cable list


class FragmentCache:
    """The fragments of one environment, by key; emptied when it grows past its bound."""

    def __init__(self, max_characters: int = MAX_CHARACTERS) -> None:
        self.fragments: dict[tuple[object, ...], Markup | str] = {}
        self.characters = 0
        self.max_characters = max_characters
        self.hits = 0

    def get(self, key: tuple[object, ...], render: Callable[[], Markup | str]) -> Markup | str:
        found = self.fragments.get(key)
        if found is not None:
            self.hits += 1
            return found
        text = render()
        if self.characters + len(text) > self.max_characters:
            self.fragments.clear()
            self.characters = 0
        self.fragments[key] = text
        self.characters += len(text)
        return text


class FragmentCacheExtension(Extension):
    """The `cache` tag (see the module docstring); the cache is `environment.fragment_cache`."""

    tags = {"cache"}  # noqa: RUF012 (the type Extension gives it)

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        environment.extend(fragment_cache=FragmentCache())

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        parts = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            parts.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        call = self.call_method("_cached", [nodes.Tuple(parts, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _cached(self, key: tuple[object, ...], caller: Callable[[], Markup | str]) -> Any:
        cache: FragmentCache = self.environment.fragment_cache  # type: ignore[attr-defined]
        return cache.get(key, caller)
