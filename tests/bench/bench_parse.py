"""Parse throughput on the real corpus: the front matter alone, and all of parse_cable.

    python tests/bench/bench_parse.py [--repeat 10]

Reads the 54 corpus cables of ../shared/corpus/raw and the 985 pages of
../shared/corpus/cablegate-2010/pages.tar.xz once (through importer.iter_raw_cables),
then parses them `--repeat` times (at least 10,000 cables in all) in this one process
and prints CPU time per cable and cables per second. The machine is shared: CPU time
(time.process_time) is reported beside wall time, with the load average, and the best
of three rounds is kept. Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_DIR))

import generator.parse as parse_module  # noqa: E402
from generator.errors import Problem  # noqa: E402
from generator.importer import iter_raw_cables  # noqa: E402
from generator.parse import RawCable, parse_cable  # noqa: E402
from generator.parse_body import BodyResult  # noqa: E402
from generator.reference import load_reference_tables  # noqa: E402

CORPUS_DIR = REPO_DIR.parent / "shared" / "corpus"


def read_corpus(pages_dir: Path) -> list[RawCable]:
    with tarfile.open(CORPUS_DIR / "cablegate-2010" / "pages.tar.xz", "r:xz") as archive:
        archive.extractall(pages_dir, filter="data")
    raws = []
    for item in iter_raw_cables([str(CORPUS_DIR / "raw"), str(pages_dir)]):
        if isinstance(item, Problem):
            raise SystemExit(f"cannot read the corpus: {item}")
        raws.append(item)
    return raws


def measure(
    raws: list[RawCable], repeat: int, parse: Callable[[RawCable], object]
) -> tuple[float, float]:
    """Best of three rounds: (CPU seconds, wall seconds) for repeat x len(raws) parses."""
    best_cpu = best_wall = float("inf")
    for _ in range(3):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(repeat):
            for raw in raws:
                parse(raw)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall


def report(label: str, count: int, cpu: float, wall: float) -> None:
    print(
        f"{label:34s} {count:6d} cables  {cpu / count * 1e6:8.0f} us/cable CPU  "
        f"{count / cpu:7.0f} cables/s CPU  ({count / wall:7.0f} cables/s wall)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="parse the corpus this many times")
    args = parser.parse_args()

    start = time.process_time()
    tables = load_reference_tables()
    print(f"reference tables loaded once: {time.process_time() - start:.2f} s CPU")
    with tempfile.TemporaryDirectory() as tmp:
        raws = read_corpus(Path(tmp))
    count = len(raws) * args.repeat
    print(f"corpus: {len(raws)} cables x {args.repeat}; load average {os.getloadavg()[0]:.1f}")

    real_body = parse_module.body_to_markdown
    parse_module.body_to_markdown = lambda text, **kw: BodyResult(markdown="", summary=None)
    try:
        cpu, wall = measure(raws, args.repeat, lambda raw: parse_cable(raw, tables))
        report("front matter (body stubbed out)", count, cpu, wall)
    finally:
        parse_module.body_to_markdown = real_body
    cpu, wall = measure(raws, max(1, args.repeat // 5), lambda raw: parse_cable(raw, tables))
    report("parse_cable with the body", len(raws) * max(1, args.repeat // 5), cpu, wall)


if __name__ == "__main__":
    main()
