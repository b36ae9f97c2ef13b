"""Fuzz campaign over mutated corpus cables: the reader and parser never crash or hang (issue 7).

    python tests/fuzz/fuzz_parse.py [--examples 20000] [--big-share 0.01] [--seed 1]
                                    [--timeout 60] [--pages 985] [--out /tmp/fuzz-defects]

Takes the 54 files of ../shared/corpus/raw and the pages of the 2010 cable site,
mutates them (tests/fuzz/mutate.py: byte flips, truncations, doubled headers,
deleted, duplicated and shuffled lines, line-end and encoding rewrites, random
bytes, splices; a `--big-share` of the examples also get a 10 MB line or a
pattern repeated 100,000 times) and runs each through the importer's reading
and the parser (mutate.check_input). A defect is an exception that is not a
CablesiteError, a message without file and line, an original that differs
from the text read, a front matter that does not read back, or an input that
takes more than `--timeout` seconds of CPU time (SIGVTALRM: the machine is
shared). Each defect is written to `--out` as a file to reproduce it. Prints
the counts; exit 1 on any defect.
Not a test: it runs for as long as it is asked to.
"""

from __future__ import annotations

import argparse
import collections
import random
import signal
import sys
import time
from pathlib import Path
from types import FrameType

REPO_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(REPO_DIR / "tests"))

from fuzz.mutate import check_input, load_seeds, mutate  # noqa: E402

from generator.reference import load_reference_tables  # noqa: E402


class Timeout(BaseException):
    """Raised by SIGVTALRM: not an Exception, so that check_input cannot catch it."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Timeout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--big-share", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=60)
    parser.add_argument("--pages", type=int, default=985)
    parser.add_argument("--out", type=Path, default=Path("/tmp/fuzz-defects"))
    args = parser.parse_args()
    tables = load_reference_tables()
    seeds = load_seeds(args.pages)
    rng = random.Random(args.seed)
    signal.signal(signal.SIGVTALRM, _alarm)
    counts: collections.Counter[str] = collections.Counter()
    by_mutation: collections.Counter[str] = collections.Counter()
    defects: list[str] = []
    slowest: list[tuple[float, str, int]] = []
    started = time.monotonic()
    total_bytes = 0
    for number in range(1, args.examples + 1):
        name, data = rng.choice(seeds)
        kind, mutated = mutate(data, rng, seeds, big=rng.random() < args.big_share)
        total_bytes += len(mutated)
        for part in kind.split("+"):
            by_mutation[part] += 1
        file = f"fuzz/{number}-{name}"
        signal.setitimer(signal.ITIMER_VIRTUAL, args.timeout)
        clock = time.process_time()
        try:
            outcome = check_input(mutated, file, tables)
            defect = outcome.defect
        except Timeout:
            outcome, defect = None, f"took over {args.timeout} s of CPU time"
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        seconds = time.process_time() - clock
        slowest = sorted([*slowest, (seconds, kind, len(mutated))], reverse=True)[:5]
        if defect is not None:
            counts["defect"] += 1
            args.out.mkdir(parents=True, exist_ok=True)
            saved = args.out / f"{number}-{name}.{kind}"
            saved.write_bytes(mutated)
            defects.append(f"{saved}: {defect}")
            print(f"DEFECT {saved}: {defect}", flush=True)
        elif outcome is not None:
            counts["cables"] += outcome.cables
            counts["failures reported"] += outcome.failures
            counts["inputs with a cable" if outcome.cables else "inputs refused"] += 1
        if number % 500 == 0:
            print(f"{number} examples, {time.monotonic() - started:.0f} s, {dict(counts)}",
                  flush=True)
    elapsed = time.monotonic() - started
    print(f"\n{args.examples} examples ({total_bytes / 1e6:.0f} MB) in {elapsed:.0f} s, "
          f"seed {args.seed}, {len(seeds)} seed files")
    print("outcomes:", dict(counts))
    print("mutations:", dict(sorted(by_mutation.items())))
    print("slowest:", [(f"{s:.1f} s", k, f"{n / 1e6:.1f} MB") for s, k, n in slowest])
    print(f"defects: {len(defects)}")
    for line in defects:
        print(" ", line)
    return 1 if defects else 0


if __name__ == "__main__":
    sys.exit(main())
