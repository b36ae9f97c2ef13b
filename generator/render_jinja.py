"""The Jinja environment class of cablesite: same templates, same text, less work per page.

Three changes to how Jinja runs a template, none to what it writes:

- ViewEnvironment.getattr reads `row.url` from a view dict without an exception;
- escape_output escapes `{{ ... }}` output without making a Markup per value;
- a template's globals are a dict, not a ChainMap read key by key in Python.

tests/test_render_escape.py renders templates with each feature of Jinja
through this environment and through a plain one and compares the text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
import markupsafe

_DICT_ATTRIBUTES = frozenset(dir(dict))
# markupsafe's own escaping of a str, without the Markup that escape() wraps it in
# (markupsafe 3; 2.x has no such function and takes the slower way)
_escape_text: Callable[[str], str] = getattr(
    markupsafe, "_escape_inner", lambda text: str(markupsafe.escape(text))
)


def escape_output(value: object) -> str:
    """What `{{ value }}` writes in an autoescaped template: markupsafe.escape's text, as str.

    Jinja compiles each `{{ ... }}` of an autoescaped template to
    `escape(value)`, and that name is used nowhere else: the result is
    yielded or put in a buffer that is joined into a str at once. So a plain
    str serves as well as the Markup that markupsafe.escape makes, which
    cost a Python-level Markup.__new__ for each of the ~75 values of a page
    (markupsafe.escape ~1.6 us a value, this ~0.3). A value with __html__
    (Markup, a macro's output, a `cached` fragment) is written as it says.
    """
    if type(value) is str:
        return _escape_text(value)
    if type(value) is markupsafe.Markup:  # a macro's output, a `cached` fragment: itself
        return value
    html = getattr(value, "__html__", None)
    if html is not None:
        text = html()
        return text if isinstance(text, str) else str(text)
    return _escape_text(str(value))


class ViewTemplate(jinja2.Template):
    """A template whose `{{ ... }}` output is escaped by escape_output (same text, less work).

    Its globals are copied into a dict when it is loaded: globals set on the
    environment later are not seen (cablesite sets none; Jinja asks for
    globals to be set before templates load).
    """

    @classmethod
    def _from_namespace(
        cls,
        environment: jinja2.Environment,
        namespace: Any,
        globals: Any,
    ) -> jinja2.Template:
        # the compiled module's functions (root, blocks, macros) look `escape` up here
        namespace["escape"] = escape_output
        # Jinja layers a template's globals over the environment's in a ChainMap, which
        # each render copies and each `{% from %}` lists, key by key in Python; cablesite
        # sets no globals after making the environment, so a dict holds the same
        return super()._from_namespace(environment, namespace, dict(globals))


class ViewEnvironment(jinja2.Environment):
    """A Jinja environment that reads `row.url` from a view dict without an exception.

    Templates read plain dicts from pages_context (`cable.url`). Jinja's
    getattr tries the Python attribute first, and for a dict that raises and
    catches an AttributeError before it looks up the key: about a microsecond,
    some 200 times per page. Here a dict's key is looked up first, unless the
    name is one of dict's own attributes (`items`, `keys`...), so every
    template means exactly what it meant before.
    """

    template_class = ViewTemplate

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)
