"""Body throughput on the real corpus, and how body time grows on hostile input.

    python tests/bench/bench_body.py [--repeat 10] [--hostile-mb 1]

Reads the 54 cables of ../shared/corpus/raw and the 985 pages of
../shared/corpus/cablegate-2010/pages.tar.xz once (through importer.iter_raw_cables),
then turns them into Markdown `--repeat` times with parse_body.body_to_markdown and
prints CPU time per cable, per stage (normalise, artifacts, blocks, everything).
Then it times hostile inputs of 1x, 2x and 4x `--hostile-mb` megabytes (one long
line, repeated artifacts, repeated quote and dash garbles...) and prints the ratio
of the 4x to the 2x time: about 2 means linear. The machine is shared: CPU time
(time.process_time) is reported with the load average, best of three rounds.
Not a test: nothing here fails on a slow machine.
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

from generator.errors import Problem  # noqa: E402
from generator.importer import iter_raw_cables  # noqa: E402
from generator.parse_artifacts import strip_artifacts  # noqa: E402
from generator.parse_blocks import build_blocks  # noqa: E402
from generator.parse_body import body_to_markdown  # noqa: E402
from generator.parse_normalise import normalise_text  # noqa: E402

CORPUS_DIR = REPO_DIR.parent / "shared" / "corpus"

HOSTILE: dict[str, Callable[[int], str]] = {
    "one long line of words": lambda size: "word " * (size // 5),
    "a million short lines": lambda size: "a\n" * (size // 2),
    "SIPDIS repeated": lambda size: "SIPDIS " * (size // 7),
    "page markers in one line": lambda size: "ROME 00001240 002.2 OF 004 " * (size // 27),
    "page marker lines": lambda size: "ROME 00001240 002.2 OF 004\n" * (size // 27),
    "banners": lambda size: "C O N F I D E N T I A L ROME 001240\n" * (size // 36),
    "garbled quotes in one line": lambda size: " &a8" * (size // 4),
    "garbled dashes in one line": lambda size: "x ) " * (size // 4),
    "apostrophes in one line": lambda size: "ab,s " * (size // 5),
    "numbered paragraphs": lambda size: "".join(
        f"{n % 90 + 1}. (C) x.\n" for n in range(size // 10)
    ),
    "dash items": lambda size: "-- x\n" * (size // 5),
    "opening parentheses": lambda size: "(" * size,
    "markup characters": lambda size: "<a>[x](y)*_`{{%}}" * (size // 17),
}


def read_corpus(pages_dir: Path) -> list[str]:
    with tarfile.open(CORPUS_DIR / "cablegate-2010" / "pages.tar.xz", "r:xz") as archive:
        archive.extractall(pages_dir, filter="data")
    texts = []
    for item in iter_raw_cables([str(CORPUS_DIR / "raw"), str(pages_dir)]):
        if isinstance(item, Problem):
            raise SystemExit(f"cannot read the corpus: {item}")
        texts.append(item.text)
    return texts


def best_cpu(run: Callable[[], object], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=10, help="go through the corpus this many times"
    )
    parser.add_argument(
        "--hostile-mb", type=float, default=1.0, help="smallest hostile input, in MB"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        texts = read_corpus(Path(tmp))
    count = len(texts) * args.repeat
    size = sum(len(text) for text in texts) / len(texts)
    print(
        f"corpus: {len(texts)} cables x {args.repeat}, {size / 1000:.1f} kB each on average; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    normalised = [normalise_text(text) for text in texts]
    stripped = [strip_artifacts(text) for text in normalised]
    stages: list[tuple[str, Callable[[], object]]] = [
        ("normalise_text", lambda: [normalise_text(text) for text in texts]),
        ("strip_artifacts", lambda: [strip_artifacts(text) for text in normalised]),
        ("build_blocks", lambda: [build_blocks(list(s.lines), s.ref_lines) for s in stripped]),
        ("body_to_markdown (all)", lambda: [body_to_markdown(text) for text in texts]),
    ]
    for label, stage in stages:
        cpu = best_cpu(lambda stage=stage: [stage() for _ in range(args.repeat)])  # type: ignore[misc]
        print(f"{label:26s} {cpu / count * 1e6:8.0f} us/cable CPU  {count / cpu:8.0f} cables/s CPU")

    print(
        f"\nhostile input (CPU seconds at {args.hostile_mb:g}, x2, x4 MB; ratio x4/x2, 2 = linear)"
    )
    unit = int(args.hostile_mb * 1_000_000)
    for label, make in HOSTILE.items():
        times = []
        for factor in (1, 2, 4):
            text = make(unit * factor)
            start = time.process_time()
            body_to_markdown(text)
            times.append(time.process_time() - start)
        ratio = times[2] / max(times[1], 1e-9)
        print(f"{label:28s} {times[0]:7.2f} {times[1]:7.2f} {times[2]:7.2f}   ratio {ratio:4.1f}")


if __name__ == "__main__":
    main()
