"""The metadata of a synthetic archive shaped like the 2010 release (no text yet).

Which cables (ids drawn from generator/data/cable-ids.csv.gz, so posts, years and
months follow the real distribution), when, from which post, to whom, with which
TAGS and which references. Deterministic: the same (n, seed) gives the same plan.
The bodies are made separately (archive_text.py), each from its own seeded
generator, so a cable's text does not depend on the size of the archive.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

REPO_DIR = Path(__file__).resolve().parents[2]
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from generator.cable import Addressee  # noqa: E402

DATA_DIR = REPO_DIR / "generator" / "data"
FULL_RELEASE = 251_287

# cable-format.md, "The release in numbers": metadata classification counts
CLASSIFICATIONS: tuple[tuple[str, int], ...] = (
    ("UNCLASSIFIED", 75_792),
    ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", 58_095),
    ("CONFIDENTIAL", 97_070),
    ("CONFIDENTIAL//NOFORN", 4_678),
    ("SECRET", 11_322),
    ("SECRET//NOFORN", 4_330),
)
# precedence word -> (prosign letter, share of cables); an estimate, not a count
PRECEDENCES: tuple[tuple[str, str, float], ...] = (
    ("ROUTINE", "R", 0.28),
    ("PRIORITY", "P", 0.47),
    ("IMMEDIATE", "O", 0.22),
    ("NIACT IMMEDIATE", "O", 0.02),
    ("FLASH", "Z", 0.01),
)
# the most frequent TAGS of the release first (cable-format.md 6.1 and the
# geography of the busiest posts); the remaining codes of tags.yaml follow
_TAG_HEAD_TEXT = """
    PREL PGOV ECON PHUM ETRD MARR KDEM PTER IZ EFIN KPAO OVIP AF PINR IR ENRG CASC SNAR EAID CH
    KJUS RS KCRM SOCI TU ASEC EINV KIRF PK KMDR JA KN IS SENV CVIS FR EG GM UK MASS UNSC PARM KNNP
