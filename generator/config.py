"""site.yaml -> a validated, frozen SiteConfig with documented defaults.

Every key is checked as soon as the file is read: an unknown key, a value of
the wrong type or a malformed permalink is reported with the key, the value
and what was expected ("did you mean ...?" for typos), all problems at once,
as one ConfigError. YAML is loaded with the safe loader, and aliases are
refused outright so that an alias bomb can never expand.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigError
from generator.yaml_depth import line_deeper_than

try:  # the C parser is faster; the pure-Python one behaves the same
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

INDEX_KINDS: tuple[str, ...] = ("tag", "origin", "addressee", "classification", "date")

# Placeholders each permalink pattern may use, and those it must use.
_PERMALINK_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "cable": ({"year", "month", "id"}, {"id"}),
    "cable_json": ({"year", "month", "id"}, {"id"}),
    "tag": ({"slug"}, {"slug"}),
    "origin": ({"slug"}, {"slug"}),
    "addressee": ({"slug"}, {"slug"}),
    "classification": ({"slug"}, {"slug"}),
    "year": ({"year"}, {"year"}),
    "month": ({"year", "month"}, {"year", "month"}),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_MAX_DEPTH = 32  # of nested mappings and lists in site.yaml
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}")


@dataclass(frozen=True, slots=True)
class Permalinks:
    """URL patterns of the built site (design.md, "URLs of the built site").

    Cable patterns end in a file name; term patterns end in '/', because the
    term's folder also holds 'page/N/' and 'feed.xml'. The listing of all terms
    of an index is the folder above '{slug}' ('/tag/{slug}/' -> '/tag/').
    """

    cable: str = "/cable/{year}/{month}/{id}.html"
    cable_json: str = "/cable/{year}/{month}/{id}.json"
    tag: str = "/tag/{slug}/"
    origin: str = "/origin/{slug}/"
    addressee: str = "/addressee/{slug}/"
    classification: str = "/classification/{slug}/"
    year: str = "/date/{year}/"
    month: str = "/date/{year}/{month}/"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The settings of one archive. Paths are absolute; `site_dir` holds site.yaml.

    `base_url` is '' or an http(s) URL without a trailing slash
    ('https://example.org/cables'); `base_path` is its path part ('/cables'),
    which prefixes every link so an archive can live below a domain's root.
    """

    title: str
    site_dir: Path
    description: str = ""
    base_url: str = ""
    language: str = "en"
    author: str = ""
    theme: str = "default"
    page_size: int = 100
    feed_size: int = 20
    latest_size: int = 20
    search: bool = True  # a Pagefind index of the cable pages and the /search/ page
    indexes: tuple[str, ...] = INDEX_KINDS
    permalinks: Permalinks = field(default_factory=Permalinks)
    content_dir: Path = Path("content")
    output_dir: Path = Path("public")
    cache_dir: Path = Path(".cablesite-cache")
    config_path: Path | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def base_path(self) -> str:
        """'/cables' for base_url 'https://example.org/cables', '' for a site at the root."""
        if not self.base_url:
            return ""
        match = re.match(r"https?://[^/]+(/.*)?$", self.base_url)
        return (match.group(1) or "").rstrip("/") if match else ""


# key -> (expected, checker); the checker returns the cleaned value or raises ValueError(reason)
_TOP_KEYS = (
    "title",
    "description",
    "base_url",
    "language",
    "author",
    "theme",
    "page_size",
    "feed_size",
    "latest_size",
    "search",
    "indexes",
    "permalinks",
    "content_dir",
    "output_dir",
    "cache_dir",
    "extra",
)


def load_config(config_path: Path) -> SiteConfig:
    """Read and validate site.yaml; ConfigError listing every problem, never a traceback."""
    config_path = Path(config_path)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{config_path}: no such file. Run the command in an archive folder "
            "(one with a site.yaml), pass --config PATH, or create one with `cablesite new DIR`."
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read: {exc.strerror}") from None
    data = parse_config_yaml(text, str(config_path))
    return config_from_data(data, config_path.resolve().parent, config_path=config_path)


