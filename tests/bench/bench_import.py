"""Import throughput of `cablesite import`: the real corpus and synthetic cables.csv dumps.

    python tests/bench/bench_import.py                    # corpus + a 20,000-row cables.csv
    python tests/bench/bench_import.py --rows 20000 100000 --jobs 1 2

For each source and each --jobs value it imports into a fresh content folder
(first import: every cable new), then imports again (every cable unchanged),
and prints cables per second and the peak memory of the whole process tree
(the importing process and its workers, polled from /proc; see proc_measure.py).
Running it with two row counts shows whether memory stays flat as the CSV grows.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from proc_measure import RunResult, run_measured

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent.parent
CORPUS_DIR = REPO_DIR.parent / "shared" / "corpus"


def import_command(sources: list[str], content_dir: Path, jobs: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "generator",
        "import",
        *sources,
        "--into",
        str(content_dir),
        "--jobs",
        str(jobs),
    ]


def measure(label: str, sources: list[str], work_dir: Path, jobs: int) -> None:
    content_dir = work_dir / f"content-{label}-j{jobs}"
    shutil.rmtree(content_dir, ignore_errors=True)
    for run in ("first", "again"):
        result = run_measured(import_command(sources, content_dir, jobs), cwd=REPO_DIR)
        report(label, jobs, run, result, content_dir)


def report(label: str, jobs: int, run: str, result: RunResult, content_dir: Path) -> None:
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.failure()
    counts = [int(part.split()[0]) for part in summary.split(",")[:3] if part.split()[0].isdigit()]
    cables = sum(counts)
    rate = cables / result.seconds if result.seconds else 0.0
    print(
        f"{label:>14} | jobs {jobs} | {run:>5} | {cables:>7,} cables | {result.seconds:7.1f} s | "
        f"{rate:7,.0f} cables/s | tree peak {result.tree_peak / 2**20:6.0f} MiB | "
        f"largest process {result.max_single / 2**20:5.0f} MiB | {summary}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        nargs="*",
        default=[20_000],
        help="sizes of the synthetic cables.csv dumps (default: 20000)",
    )
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--no-corpus", action="store_true", help="skip the corpus import")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temp dir)")
    args = parser.parse_args()
    work_dir = args.work or Path(tempfile.mkdtemp(prefix="cablesite-bench-import-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {work_dir}", flush=True)
    if not args.no_corpus:
        pages_dir = work_dir / "pages"
        if not pages_dir.exists():
            with tarfile.open(CORPUS_DIR / "cablegate-2010" / "pages.tar.xz") as archive:
                archive.extractall(pages_dir, filter="data")
        for jobs in args.jobs:
            measure("corpus", [str(CORPUS_DIR / "raw"), str(pages_dir)], work_dir, jobs)
    for rows in args.rows:
        csv_path = work_dir / f"cables-{rows}.csv"
        if not csv_path.exists():
            subprocess.run(
                [
                    sys.executable,
                    str(BENCH_DIR / "make_archive.py"),
                    "-n",
                    str(rows),
                    "--seed",
                    "1",
                    "--csv",
                    str(csv_path),
                ],
                check=True,
                cwd=REPO_DIR,
                stdout=subprocess.DEVNULL,
            )
        size = csv_path.stat().st_size / 2**20
        for jobs in args.jobs:
            measure(f"csv {rows:,} ({size:.0f} MB)", [str(csv_path)], work_dir, jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
