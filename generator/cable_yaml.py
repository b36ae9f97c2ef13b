"""Front-matter YAML: written fast (the exact bytes PyYAML writes, without PyYAML), loaded safely.

`yaml.dump` spends about 2 ms on one cable's front matter, mostly in its
pure-Python representer; an import of the 251,287-cable release would spend
minutes there. Front matter has one narrow shape (cable.cable_to_front_matter:
strings, None, whole numbers, lists of strings, flat mappings), so this module
writes it directly, choosing for every string the style PyYAML would choose
(plain, or single-quoted when plain would be read back as something else;
a top-level value with line breaks, such as a summary of several paragraphs,
single-quoted over several lines).

A key whose value is outside that shape — a user's nested keys, a line break
next to a space or inside a list, a control character or a tab, a line long
enough for PyYAML to fold — is written by `yaml.dump` alone, which gives the
same lines it would give inside the whole document. tests/test_cable_yaml.py checks byte
equality with `yaml.dump` on the demo archive and on generated values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode
from yaml.representer import SafeRepresenter
from yaml.resolver import Resolver

from generator.errors import ContentError
from generator.yaml_depth import line_deeper_than

try:  # the C loader is many times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = Resolver()
_MAX_LINE = 9_000  # the dump uses width=10_000; stay well below any folding

# Printable characters that never force double quotes (no breaks, tabs, controls, BOM, NEL)
_QUOTABLE = re.compile(
    "[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe]*"
)
_BLOCK_PLAIN_BAD_START = frozenset("#,[]{}&*!|>'\"%@`")
_FLOW_INDICATORS = re.compile(r"[,?\[\]{}:]| #")
_BLOCK_INDICATORS = re.compile(r": | #|:$")
# Strings that are plain at a glance: a letter first (no number, date, float or
# merge key can start so), no indicator inside, no space at the end. Such a string
# is read back as a string unless it is one of PyYAML's bool and null words
# (resolver.py: 'yes|Yes|YES|no|...|off|Off|OFF', 'null|Null|NULL'), which are quoted.
_SAFE_FLOW = re.compile(r"[A-Za-z](?:[A-Za-z0-9 ._/()'&+-]*[A-Za-z0-9._/()'&+-])?")
_BLOCK_CHARS = r"A-Za-z0-9._/()'&+,;\"!%*?=<>@$-"
_SAFE_BLOCK = re.compile(f"[A-Za-z](?:[ {_BLOCK_CHARS}]*[{_BLOCK_CHARS}])?")
# Ids, DTGs and hex digests that start with digits ('09ROME1240', '101642Z NOV 09'): a
# letter right after the leading digits, so no int (but 0b.. and 0x..), float (a '.'),
# timestamp (a '-') or sexagesimal (a ':') of the resolver can match; plain in both styles.
_SAFE_DIGIT_FIRST = re.compile(r"(?!0[bx])[0-9]+[A-Za-z](?:[A-Za-z0-9 ]*[A-Za-z0-9])?")
# 'created' and 'released' ('2009-11-10T16:42:00', '2010-11-28'): the resolver reads them
# as timestamps, so they are quoted
_ISO_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2})?")
WORDS_YAML_RESOLVES = frozenset(
    variant
    for word in ("yes", "no", "true", "false", "on", "off", "null")
    for variant in (word, word.capitalize(), word.upper())
)


class _NotSimple(Exception):
    """A value this writer does not handle; the caller uses yaml.dump."""


def dump_front_matter(data: Mapping[str, object], dumper: type[Any]) -> str:
    """YAML text identical to yaml.dump(data, Dumper=dumper, sort_keys=False,
    allow_unicode=True, default_flow_style=None, width=10_000)."""
    parts = []
    for key, value in data.items():
        try:
            text = _top_level_line(key, value) + "\n"
        except _NotSimple:
            text = ""
        if not text or len(text) > _MAX_LINE:
            text = _dump_one_key(key, value, dumper)
        parts.append(text)
    return "".join(parts)


def _dump_one_key(key: str, value: object, dumper: type[Any]) -> str:
    """The lines yaml.dump writes for one top-level key of a block mapping."""
    representer = SafeRepresenter(default_flow_style=None, sort_keys=False)  # type: ignore[arg-type]
    pair = (representer.represent_data(key), representer.represent_data(value))
    node = MappingNode("tag:yaml.org,2002:map", [pair], flow_style=False)
    text = yaml.serialize(node, Dumper=dumper, allow_unicode=True, width=10_000)
    return str(text)


def _top_level_line(key: str, value: object) -> str:
    key_text = key if key in _PLAIN_KEYS else _scalar(key, flow=False)
    if type(value) in _SCALAR_TYPES:  # most keys: spares the Mapping check (an ABC, slow)
        if type(value) is str and "\n" in value:
            return f"{key_text}: {_multiline(value)}"
        return f"{key_text}: {_scalar(value, flow=False)}"
    if isinstance(value, list | tuple):
        if not value:
            return f"{key_text}: []"
        if all(type(item) is dict or isinstance(item, Mapping) for item in value):
            return f"{key_text}:\n" + "\n".join(f"- {_flow_mapping(item)}" for item in value)
        return f"{key_text}: {_flow_sequence(value)}"
    if isinstance(value, Mapping):
        return f"{key_text}: {_flow_mapping(value)}" if value else f"{key_text}: {{}}"
    return f"{key_text}: {_scalar(value, flow=False)}"


def _flow_sequence(items: Sequence[object]) -> str:
    return "[" + ", ".join(_scalar(item, flow=True) for item in items) + "]"


def _flow_mapping(mapping: Mapping[str, object]) -> str:
    # An addressee ({route: RUEHRO, name: AMEMBASSY ROME, precedence: null, serial: null}),
    # twenty or more a cable: a plain name and a null are written here without _scalar
    parts = []
    for key, value in mapping.items():
        key_text = key if key in _PLAIN_KEYS else _scalar(key, flow=True)
        if value is None:
            parts.append(f"{key_text}: null")
        elif (
            type(value) is str
            and _SAFE_FLOW.fullmatch(value) is not None
            and value not in WORDS_YAML_RESOLVES
        ):
            parts.append(f"{key_text}: {value}")
        elif type(value) not in _SCALAR_TYPES and isinstance(value, list | tuple | Mapping):
            raise _NotSimple  # a nested collection makes PyYAML switch to block style
        else:
            parts.append(f"{key_text}: {_scalar(value, flow=True)}")
    return "{" + ", ".join(parts) + "}"


_SCALAR_TYPES = frozenset([str, int, bool, type(None)])
# The schema's keys (cable.cable_to_front_matter): plain in both styles, written as they are
_PLAIN_KEYS = frozenset(
    "id subject created released classification origin tags precedence dtg sender to info "  # noqa: SIM905
    "references classified_by reasons declassify_on handling signer sections summary source "
    "warnings route name serial excluded format file sha256".split()
)


def _scalar(value: object, *, flow: bool) -> str:
    if type(value) is str:  # most values: the plain string itself
        if (_SAFE_FLOW if flow else _SAFE_BLOCK).fullmatch(value) is not None and (
            value not in WORDS_YAML_RESOLVES
        ):
            return value
        if _SAFE_DIGIT_FIRST.fullmatch(value) is not None:
            return value
        if _ISO_TIME.fullmatch(value) is not None:
            return f"'{value}'"
        return _string(value, flow=flow)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise _NotSimple
    return _string(value, flow=flow)


def _string(text: str, *, flow: bool) -> str:
    """The plain form when PyYAML would write it plain, else the single-quoted form."""
    safe = _SAFE_FLOW if flow else _SAFE_BLOCK
    if safe.fullmatch(text) is not None and text not in WORDS_YAML_RESOLVES:
        return text
    if not text:
        return "''"
    if _QUOTABLE.fullmatch(text) is None:
        raise _NotSimple  # line breaks, tabs, controls: PyYAML double-quotes them
    if _is_plain(text, flow=flow):
        return text
    return "'" + text.replace("'", "''") + "'"


def _multiline(text: str) -> str:
    """A top-level value with line breaks, single-quoted as PyYAML writes it.

    PyYAML writes a run of n breaks as n + 1 (a single break inside single
    quotes would be folded to a space) and indents the next line by two. A
    space next to a break, or any character _QUOTABLE refuses, makes it
    double-quote the value instead: left to yaml.dump. One summary in nine
    of the corpus has paragraphs (yaml.dump took ~0.7 ms for it).
    """
    if " \n" in text or "\n " in text or _QUOTABLE.fullmatch(text.replace("\n", "")) is None:
        raise _NotSimple
    return "'" + _BREAKS.sub(_folded_breaks, text.replace("'", "''")) + "'"


_BREAKS = re.compile("\n+")


def _folded_breaks(match: re.Match[str]) -> str:
    return "\n" * (match.end() - match.start() + 1) + "  "


def _is_plain(text: str, *, flow: bool) -> bool:
    if text[0] == " " or text[-1] == " " or text.startswith(("---", "...")):
        return False
    first = text[0]
    followed_by_space = len(text) == 1 or text[1] == " "
    if first in _BLOCK_PLAIN_BAD_START:
        return False
    if first in "?:-" and followed_by_space:
        return False
    if flow and (first in "?:" or _FLOW_INDICATORS.search(text, 1)):
        return False
    if not flow and _BLOCK_INDICATORS.search(text):
        return False
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == _STR_TAG)


# ---------------------------------------------------------------- loading

# No front matter a person writes nests deeper; libyaml's C loader recurses once per
# level and kills the process (SIGSEGV) at about 30,000, Python's str() fails at 1,000.
MAX_FRONT_MATTER_DEPTH = 64


def load_front_matter(front: str, where: str) -> dict[str, Any]:
    """Load front-matter YAML safely; ContentError with the line of the YAML error.

    Aliases (*name) of lists and mappings are refused, so that an alias bomb
    cannot expand, and so is nesting deeper than MAX_FRONT_MATTER_DEPTH. Both
    are checked on the parser's events, only for text that could hold them (a
    '*', many brackets or dashes, a very long front matter): a generated front
    matter skips the check.
    """
    try:
        structure = front.count("[") + front.count("{") + front.count("- ") + front.count("? ")
        if "*" in front or structure > 256 or len(front) > 65_536:
            _check_structure(front, where)
        data = yaml.load(front, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # libyaml (PyYAML 6.0.4+) may stop a deep bomb before the check above sees it
        deep = line_deeper_than(
            front, MAX_FRONT_MATTER_DEPTH, until_line=mark.line if mark is not None else None
        )
        if deep is not None:
            raise ContentError(
                f"{where}:{deep + 2}: the front matter nests deeper than "
                f"{MAX_FRONT_MATTER_DEPTH} levels"
            ) from exc
        line = f":{mark.line + 2}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"{where}{line}: broken front matter: {reason}") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{where}: the front matter must be a mapping of keys to values")
    return data


def _check_structure(front: str, where: str) -> None:
    """ContentError for an alias or for nesting deeper than MAX_FRONT_MATTER_DEPTH."""
    depth = 0
    collections: set[str] = set()  # anchors of lists and mappings
    for event in yaml.parse(front, Loader=SafeLoader):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if event.anchor is not None:
                collections.add(event.anchor)
            if depth > MAX_FRONT_MATTER_DEPTH:
                line = event.start_mark.line + 2 if event.start_mark else "?"
                raise ContentError(
                    f"{where}:{line}: the front matter nests deeper than "
                    f"{MAX_FRONT_MATTER_DEPTH} levels"
                )
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent) and event.anchor in collections:
            line = event.start_mark.line + 2 if event.start_mark else "?"
            raise ContentError(
                f"{where}:{line}: YAML aliases (*name) of lists or mappings are not allowed "
                "in front matter; write the value out in full"
            )
