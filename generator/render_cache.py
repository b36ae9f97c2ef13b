"""The `cached` filter: a fragment rendered once per build and process, by key.

The line of a cable in a list is the same on every page that lists the
cable: its tag, post, addressee, classification, year and month pages, and
the cited-by list of each cable that cites it, some twenty places in all. A
template names such a fragment by what it shows and hands the macro that
draws it to the filter:

    {{ ("cable-row", cable.id, show_post)|cached(cable_item, cable, show_post) }}

The first time a key is met the macro is called with the arguments; later
the filter returns the same text (a dict lookup: a filter is called
directly, without the work Jinja does for a `call` block). The template,
not the code, says what is cached, so a theme that overrides the list
without the filter renders every line.

The cache belongs to one Jinja environment, and a build makes a new
environment, so a fragment never outlives the data of the build that drew
it. The key must name everything the fragment shows that can differ between
two pages (within one build, the row of a cable is the same for one id).
Memory is bounded: past MAX_CHARACTERS of cached text the cache starts
again empty, so an archive of any size costs at most a few tens of MB per
render process.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

MAX_CHARACTERS = 32_000_000  # about 90,000 lines of a cable list


class FragmentCache:
    """The fragments of one environment, by key; emptied when it grows past its bound."""

    def __init__(self, max_characters: int = MAX_CHARACTERS) -> None:
        self.fragments: dict[Hashable, str] = {}
        self.characters = 0
        self.max_characters = max_characters

    def cached(self, key: Hashable, render: Callable[..., str], *args: object) -> str:
        """The `cached` filter: render(*args) the first time `key` is met, then the same text."""
        found = self.fragments.get(key)
        if found is not None:
            return found
        text = render(*args)
        if self.characters + len(text) > self.max_characters:
            self.fragments.clear()
            self.characters = 0
        self.fragments[key] = text
        self.characters += len(text)
        return text
