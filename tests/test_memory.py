"""The memory figures of a build: a child's own peak, and memory given back before Pagefind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from generator.memory import peak_memory, release_memory
from generator.search_pagefind import run_pagefind

MiB = 1 << 20
CHILD = "import time; x = b'y' * ({size} << 20); time.sleep({seconds}); print('done')"


def test_a_child_peak_is_its_own_not_the_size_of_the_process_that_started_it(
    tmp_path: Path,
) -> None:
    ballast = b"b" * (400 * MiB)  # this process is big, as a build is when it starts Pagefind
    code = CHILD.format(size=64, seconds=0.3)
    returncode, output, peak = run_pagefind(
        Path(sys.executable), [sys.executable, "-c", code], tmp_path
    )
    assert returncode == 0 and output.strip() == "done"
    assert 64 * MiB <= peak < 200 * MiB, peak >> 20
    assert len(ballast) == 400 * MiB


def test_a_short_child_is_read_too(tmp_path: Path) -> None:
    code = CHILD.format(size=16, seconds=0.1)
    _, _, peak = run_pagefind(Path(sys.executable), [sys.executable, "-c", code], tmp_path)
    assert 16 * MiB <= peak < 200 * MiB, peak >> 20


def test_the_peak_of_a_process_that_is_gone_is_unknown() -> None:
    child = subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert child.returncode == 0
    assert peak_memory(2**22 + 12345) == 0  # above Linux's default pid_max
    assert peak_memory(os.getpid()) > 10 * MiB


def test_release_memory_gives_back_what_was_let_go() -> None:
    before = release_memory()
    rows = [(f"cable/{n}.html", n.to_bytes(16, "big")) for n in range(1_000_000)]
    grown = release_memory()
    assert grown - before > 100 * MiB  # ~1 million small objects of a plan or a manifest
    del rows
    after = release_memory()
    assert after - before < 30 * MiB, (before >> 20, grown >> 20, after >> 20)


def test_release_memory_fills_what_it_keeps_again_with_the_same_contents() -> None:
    digest = bytes(range(16))
    manifest = {f"cable/2009/{n}.html": (digest, n.to_bytes(16, "big")) for n in range(50_000)}
    pages = [(relpath, None) for relpath in manifest]
    expected_manifest, expected_pages = dict(manifest), list(pages)
    same_manifest, same_pages = manifest, pages
    release_memory([manifest, pages])
    assert manifest is same_manifest and pages is same_pages  # filled in place
    assert manifest == expected_manifest and pages == expected_pages
    assert list(manifest) == list(expected_manifest)  # in the same order
    assert pages[7][0] is next(k for i, k in enumerate(manifest) if i == 7)  # shared, as before