def parse_config_yaml(text: str, where: str) -> dict[str, Any]:
    """Load site.yaml text safely into a mapping; ConfigError with the line of a YAML error."""
    try:
        depth = 0
        for event in yaml.parse(text, Loader=SafeLoader):
            line = event.start_mark.line + 1 if event.start_mark else "?"
            if isinstance(event, yaml.AliasEvent):
                raise ConfigError(
                    f"{where}:{line}: YAML aliases (*name) are not allowed in site.yaml; "
                    "write the value out in full"
                )
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                if depth > _MAX_DEPTH:  # libyaml's loader would crash (SIGSEGV) at ~30,000
                    raise ConfigError(f"{where}:{line}: nested deeper than {_MAX_DEPTH} levels")
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        tabbed = "\t" in text and (
            "tab" in str(exc).lower() or "cannot start any token" in str(reason)
        )
        hint = " (YAML indents with spaces, not tabs)" if tabbed else ""
        message = f"{where}{line}: not valid YAML: {reason}{hint}"
        deep = line_deeper_than(text, _MAX_DEPTH, until_line=mark.line if mark else None)
        if deep is not None:  # libyaml (PyYAML 6.0.4+) may stop a bomb before the check above
            message = f"{where}:{deep + 1}: nested deeper than {_MAX_DEPTH} levels"
        raise ConfigError(message) from None
    if data is None:
        raise ConfigError(
            f"{where}: the file is empty; expected a mapping with at least "
            "'title' (text), for example: title: My cable archive"
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{where}: expected a mapping of keys to values (title: ..., base_url: ...), "
            f"got {_describe(data)}"
        )
    return data


def config_from_data(
    data: Mapping[str, Any], site_dir: Path, *, config_path: Path | None = None
) -> SiteConfig:
    """Validate loaded site.yaml data into a SiteConfig (tests call this with dicts)."""
    where = str(config_path) if config_path else "site.yaml"
    errors: list[str] = []
    values: dict[str, Any] = {}
    for key in data:
        if not isinstance(key, str) or key not in _TOP_KEYS:
            errors.append(_unknown_key(str(key), _TOP_KEYS, ""))
    if "title" not in data:
        errors.append("missing key 'title': expected text, the name of the archive")
    for key in ("title", "description", "author", "theme"):
        if key in data:
            _check(errors, values, key, data[key], _text, "text")
    if "language" in data:
        _check(
            errors,
            values,
            "language",
            data["language"],
            _language,
            "a language tag such as en, fr or en-GB",
        )
    if "base_url" in data:
        _check(
            errors,
            values,
            "base_url",
            data["base_url"],
            _base_url,
            "'' or an http(s) URL such as https://example.org/cables",
        )
    for key in ("page_size", "feed_size", "latest_size"):
        if key in data:
            _check(errors, values, key, data[key], _positive_int, "a whole number of at least 1")
    if "search" in data:
        _check(errors, values, "search", data["search"], _yes_no, "true or false")
    if "indexes" in data:
        _check(
            errors,
            values,
            "indexes",
            data["indexes"],
            _indexes,
            f"a list of index names out of {', '.join(INDEX_KINDS)}",
        )
    if "permalinks" in data:
        values["permalinks"] = _permalinks(data["permalinks"], errors)
    for key in ("content_dir", "output_dir", "cache_dir"):
        if key in data:
            _check(
                errors, values, key, data[key], _relative_dir, "a folder path relative to site.yaml"
            )
    if "extra" in data:
        _check(
            errors,
            values,
            "extra",
            data["extra"],
            _mapping,
            "a mapping of your own keys for templates",
        )
    if errors:
        listing = "\n".join(f"  - {message}" for message in errors)
        raise ConfigError(f"{where}: {len(errors)} problem(s) in the configuration:\n{listing}")
    for key in ("content_dir", "output_dir", "cache_dir"):
        values[key] = site_dir / values.get(key, getattr(_DEFAULTS, key))
    return SiteConfig(site_dir=site_dir, config_path=config_path, **values)