"""
TAG_HEAD = tuple(_TAG_HEAD_TEXT.split())
TAG_ZIPF_EXPONENT = 0.75  # gives PREL about 24% of cables (the release: ~60,000 of 251,287)
# addressees seen on many cables besides the posts (routing indicator, name); missions are posts
COMMON_ADDRESSEES: tuple[tuple[str, str], ...] = (
    ("RUEAIIA", "CIA WASHINGTON DC"),
    ("RHEHNSC", "NSC WASHINGTON DC"),
    ("RUEKJCS", "SECDEF WASHINGTON DC"),
    ("RUEKJCS", "JOINT STAFF WASHINGTON DC"),
    ("RUEATRS", "DEPT OF TREASURY WASHINGTON DC"),
    ("RUCPDOC", "DEPT OF COMMERCE WASHINGTON DC"),
    ("RHEFDIA", "DIA WASHINGTON DC"),
    ("RHMFISS", "CDR USCENTCOM MACDILL AFB FL"),
    ("RUEHZL", "EUROPEAN POLITICAL COLLECTIVE"),
    ("RUEHXK", "ARAB ISRAELI COLLECTIVE"),
    ("RUCNMEM", "EU MEMBER STATES COLLECTIVE"),
    ("RUEHEE", "ARAB LEAGUE COLLECTIVE"),
    ("RUCNASE", "ASEAN MEMBER COLLECTIVE"),
    ("RUEHZO", "AFRICAN UNION COLLECTIVE"),
    ("RUEHWH", "WESTERN HEMISPHERIC AFFAIRS DIPL POSTS"),
)
SECSTATE = ("RUEHC", "SECSTATE WASHDC")
_REF_ID = re.compile(r"\d\d[A-Z]+\d+")  # ids a REF line can cite as 'YY POST SERIAL'
_ID = re.compile(r"(\d\d)(.+?)(\d*)")  # '06ASTANA': a few ids of the release have no serial
_ADDRESS_PREFIX = {
    "embassy": "AMEMBASSY",
    "consulate": "AMCONSUL",
    "mission": "USMISSION",
    "institute": "AIT",
    "interests_section": "USINT",
    "regional_embassy_office": "REO",
    "regional_office": "IRAN RPO",
    "delegation": "USDEL",
}


@dataclass(frozen=True, slots=True)
class Post:
    """One sending station: 'ROME' -> Embassy Rome, AMEMBASSY ROME, RUEHRO."""

    token: str  # as in the cable id: 'ROME', 'USUNNEWYORK'
    label: str  # the Origin field: 'Embassy Rome'
    address: str  # the FM line: 'AMEMBASSY ROME'
    route: str | None  # routing indicator: 'RUEHRO'
    banner: str  # how the banner names it: 'ROME', 'BUENOS AIRES'


@dataclass(frozen=True, slots=True)
class CableMeta:
    """Everything about one synthetic cable except its words."""

    id: str
    serial: int
    post: Post
    created: datetime
    classification: str
    precedence: str
    prosign: str
    to: tuple[Addressee, ...]
    info: tuple[Addressee, ...]
    tags: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """The real tables the archive is drawn from."""

    ids: tuple[tuple[str, int], ...]  # (id, month) of every cable of the release
    posts: dict[str, Post]  # canonical token -> Post
    variants: dict[str, str]  # misspelt token -> canonical
    junk_prefixes: tuple[re.Pattern[str], ...]
    tag_codes: tuple[str, ...]  # in Zipf rank order
    routes: tuple[tuple[str, str], ...]  # route2name.csv rows


def load_reference_data() -> ReferenceData:
    with gzip.open(DATA_DIR / "cable-ids.csv.gz", "rt", encoding="ascii") as handle:
        ids = tuple(
            (row[0], int(row[1])) for row in (line.strip().split(",") for line in handle) if row[0]
        )
    variants_doc = yaml.load(
        (DATA_DIR / "post-variants.yaml").read_text("utf-8"), Loader=yaml.CSafeLoader
    )
    posts = {token: _post(token, entry) for token, entry in variants_doc["posts"].items()}
    tags_doc = yaml.load((DATA_DIR / "tags.yaml").read_text("utf-8"), Loader=yaml.CSafeLoader)
    head = [code for code in TAG_HEAD if code in tags_doc]
    rest = [code for code in tags_doc if code not in set(head)]
    random.Random("tag-ranks").shuffle(rest)  # a fixed rank order, whatever the seed
    routes = tuple(  # single routing indicators only (the table also has ranges 'RHFJJAA THRU ...')
        (route, name)
        for route, name in (
            line.split(",", 1)
            for line in (DATA_DIR / "route2name.csv").read_text("utf-8").splitlines()
            if line
        )
        if route.isalpha()
    )
    return ReferenceData(
        ids=ids,
        posts=posts,
        variants={str(k): str(v) for k, v in variants_doc["variants"].items()},
        junk_prefixes=tuple(re.compile(item["regex"]) for item in variants_doc["junk_prefixes"]),
        tag_codes=tuple(head + rest),
        routes=routes,
    )


def _post(token: str, entry: dict[str, object]) -> Post:
    name = str(entry["name"])
    kind = str(entry["type"])
    label = entry.get("origin_label") or f"{kind.replace('_', ' ').title()} {name}"
    if token == "STATE":
        address = "SECSTATE WASHDC"
    else:
        address = f"{_ADDRESS_PREFIX.get(kind, 'AMEMBASSY')} {name.upper()}"
    route = entry.get("ri")
    return Post(
        token=token,
        label=str(label),
        address=address,
        route=str(route) if route else None,
        banner="STATE" if token == "STATE" else name.upper(),
    )


def find_post(token: str, data: ReferenceData) -> Post:
    """The post of an id's middle part, misspellings repaired; an unknown one is kept as is."""
    for candidate in (token, *[p.sub("", token) for p in data.junk_prefixes]):
        canonical = data.variants.get(candidate, candidate)
        if canonical in data.posts:
            return data.posts[canonical]
    return Post(
        token=token,
        label=f"Embassy {token.title()}",
        address=f"AMEMBASSY {token}",
        route=None,
        banner=token,
    )


