"""The packaged reference tables (generator/data/) as one frozen value, loaded once per process.

The parser needs to know which post abbreviations exist ('ROME', 'UNVIEVIENNA'),
how REF lines misspell them ('SECSTATE' -> 'STATE', 'RIO DE JAN' -> 'RIODEJANEIRO'),
which routing indicator belongs to which post ('RUEHRO' -> 'ROME'), and which of
two spellings of an id the 2010 release really has ('09TAIPEI…' or
'09AITTAIPEI…'). All of that lives in data files shipped inside the wheel; this
module is the only parse-side code that reads them. Everything it returns is
immutable, so one ReferenceTables value can be shared by every parse call.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

from generator.errors import CablesiteError

try:  # libyaml is many times faster; fall back where PyYAML was built without it
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class PostInfo:
    """One post of post-variants.yaml: 'ROME' -> Embassy Rome, routing indicator RUEHRO."""

    key: str  # canonical abbreviation used in ids: 'ROME', 'UNVIEVIENNA'
    name: str  # display name: 'Rome'
    type: str | None  # 'embassy', 'consulate', 'mission', ...
    ri: str | None  # routing indicator: 'RUEHRO'
    origin_label: str | None  # the release's Origin label: 'Embassy Rome'


@dataclass(frozen=True, slots=True)
class ReferenceTables:
    """Everything the parser looks up, immutable and shared by all parse calls.

    `posts` maps canonical post keys to PostInfo; `variants` maps REF-line
    spellings to canonical keys ('SECSTATE' -> 'STATE'); `posts_by_ri` maps a
    routing indicator to its post key; `route_names` is route2name.csv
    ('RUEHC' -> 'DEPT OF STATE WASHINGTON DC'); `cable_ids` holds every id of the
    251,287-cable release; `year_post_counts` counts those ids per
    (two-digit year, post), used to choose between ambiguous spellings;
    `precedence_variants` maps misspelt precedence words to the real ones.
    """

    posts: Mapping[str, PostInfo] = field(default_factory=lambda: MappingProxyType({}))
    variants: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    posts_by_ri: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    route_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    cable_ids: frozenset[str] = frozenset()
    year_post_counts: Mapping[tuple[str, str], int] = field(
        default_factory=lambda: MappingProxyType({})
    )
    precedence_variants: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def post_candidates(self, token: str) -> tuple[str, ...]:
        """Canonical post keys a squeezed, upper-case post token may stand for.

        'SECSTATE' -> ('STATE',); 'TAIPEI' -> ('AITTAIPEI', 'TAIPEI') because
        both spellings occur in the release's ids; 'PARISPOINTS' -> ().
        """
        found: list[str] = []
        mapped = self.variants.get(token)
        if mapped is not None and mapped in self.posts:
            found.append(mapped)
        if token in self.posts and token not in found:
            found.append(token)
        return tuple(found)

    def resolve_id(self, year: str, token: str, serial: str) -> str | None:
        """The canonical id for year + post token + serial, or None if the post is unknown.

        Where the token has two readings (TAIPEI / AITTAIPEI), the id that
        exists in the release wins; failing that, the spelling the release
        used most in that year.
        """
        candidates = self.post_candidates(token)
        if not candidates:
            return None
        ids = [f"{year}{post}{serial}" for post in candidates]
        if len(ids) == 1:
            return ids[0]
        for cable_id in ids:
            if cable_id in self.cable_ids:
                return cable_id
        best = max(
            range(len(ids)), key=lambda i: self.year_post_counts.get((year, candidates[i]), 0)
        )
        return ids[best]


def load_reference_tables(data_dir: Path | None = None) -> ReferenceTables:
    """Read post-variants.yaml, route2name.csv, precedence.yaml and cable-ids.csv.gz.

    Call it once per process (it reads 251,287 ids, about a quarter of a
    second) and pass the result to every parse call. Raises CablesiteError
    naming the file when a table is missing or malformed.
    """
    data_dir = data_dir or DATA_DIR
    posts_data = _load_yaml(data_dir / "post-variants.yaml")
    posts: dict[str, PostInfo] = {}
    for key, info in _mapping(posts_data, "posts", data_dir / "post-variants.yaml").items():
        info = info if isinstance(info, dict) else {}
        posts[str(key)] = PostInfo(
            key=str(key),
            name=str(info.get("name") or key),
            type=_text_or_none(info.get("type")),
            ri=_text_or_none(info.get("ri")),
            origin_label=_text_or_none(info.get("origin_label")),
        )
    variants_data = _mapping(posts_data, "variants", data_dir / "post-variants.yaml")
    variants = {str(k): str(v) for k, v in variants_data.items()}
    posts_by_ri = {post.ri: post.key for post in posts.values() if post.ri}

    precedence_data = _load_yaml(data_dir / "precedence.yaml")
    precedence_variants = {
        str(k): str(v)
        for k, v in _mapping(precedence_data, "variants", data_dir / "precedence.yaml").items()
    }

    route_names: dict[str, str] = {}
    route_path = data_dir / "route2name.csv"
    try:
        with route_path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                if len(row) >= 2 and row[0].strip():
                    route_names.setdefault(row[0].strip(), row[1].strip())
    except OSError as exc:
        raise CablesiteError(
            f"{route_path}: cannot read the routing table: {exc.strerror}"
        ) from exc

    ids_path = data_dir / "cable-ids.csv.gz"
    try:
        raw = gzip.decompress(ids_path.read_bytes()).decode("ascii")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise CablesiteError(f"{ids_path}: cannot read the list of cable ids: {exc}") from exc
    cable_ids = frozenset(
        line.partition(",")[0].strip() for line in raw.split("\n") if line.strip()
    )
    counts: Counter[tuple[str, str]] = Counter()
    for cable_id in cable_ids:
        year, post = cable_id[:2], cable_id[2:].rstrip("0123456789")
        counts[(year, post)] += 1

    return ReferenceTables(
        posts=MappingProxyType(posts),
        variants=MappingProxyType(variants),
        posts_by_ri=MappingProxyType(posts_by_ri),
        route_names=MappingProxyType(route_names),
        cable_ids=cable_ids,
        year_post_counts=MappingProxyType(dict(counts)),
        precedence_variants=MappingProxyType(precedence_variants),
    )


def _load_yaml(path: Path) -> dict[str, object]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except OSError as exc:
        raise CablesiteError(f"{path}: cannot read reference data: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise CablesiteError(f"{path}: broken reference data: {exc}") from exc
    if not isinstance(data, dict):
        raise CablesiteError(f"{path}: reference data must be a mapping")
    return data


def _mapping(data: dict[str, object], key: str, path: Path) -> dict[object, object]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise CablesiteError(f"{path}: '{key}' must be a mapping")
    return value


def _text_or_none(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
