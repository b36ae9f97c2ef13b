"""How long from saving a cable to the new subject being served by `cablesite serve`.

    python tests/bench/serve_latency.py ARCHIVE_DIR [--edits 5]

ARCHIVE_DIR holds site.yaml and content/ (it is served in place: public/ and
the caches are written there, and the edited cable is put back at the end).
Prints the startup time and, for each edit, the seconds until the page served
shows the new subject, then the median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import browser_support
from browser_support import ServerProcess, set_subject


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    archive = args.archive.resolve()
    browser_support.DEADLINE_SECONDS = 900  # a big archive's rebuild is not a test failure here
    cable = sorted((archive / "content" / "cables").rglob("*.md"))[-1]
    year, month = cable.parent.parent.name, cable.parent.name
    url = f"/cable/{year}/{month}/{cable.stem}.html"
    original = cable.read_bytes()
    started = time.perf_counter()
    server = ServerProcess(archive, startup_seconds=3600)
    print(f"startup (first build and serving): {time.perf_counter() - started:.2f}s")
    latencies: list[float] = []
    try:
        for number in range(args.edits):
            subject = f"LATENCY PROBE {number} {time.time_ns()}"
            before = time.perf_counter()
            set_subject(cable, subject)
            server.wait_for_page(url, subject)
            latencies.append(time.perf_counter() - before)
            print(f"edit {number + 1}: {latencies[-1]:.2f}s")
            time.sleep(1.0)
    finally:
        cable.write_bytes(original)
        server.stop()
    print(f"median edit -> served: {statistics.median(latencies):.2f}s ({url})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
