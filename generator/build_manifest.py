"""The manifests of the live and back trees, as a quick build reads and updates them.

A manifest of a 50,000-cable site has 112,000 entries. Building its dict
(output.open_output) takes longer than everything else a quick build does
for a two-page change, so a quick build without a search index reads both
manifests in their stored form (a string of paths, a blob of 32-byte digest
pairs, see output._save_manifest), looks up the paths it needs by binary
search in the list of paths (every build stores them in path order; a path
not found that way is looked up in a dict, so another order is only slower),
finds the files the back tree must take from the live one by comparing the
two blobs block by block, and writes the new manifest as the live blob with
its changed entries replaced.

That form is used only when the two trees hold the same paths (the usual
case: the last build added or removed no file); otherwise, or with a search
index to update, `open_manifests` falls back to the dicts.
"""

from __future__ import annotations

import pickle
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

from generator.output import (
    MANIFEST_VERSION,
    Manifest,
    ManifestBlob,
    OutputTrees,
    _manifest_path,
    open_output,
    state_dir_for,
)

BLOCK = 32 * 512  # bytes of digests compared at once (512 entries)


@dataclass(slots=True)
class QuickManifests:
    """The trees of a quick build and their manifests: as dicts, or as the two stored blobs."""

    trees: OutputTrees
    blobs: tuple[ManifestBlob, ManifestBlob] | None = None  # (live, back) when compact
    changes: Manifest = field(default_factory=dict)
    _names: list[str] | None = None
    _positions: dict[str, int] | None = None

    def live_entry(self, relpath: str) -> tuple[bytes, bytes] | None:
        if self.blobs is None:
            return self.trees.live.get(relpath)
        return _entry(self.blobs[0], self._index(relpath))

    def _index(self, relpath: str) -> int | None:
        """The position of relpath in both blobs (they list the same paths), or None.

        The paths are split once (~10 ms for 112,000 paths; to_link needs them
        too) and searched by bisection: a subject edit looks up ~90 pages, and
        a dict of 112,000 positions cost more than all the lookups. A path not
        found there (absent, or the paths are not in order) is looked up in the
        dict, built at the first miss.
        """
        assert self.blobs is not None
        names = self._names = self._names or self.blobs[0][0].split("\n")
        at = bisect_left(names, relpath)
        if at < len(names) and names[at] == relpath:
            return at
        if self._positions is None:
            self._positions = {name: at for at, name in enumerate(names)}
        return self._positions.get(relpath)

    def back_output(self, relpath: str) -> bytes | None:
        """The output digest of the back tree's file, or None if it has none."""
        if self.blobs is None:
            entry = self.trees.back.get(relpath)
        else:
            entry = _entry(self.blobs[1], self._index(relpath))
        return entry[1] if entry is not None else None

    def to_link(self, skip_prefix: str | None) -> list[str]:
        """The live files whose bytes the back tree lacks (as build_plan._decide sees them)."""
        if self.blobs is None:
            back = self.trees.back
            return [
                path
                for path, page in self.trees.live.items()
                if (skip_prefix is None or not path.startswith(skip_prefix))
                and (path not in back or back[path][1] != page[1])
            ]
        (paths, live), (_, back_digests) = self.blobs
        if live == back_digests:
            return []
        names = self._names = self._names or paths.split("\n")
        found: list[str] = []
        for block in range(0, len(live), BLOCK):
            if live[block : block + BLOCK] == back_digests[block : block + BLOCK]:
                continue
            for at in range(block, min(block + BLOCK, len(live)), 32):
                if live[at + 16 : at + 32] != back_digests[at + 16 : at + 32]:
                    found.append(names[at // 32])
        return found

    def manifest(self, skip_prefix: str | None) -> Manifest | ManifestBlob:
        """The new live tree's manifest: the live one with the changes (and without skip_prefix)."""
        if self.blobs is None:
            manifest = {
                path: entry
                for path, entry in self.trees.live.items()
                if skip_prefix is None or not path.startswith(skip_prefix)
            }
            manifest.update(self.changes)
            return manifest
        paths, digests = self.blobs[0]
        updated = bytearray(digests)
        for relpath, (input_digest, output_digest) in self.changes.items():
            index = self._index(relpath)
            if index is None:
                raise ValueError(f"{relpath} is not in the manifest")
            updated[32 * index : 32 * index + 32] = input_digest + output_digest
        return paths, bytes(updated)


def open_manifests(out_dir: Path, *, compact: bool) -> QuickManifests:
    """The trees of out_dir for a quick build; the stored blobs when `compact` allows it."""
    out_dir = out_dir.absolute()
    back_dir = state_dir_for(out_dir) / "back"
    manifests_dir = state_dir_for(out_dir) / "manifests"
    if compact and back_dir.is_dir() and out_dir.is_dir():
        live = read_manifest_blob(manifests_dir, out_dir)
        back = read_manifest_blob(manifests_dir, back_dir)
        if live is not None and back is not None and live[0] == back[0]:
            trees = OutputTrees(out_dir, back_dir, manifests_dir, {}, {})
            return QuickManifests(trees, (live, back))
    return QuickManifests(open_output(out_dir, clean=False))


def read_manifest_blob(manifests_dir: Path, tree: Path) -> ManifestBlob | None:
    """A tree's manifest as stored, without building its dict: None unless in the compact form."""
    try:
        with _manifest_path(manifests_dir, tree).open("rb") as handle:
            data = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return None
    paths, digests = data.get("paths"), data.get("digests")
    if not isinstance(paths, str) or not isinstance(digests, bytes) or not paths:
        return None
    if len(digests) != 32 * (paths.count("\n") + 1):
        return None
    return paths, digests


def _entry(blob: ManifestBlob, index: int | None) -> tuple[bytes, bytes] | None:
    if index is None:
        return None
    digests = blob[1]
    return digests[32 * index : 32 * index + 16], digests[32 * index + 16 : 32 * index + 32]