_DEFAULTS = SiteConfig(title="", site_dir=Path("."))


def _check(
    errors: list[str], values: dict[str, Any], key: str, value: object, checker: Any, expected: str
) -> None:
    try:
        values[key] = checker(value)
    except ValueError as exc:
        reason = f" ({exc})" if str(exc) else ""
        errors.append(f"'{key}' is {_describe(value)}; expected {expected}{reason}")


def _unknown_key(key: str, known: tuple[str, ...], prefix: str) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f" Did you mean '{prefix}{close[0]}'?" if close else ""
    return f"unknown key '{prefix}{_short(key)}'.{hint} Known keys: {', '.join(known)}"


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("")
    return str(value)


def _language(value: object) -> str:
    # <html lang> and the search index's file names are made of it (Pagefind fails on long ones)
    if not isinstance(value, str) or not _LANGUAGE_TAG.fullmatch(value):
        raise ValueError("")
    return value


def _base_url(value: object) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ValueError("")
    return value.rstrip("/")


def _positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("")
    return value


def _yes_no(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("")
    return value


def _indexes(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("")
    result: list[str] = []
    for item in value:
        if item not in INDEX_KINDS:
            close = difflib.get_close_matches(str(item), INDEX_KINDS, n=1)
            raise ValueError(
                f"{_short(repr(item))} is not an index"
                + (f"; did you mean '{close[0]}'?" if close else "")
            )
        if item not in result:
            result.append(item)
    return tuple(kind for kind in INDEX_KINDS if kind in result)


def _relative_dir(value: object) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("")
    path = Path(value)
    if path.is_absolute() or ".." in path.parts:
        raise ValueError("it must stay inside the archive folder")
    return path


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise ValueError("")
    return dict(value)


def _permalinks(value: object, errors: list[str]) -> Permalinks:
    if not isinstance(value, dict):
        errors.append(
            f"'permalinks' is {_describe(value)}; expected a mapping such as tag: /tag/{{slug}}/"
        )
        return Permalinks()
    known = tuple(_PERMALINK_FIELDS)
    patterns: dict[str, str] = {}
    for key, pattern in value.items():
        if key not in _PERMALINK_FIELDS:
            errors.append(_unknown_key(str(key), known, "permalinks."))
            continue
        problem = _permalink_problem(key, pattern)
        if problem:
            errors.append(f"'permalinks.{key}' is {_describe(pattern)}; expected {problem}")
        else:
            patterns[key] = pattern
    return Permalinks(**patterns)


def _permalink_problem(kind: str, pattern: object) -> str | None:
    allowed, required = _PERMALINK_FIELDS[kind]
    shape = (
        "a file such as /cable/{year}/{month}/{id}.html"
        if kind.startswith("cable")
        else ("a folder ending in '/' such as /tag/{slug}/")
    )
    if not isinstance(pattern, str) or not pattern.startswith("/"):
        return f"a URL pattern starting with '/': {shape}"
    used = set(_PLACEHOLDER.findall(pattern))
    if used - allowed:
        return (
            f"only the placeholders {', '.join('{' + f + '}' for f in sorted(allowed))} ({shape})"
        )
    if required - used:
        return f"a pattern using {', '.join('{' + f + '}' for f in sorted(required))} ({shape})"
    if kind.startswith("cable") == pattern.endswith("/"):
        return shape
    if any(part in {".", ".."} for part in pattern.split("/")) or "\\" in pattern:
        return "a pattern without '.', '..' or backslashes"
    if not kind.startswith("cable") and "/" not in pattern.split("{", 1)[0].rstrip("/"):
        return "a pattern with a folder before the first placeholder, such as /tag/{slug}/"
    return None


def _describe(value: object) -> str:
    kind = {
        bool: "yes/no",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
        type(None): "empty",
    }.get(type(value), type(value).__name__)
    return f"{_short(repr(value))} ({kind})"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
