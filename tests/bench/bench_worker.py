"""CPU of a build's worker processes, replayed in one process (issue 6).

    python tests/bench/bench_worker.py capture --archive DIR --messages /dev/shm/msgs
    python tests/bench/bench_worker.py replay --archive DIR --messages /dev/shm/msgs
        [--source DIR] [--every K] [--inline] [--out /dev/shm/bench-worker]

`capture` builds the archive cold with `--jobs 2` (into DIR/public: set an
earlier one aside first, see README.md) and saves every message the parent
sends to the workers, pickled as the queue pickles it: the load stage's
front-matter chunks and the render chunks (site view and tasks).

`replay` does with those messages what a worker does (build_render's
parse_one and render_tasks, the pages written into `--out`, emptied
first), in one process, and prints the CPU seconds (time.process_time, all
threads) of unpickling, parsing, rendering and pickling the results, and a
digest of the pickled results (paths and output digests of every page), so
two sources (`--source`, e.g. `git archive REV | tar -x -C DIR`) are
checked to give the same pages. `--every K` replays every K-th message
(for callgrind: `valgrind --tool=callgrind python3.11 ... --every 10`,
with PYTHONHASHSEED=0); `--inline` reads and writes files in the rendering
thread instead of the writer threads. Templates are compiled afresh in
every run (no bytecode cache), so runs of two sources do the same setup.
Not a test.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import os
import pickle
import sys
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parents[2]


class InlineExecutor(Executor):
    """Runs each submitted call at once, in the caller's thread."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def capture(archive: Path, messages: Path) -> None:
    import generator.build_render as build_render
    from generator.build import build
    from generator.config import load_config

    messages.mkdir(parents=True, exist_ok=True)
    from multiprocessing.reduction import ForkingPickler

    original_init = build_render.WorkerPool.__init__
    count = [0]

    def init(pool: Any, renderer: Any, jobs: int) -> None:
        original_init(pool, renderer, jobs)
        put = pool._tasks.put

        def record(message: Any) -> None:
            if message is not None:
                data = bytes(ForkingPickler.dumps(message))
                (messages / f"{count[0]:06d}.pickle").write_bytes(data)
                count[0] += 1
            put(message)

        pool._tasks.put = record

    build_render.WorkerPool.__init__ = init  # type: ignore[method-assign]
    os.chdir(archive)
    build(load_config(Path("site.yaml")), Path("public"), clean=True, jobs=2)
    print(f"{count[0]} messages in {messages}")


def replay(archive: Path, messages: Path, out: Path, every: int, inline: bool) -> None:
    import shutil
    from multiprocessing.reduction import ForkingPickler

    import generator.build_render as build_render
    import generator.build_setup as build_setup
    from generator.config import load_config
    from generator.render import PAGE_TEMPLATES, load_theme

    build_setup.bytecode_cache = lambda config: None  # type: ignore[assignment]
    os.chdir(archive)
    config = load_config(Path("site.yaml"))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    renderer = build_setup.make_renderer(load_theme(config), config, out, PAGE_TEMPLATES)
    raw = [path.read_bytes() for path in sorted(messages.glob("*.pickle"))[::every]]
    writer: Executor = InlineExecutor() if inline else ThreadPoolExecutor(2)
    spent: collections.Counter[str] = collections.Counter()
    items: collections.Counter[str] = collections.Counter()
    hasher = hashlib.blake2b(digest_size=16)
    begin = time.process_time()
    for data in raw:
        start = time.process_time()
        message = pickle.loads(data)
        loaded = time.process_time()
        spent["unpickle"] += loaded - start
        if message[0] == "parse":
            result: Any = ("parsed", [build_render.parse_one(task) for task in message[1]])
        else:
            _, site_view, chunk = message
            result = (
                "rendered",
                list(build_render.render_tasks(renderer, site_view, chunk, writer)),
            )
        done = time.process_time()
        spent[message[0]] += done - loaded
        items[message[0]] += len(message[-1])
        hasher.update(bytes(ForkingPickler.dumps(result)))
        spent["pickle"] += time.process_time() - done
    total = time.process_time() - begin
    writer.shutdown()
    parts = ", ".join(f"{key} {value:.2f}" for key, value in spent.items())
    print(f"CPU s: {total:.2f} ({parts}); items {dict(items)}")
    print("results digest:", hasher.hexdigest())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["capture", "replay"])
    parser.add_argument("--archive", type=Path, required=True, help="folder with site.yaml")
    parser.add_argument("--messages", type=Path, required=True)
    parser.add_argument("--source", type=Path, default=REPO_DIR, help="cablesite to run")
    parser.add_argument("--out", type=Path, default=Path("/dev/shm/bench-worker"))
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--inline", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(args.source.resolve()))
    archive, messages = args.archive.resolve(), args.messages.resolve()
    if args.action == "capture":
        capture(archive, messages)
    else:
        replay(archive, messages, args.out.resolve(), args.every, args.inline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
