"""CPU that rendering one page costs, by page kind, in one process (issue 6).

    python tests/bench/bench_render.py --archive /tmp/helper-render/archive [--rounds 5]
        [--source DIR] [--out /dev/shm/bench-render]

Builds the archive once with `--jobs 1` into `--out` (clean), catching every
page the build renders (its spec, what the planner gave it, the cable's
file as read), then renders all of them again `--rounds` times through
build_render.render_spec, each round with a fresh renderer (a new Jinja
environment, so the `cached` fragments start empty as in a build). CPU is
time.thread_time() of the rendering thread only, around each page (reading
the cable files is not counted: they were read once, before). Prints, per
page kind, the pages and the median over rounds of the CPU ms per page;
the Markdown body (render_body) of cable pages apart; and a digest of all
the bytes rendered, so two sources can be checked to render the same pages.

`--source DIR` runs another cablesite (e.g. a commit exported with
`git archive HEAD | tar -x -C DIR`) instead of this checkout: compare the
two by running both, alternately, on the same archive. Keep the archive
small (2,000 cables: ~10 s a round) and the machine quiet. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, required=True, help="folder with site.yaml")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--source", type=Path, default=REPO_DIR, help="cablesite to measure")
    parser.add_argument("--out", type=Path, default=Path("/dev/shm/bench-render"))
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="then one more round under cProfile: print its N costliest functions",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.source.resolve()))

    import generator.build_render as build_render
    from generator.build import build
    from generator.build_setup import make_renderer
    from generator.config import load_config
    from generator.render import PAGE_TEMPLATES, load_theme

    config = load_config(args.archive / "site.yaml")
    caught: list[tuple[Any, Any, Any, Any]] = []
    views: list[Any] = []
    original_spec = build_render.render_spec
    original_body = build_render.render_body

    def catch(renderer: Any, site_view: Any, spec: Any, need: Any, document: Any) -> bytes:
        if not views or views[-1] is not site_view:
            views.append(site_view)
        caught.append((len(views) - 1, spec, need, document))
        return original_spec(renderer, site_view, spec, need, document)

    build_render.render_spec = catch
    started = time.perf_counter()
    build(config, args.out, clean=True, jobs=1)
    seconds = time.perf_counter() - started
    print(f"source {args.source}: built {len(caught)} pages in {seconds:.1f} s")
    build_render.render_spec = original_spec

    body_cpu = [0.0]

    def timed_body(*body_args: Any) -> Any:
        begin = time.thread_time()
        try:
            return original_body(*body_args)
        finally:
            body_cpu[0] += time.thread_time() - begin

    build_render.render_body = timed_body
    theme = load_theme(config)
    per_kind: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    bodies: list[float] = []
    totals: list[float] = []
    digests: set[str] = set()
    for _ in range(args.rounds):
        renderer = make_renderer(theme, config, args.out, PAGE_TEMPLATES)
        spent: dict[str, float] = defaultdict(float)
        counts.clear()
        body_cpu[0] = 0.0
        hasher = hashlib.blake2b(digest_size=16)
        for view_index, spec, need, document in caught:
            begin = time.thread_time()
            data = original_spec(renderer, views[view_index], spec, need, document)
            spent[spec.kind] += time.thread_time() - begin
            counts[spec.kind] += 1
            hasher.update(spec.relpath.encode() + b"\0" + data)
        digests.add(hasher.hexdigest())
        for kind, seconds in spent.items():
            per_kind[kind].append(seconds)
        bodies.append(body_cpu[0])
        totals.append(sum(spent.values()))

    print(f"{'kind':<14} {'pages':>6} {'ms/page':>9} {'total s':>8}   (median of {args.rounds})")
    for kind in sorted(per_kind, key=lambda k: -statistics.median(per_kind[k])):
        total = statistics.median(per_kind[kind])
        print(f"{kind:<14} {counts[kind]:>6} {1000 * total / counts[kind]:>9.3f} {total:>8.2f}")
    body = statistics.median(bodies)
    cables = max(1, counts["cable"])
    print(f"{'(cable body)':<14} {cables:>6} {1000 * body / cables:>9.3f} {body:>8.2f}")
    rounds = ", ".join(f"{t:.2f}" for t in totals)
    median, best = statistics.median(totals), min(totals)
    print(f"all pages: {median:.2f} CPU s median, {best:.2f} best (rounds: {rounds})")
    print("output digest:", " ".join(sorted(digests)))
    if args.profile:
        import cProfile
        import pstats

        renderer = make_renderer(theme, config, args.out, PAGE_TEMPLATES)
        with cProfile.Profile() as profile:
            for view_index, spec, need, document in caught:
                original_spec(renderer, views[view_index], spec, need, document)
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
