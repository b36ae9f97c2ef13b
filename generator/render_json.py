"""The JSON twin of a cable page: json.dumps(sort_keys, indent=2, ensure_ascii=False), faster.

With `indent`, the standard library encodes in pure Python (its C encoder
only does compact output), about 0.2 ms for one cable's front matter, which
is a tenth of the CPU time of a cable page and its twin. Front matter is
strings, numbers, None and lists and mappings of them, and for that shape
`to_json` writes the same bytes with the C string encoder and a few joins.
Any other value (a float, a date, a key that is not a string: only a
hand-written `extra` key can hold one) goes to json.dumps itself, so the
output and the errors are always the standard library's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import cast

_CONSTANTS: dict[bool | None, str] = {None: "null", True: "true", False: "false"}
_string: Callable[[str], str] = encode_basestring  # the C encoder json.dumps uses


class _NotPlain(Exception):
    """A value json.dumps formats with rules this module does not copy."""


def to_json(data: dict[str, object]) -> str:
    """json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + '\\n'."""
    try:
        return _dict(data, "\n") + "\n"
    except _NotPlain:
        return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def _value(value: object, newline: str) -> str:
    kind = type(value)
    if kind is str:
        return _string(cast(str, value))
    if value is None or kind is bool:
        return _CONSTANTS[cast(bool | None, value)]
    if kind is int:
        return int.__repr__(cast(int, value))
    if kind is list:
        return _list(cast(list[object], value), newline)
    if kind is dict:
        return _dict(cast(dict[str, object], value), newline)
    raise _NotPlain


def _list(items: list[object], newline: str) -> str:
    if not items:
        return "[]"
    inner = newline + "  "
    string = _string
    parts = [string(v) if type(v) is str else _value(v, inner) for v in items]
    return "[" + inner + ("," + inner).join(parts) + newline + "]"


def _dict(mapping: dict[str, object], newline: str) -> str:
    if not mapping:
        return "{}"
    inner = newline + "  "
    for key in mapping:
        if type(key) is not str:
            raise _NotPlain  # json.dumps turns such keys into strings, or refuses them
    # most values are strings or None: written here, without a call to _value each
    string = _string
    parts = []
    for key in sorted(mapping):
        value = mapping[key]
        if type(value) is str:
            parts.append(f"{string(key)}: {string(value)}")
        elif value is None:
            parts.append(f"{string(key)}: null")
        else:
            parts.append(f"{string(key)}: {_value(value, inner)}")
    return "{" + inner + ("," + inner).join(parts) + newline + "}"