def plan_archive(n: int, seed: int, data: ReferenceData) -> list[CableMeta]:
    """The metadata of n cables, sorted by (created, id)."""
    if not 1 <= n <= len(data.ids):
        raise ValueError(f"n must be between 1 and {len(data.ids)}, not {n}")
    rng = random.Random(f"{seed}:plan")
    chosen = (
        sorted(rng.sample(range(len(data.ids)), n)) if n < len(data.ids) else range(len(data.ids))
    )
    drafts = []
    for index in chosen:
        cable_id, month = data.ids[index]
        match = _ID.fullmatch(cable_id)
        yy, token, serial = (
            (match.group(1), match.group(2), int(match.group(3) or 0)) if match else ("09", "X", 0)
        )
        year = (1900 if int(yy) >= 60 else 2000) + int(yy)
        created = datetime(year, month, rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
        drafts.append((created, cable_id, serial, find_post(token, data)))
    drafts.sort(key=lambda d: (d[0], d[1]))

    classification_names = [c for c, _ in CLASSIFICATIONS]
    classification_weights = list(itertools.accumulate(w for _, w in CLASSIFICATIONS))
    precedence_weights = list(itertools.accumulate(p[2] for p in PRECEDENCES))
    tag_weights = list(
        itertools.accumulate(1 / (r + 1) ** TAG_ZIPF_EXPONENT for r in range(len(data.tag_codes)))
    )
    stations = _station_table(data, drafts)
    citable: list[tuple[str, str]] = []  # (id, post token) of earlier well-formed cables
    by_post: dict[str, list[str]] = {}
    plan = []
    for created, cable_id, serial, post in drafts:
        word, prosign, _ = PRECEDENCES[
            bisect.bisect(precedence_weights, rng.random() * precedence_weights[-1])
        ]
        classification = classification_names[
            bisect.bisect(classification_weights, rng.random() * classification_weights[-1])
        ]
        tags = _zipf_sample(rng, data.tag_codes, tag_weights, rng.randint(2, 6))
        to, info = _addressees(rng, post, stations, word)
        references = _references(rng, citable, by_post.get(post.token, []))
        plan.append(
            CableMeta(
                id=cable_id,
                serial=serial,
                post=post,
                created=created,
                classification=classification,
                precedence=word,
                prosign=prosign,
                to=to,
                info=info,
                tags=tags,
                references=references,
            )
        )
        if _REF_ID.fullmatch(cable_id) and post.token in data.posts:
            citable.append((cable_id, post.token))
            by_post.setdefault(post.token, []).append(cable_id)
    return plan


def _zipf_sample(
    rng: random.Random, codes: Sequence[str], cumulative: list[float], k: int
) -> tuple[str, ...]:
    chosen: list[str] = []
    while len(chosen) < k:
        code = codes[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
        if code not in chosen:
            chosen.append(code)
    return tuple(chosen)


@dataclass(frozen=True, slots=True)
class _Stations:
    posts: tuple[Post, ...]  # posts with a routing indicator
    post_weights: list[float]  # cumulative, by the post's share of the release
    post_addresses: frozenset[str]
    routes: tuple[tuple[str, str], ...]


def _station_table(data: ReferenceData, drafts: list[tuple[datetime, str, int, Post]]) -> _Stations:
    counts: dict[str, int] = {}
    for _, _, _, post in drafts:
        counts[post.token] = counts.get(post.token, 0) + 1
    posts = tuple(p for p in data.posts.values() if p.route and p.token != "STATE")
    weights = list(itertools.accumulate(1.0 + counts.get(p.token, 0) for p in posts))
    addresses = frozenset(p.address for p in data.posts.values())
    return _Stations(
        posts=posts, post_weights=weights, post_addresses=addresses, routes=data.routes
    )


def _addressees(
    rng: random.Random, post: Post, stations: _Stations, precedence: str
) -> tuple[tuple[Addressee, ...], tuple[Addressee, ...]]:
    """TO: SECSTATE WASHDC (a post for cables the Department sends); INFO: 0-25 stations."""
    if post.token == "STATE":
        target = _pick_post(rng, stations)
        to = (
            Addressee(
                name=target.address,
                route=target.route,
                precedence=precedence,
                serial=f"{rng.randint(1, 9999):04d}",
            ),
        )
    else:
        to = (
            Addressee(
                name=SECSTATE[1],
                route=SECSTATE[0],
                precedence=precedence,
                serial=f"{rng.randint(1, 9999):04d}",
            ),
        )
    count = 0 if rng.random() < 0.25 else min(25, 1 + int(rng.expovariate(1 / 5)))
    info: list[Addressee] = []
    names = {a.name for a in to} | {post.address}
    info_precedence = (
        "ROUTINE" if precedence == "ROUTINE" else rng.choice(("PRIORITY", "ROUTINE", precedence))
    )
    for _ in range(count * 3):
        if len(info) == count:
            break
        roll = rng.random()
        if roll < 0.75:
            target = _pick_post(rng, stations)
            route, name, serial = target.route, target.address, f"{rng.randint(1, 9999):04d}"
        elif roll < 0.9:
            route, name = rng.choice(COMMON_ADDRESSEES)
            serial = None
        else:
            route, name = rng.choice(stations.routes)
            # a post named by the routing table still gets its message continuity number
            serial = f"{rng.randint(1, 9999):04d}" if name in stations.post_addresses else None
        if name not in names:
            names.add(name)
            info.append(
                Addressee(name=name, route=route, precedence=info_precedence, serial=serial)
            )
    return to, tuple(info)


def _pick_post(rng: random.Random, stations: _Stations) -> Post:
    return stations.posts[
        bisect.bisect(stations.post_weights, rng.random() * stations.post_weights[-1])
    ]


def _references(
    rng: random.Random, citable: list[tuple[str, str]], same_post: list[str]
) -> tuple[str, ...]:
    """0-4 earlier cables of the archive: half from the same post, the rest from recent traffic."""
    wanted = rng.choices((0, 1, 2, 3, 4), weights=(45, 25, 15, 10, 5))[0]
    refs: list[str] = []
    for _ in range(wanted * 3):
        if len(refs) == wanted or not citable:
            break
        if same_post and rng.random() < 0.5:
            ref = same_post[_recent(rng, len(same_post), 20)]
        else:
            ref = citable[_recent(rng, len(citable), 2000)][0]
        if ref not in refs:
            refs.append(ref)
    return tuple(refs)


def _recent(rng: random.Random, length: int, mean_age: int) -> int:
    """An index into a list of `length` earlier cables, usually one of the last few `mean_age`."""
    age = int(rng.expovariate(1 / mean_age))
    return length - 1 - (age if age < length else rng.randrange(length))
