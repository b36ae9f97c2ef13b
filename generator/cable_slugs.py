"""content/slugs.json: the slug every index term was published under, so that its URL stays.

Slugs of terms collide ('PREL' and 'prel', 'Embassy Rome' and 'EMBASSY ROME.'
all slug to one string), and which of them gets the plain slug cannot be
decided from the names alone without moving a published URL when a new
spelling turns up. So the build records every term's slug here and reads
the record back: a term keeps its slug for good (site.assign_slugs). The
file belongs to the archive (commit it with content/), like a lock file;
the build writes it, only when it changes:

    {"addressee": {"SECSTATE WASHDC": "secstate-washdc"},
     "tag": {"PREL": "prel", "prel": "prel-4fd62b"}}

A damaged file is reported and treated as empty (the slugs are then those a
first build gives); an unwritable content/ is reported, not fatal.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from generator.errors import Problem

log = logging.getLogger(__name__)

SLUGS_FILE = "slugs.json"
Register = dict[str, dict[str, str]]  # kind -> term name -> slug


def load_term_slugs(content_dir: Path) -> tuple[Register, list[Problem]]:
    """The recorded slugs ({} when there is no file yet) and a problem if the file is damaged."""
    path = content_dir / SLUGS_FILE
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}, []
    except (OSError, ValueError) as exc:
        message = f"unreadable ({exc}); published URLs of colliding terms may move"
        return {}, [Problem(str(path), None, message, "warning")]
    register: Register = {}
    dropped = not isinstance(data, dict)
    for kind, names in data.items() if isinstance(data, dict) else ():
        if not isinstance(names, dict):
            dropped = True
            continue
        register[kind] = {
            name: slug
            for name, slug in names.items()
            if isinstance(name, str) and isinstance(slug, str)
        }
        dropped = dropped or len(register[kind]) != len(names)
    if dropped:
        message = "entries that are not 'name: slug' pairs of an index are ignored"
        return register, [Problem(str(path), None, message, "warning")]
    return register, []


def save_term_slugs(content_dir: Path, register: Mapping[str, Mapping[str, str]]) -> bool:
    """Write the record (atomically) if it changed; False if it did not or cannot be written."""
    path = content_dir / SLUGS_FILE
    data = (
        json.dumps(
            {kind: dict(names) for kind, names in register.items() if names},
            sort_keys=True,
            indent=1,
        )
        + "\n"
    ).encode("ascii")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    if not content_dir.is_dir():
        return False
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{SLUGS_FILE}.", suffix=".tmp", dir=content_dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning(
            "%s: cannot record the slugs of index terms (%s); URLs of terms whose names "
            "slug alike may move in later builds",
            path,
            exc.strerror or exc,
        )
        return False
    return True
