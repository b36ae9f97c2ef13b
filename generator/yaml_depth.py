"""How deep YAML text nests, measured on its tokens: tells a nesting bomb from any other YAML error.

site.yaml (config.py) and front matter (cable_yaml.py) refuse nesting deeper
than a few dozen levels, counted on the events of PyYAML's C parser. That
count can come too late: libyaml in PyYAML 6.0.4 and later stops at 1,000
levels with a scanner error of its own, and in a flow collection
('x: [[[[...') its scanner reads up to 1,024 characters ahead of the parser,
so the error comes before the parser has handed out the 65th level. Its
wording is libyaml's and has changed between versions (6.0.3 has no such
error at all), so the loaders do not read it: when PyYAML fails, they ask
`line_deeper_than` whether the text nests past their limit before the point
of failure, and if so report that in their own words.

The measure uses PyYAML's pure-Python scanner, which has no depth limit and
no recursion. It stops at the first level past the limit: as soon as the
scanner is that deep, not after the 1,024 characters it would read ahead
in a flow collection before handing out the tokens, so a bomb of 100,000
brackets costs milliseconds. Text whose brackets cannot nest past the
limit (a quick upper bound) is not scanned at all.
"""

from __future__ import annotations

import re

import yaml

# Tokens that open and close a level (a flow or block list or mapping). A block
# list written without indentation ('key:\n- a') has no start token and is not
# counted: it cannot nest in itself without a mapping, which is counted.
_OPEN = (
    yaml.FlowSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.BlockMappingStartToken,
)
_CLOSE = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)
_BRACKETS = re.compile(r"[][{}]")


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _LimitedLoader(yaml.SafeLoader):
    """The pure-Python loader, stopping as soon as its scanner is past `limit` levels.

    Levels are the scanner's own: open flow collections plus block indents.
    """

    limit = 0

    def fetch_more_tokens(self) -> None:
        super().fetch_more_tokens()
        levels = getattr(self, "flow_level", 0) + len(getattr(self, "indents", ()))
        if levels > self.limit and self.tokens:
            raise _TooDeep(int(self.tokens[-1].start_mark.line))


def line_deeper_than(text: str, limit: int, *, until_line: int | None = None) -> int | None:
    """The 0-based line where `text` first opens level `limit + 1`, or None if it never does.

    Only the lines up to `until_line` (0-based, inclusive) are read when it is
    given: a YAML error there cannot come from deeper nesting further on.
    A YAML error before the limit is reached also means None: the text is
    broken in some other way, and that is what the caller should report.
    """
    if until_line is not None:
        lines = text.split("\n", until_line + 1)
        text = "\n".join(lines[: until_line + 1])
    if _block_bound(text) + _flow_bound(text, limit) <= limit:
        return None  # cannot nest that deep: no need to scan
    loader = type("Loader", (_LimitedLoader,), {"limit": limit})
    depth = 0
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, _OPEN):
                depth += 1
                if depth > limit:
                    return int(token.start_mark.line)
            elif isinstance(token, _CLOSE):
                depth -= 1
    except _TooDeep as deep:
        return deep.line
    except yaml.YAMLError:
        return None
    return None


def _flow_bound(text: str, limit: int) -> int:
    """At least the deepest flow nesting (quoted brackets count too), or limit + 1 if more."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def _block_bound(text: str) -> int:
    """At least the deepest block nesting.

    At the start of a line the scanner has closed every level indented more
    than the line, so at most `indent + 1` are open; on the line each new
    level needs a '-', '?' or ':'.
    """
    deepest = 0
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        opened = stripped.count("-") + stripped.count("?") + stripped.count(":")
        deepest = max(deepest, len(line) - len(stripped) + 1 + opened)
    return deepest
