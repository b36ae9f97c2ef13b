"""Import throughput of `cablesite import`: the real corpus, and cables.csv dumps built from it.

    python tests/bench/bench_import.py                     # corpus + a 20,000-row cables.csv
    python tests/bench/bench_import.py --rows 20000 100000 --jobs 1 2
    python tests/bench/bench_import.py --stages 5000 --runs 5   # CPU ms per cable, stage by stage
    python tests/bench/bench_import.py --stages 2000 --csv /tmp/bench/n10000/cables.csv  # synth.

For each source and each --jobs value it imports into a fresh content folder
(first run: every cable new), then imports the same source again (every cable
unchanged), and prints cables per second and the peak memory: the largest sum
of the resident memory of the importing process and all its workers, polled
from /proc every 20 ms. Two row counts show whether memory stays flat as the
CSV grows. The dumps repeat the ~1,040 corpus cables with the layout of the
real cables.csv (a repeat gets another year in its id). Linux only.
Not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent.parent
CORPUS_DIR = REPO_DIR.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO_DIR))

from generator.cable import Cable, cable_to_markdown  # noqa: E402
from generator.importer import iter_raw_cables  # noqa: E402
from generator.importer_write import (  # noqa: E402
    apply_prepared,
    index_content,
    parse_raw_cable,
    prepare_cable,
)
from generator.parse import ParseResult, RawCable  # noqa: E402
from generator.parse_body import body_to_markdown  # noqa: E402
from generator.reference import load_reference_tables  # noqa: E402

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def corpus_sources() -> list[str]:
    return [str(CORPUS_DIR / "raw"), str(CORPUS_DIR / "cablegate-2010" / "pages.tar.xz")]


# ---------------------------------------------------------------- a cables.csv made of the corpus


def corpus_rows() -> list[tuple[Cable, RawCable]]:
    tables = load_reference_tables()
    rows: dict[str, tuple[Cable, RawCable]] = {}
    for raw in iter_raw_cables(corpus_sources()):
        if isinstance(raw, RawCable):
            parsed = parse_raw_cable(raw, tables)
            if isinstance(parsed, ParseResult):
                cable = parsed.document.cable
                if cable.created is not None:
                    rows.setdefault(cable.id, (cable, raw))
    return [rows[cable_id] for cable_id in sorted(rows)]


def csv_field(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def split_header(text: str) -> tuple[str, str]:
    """Header (routing lines) and content, split before the classification banner line."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines[:80]):
        words = line.replace(" ", "").upper()
        if words.startswith(("UNCLAS", "CONFIDENTIAL", "SECRET", "LIMITEDOFFICIALUSE")):
            return "".join(lines[:index]).rstrip("\r\n"), "".join(lines[index:])
    return "", text


def unique_id(cable_id: str, copy: int) -> str:
    """The id of copy n of a cable: its year moved on by n (09ROME1240 -> 12ROME1240 for n=3).

    The parser canonicalises ids (a suffix or a seven-digit serial is undone),
    so a copy needs an id of the real shape; the year is the one free part.
    """
    if copy == 0 or not cable_id[:2].isdigit():
        return cable_id
    return f"{(int(cable_id[:2]) + copy) % 100:02d}{cable_id[2:]}"


def write_csv(path: Path, row_count: int) -> None:
    cables = corpus_rows()
    with path.open("w", encoding="utf-8", newline="") as handle:
        for number in range(1, row_count + 1):
            cable, raw = cables[(number - 1) % len(cables)]
            copy = (number - 1) // len(cables)
            cable_id = unique_id(cable.id, copy)
            created = cable.created
            assert created is not None
            header, content = split_header(raw.text)
            fields = [
                str(number),
                f"{created.month}/{created.day}/{created.year} {created.hour}:{created.minute:02d}",
                cable_id,
                cable.origin or "",
                cable.classification or "",
                "|".join(cable.references),
                header,
                content,
            ]
            handle.write(",".join(csv_field(field) for field in fields) + "\n")


# ---------------------------------------------------------------- measuring


def tree_usage(root_pid: int, cpu_by_pid: dict[int, tuple[float, float]]) -> int:
    """Resident memory (bytes) of a process and all its descendants; records their CPU seconds
    (user, system)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_bytes()
            except OSError:
                continue
            parent = int(stat[stat.rindex(b")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):  # the process just ended
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
            stat = Path(f"/proc/{pid}/stat").read_bytes()
            fields = stat[stat.rindex(b")") + 2 :].split()
            cpu_by_pid[pid] = (int(fields[11]) / CLOCK_TICKS, int(fields[12]) / CLOCK_TICKS)
        todo.extend(children.get(pid, ()))
    return total


def run_import(
    sources: list[str], content_dir: Path, jobs: int
) -> tuple[float, float, float, int, str]:
    """(wall seconds, CPU seconds, system CPU seconds, peak tree memory in bytes, summary line).

    CPU seconds (user + system of every process of the tree, polled) vary less
    with the load of a shared machine than wall time. The system part is mostly
    creating files (two per new cable: ~0.1-0.5 ms each on this machine's ext4).
    """
    command = [sys.executable, "-m", "generator", "import", *sources]
    command += ["--into", str(content_dir), "--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO_DIR, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    peak = 0
    cpu_by_pid: dict[int, tuple[float, float]] = {}
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_usage(process.pid, cpu_by_pid))
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    stdout, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    poller.join()
    lines = stdout.strip().splitlines()
    summary = lines[-1] if lines else f"exit code {process.returncode}"
    system = sum(sys_seconds for _, sys_seconds in cpu_by_pid.values())
    return seconds, sum(user for user, _ in cpu_by_pid.values()) + system, system, peak, summary


def measure(label: str, sources: list[str], work_dir: Path, jobs: int, once: bool) -> None:
    content_dir = work_dir / f"content-j{jobs}"
    set_aside(content_dir, work_dir)
    for run in ("first", "again")[: 1 if once else 2]:
        seconds, cpu_seconds, system, peak, summary = run_import(sources, content_dir, jobs)
        words = [part.split()[0] for part in summary.split(",")[:3]]
        cables = sum(int(word) for word in words if word.isdigit())
        print(
            f"{label:>22} | jobs {jobs} | {run:>5} | {cables:>7,} cables | {seconds:6.1f} s | "
            f"{cables / seconds:6,.0f} cables/s | CPU {cpu_seconds:6.1f} s "
            f"(system {system:5.1f} s) = "
            f"{cables / max(cpu_seconds, 0.01):5,.0f} cables/CPU-s | "
            f"peak {peak / 2**20:5.0f} MiB | {summary}",
            flush=True,
        )
    set_aside(content_dir, work_dir)


def set_aside(folder: Path, work_dir: Path) -> None:
    """Move an earlier output into WORK/trash (deleted when the script ends), not rm -rf it.

    On this machine's ext4 (no journal) the files created right after a
    deletion cost several times the system time (the inode allocator skips
    recently freed inodes; see tests/bench/README.md): two back-to-back --stages
    runs that deleted their folders read 0.51 and 1.90 ms of system time a cable
    for apply.
    """
    if folder.exists():
        trash = work_dir / "trash"
        trash.mkdir(exist_ok=True)
        folder.rename(trash / f"{folder.name}-{time.time_ns()}")


# ---------------------------------------------------------------- CPU time by stage


def stage_times(csv_path: Path, rows: int, work_dir: Path) -> dict[str, float]:
    """CPU seconds per cable of each stage of an import, in this one process (--jobs 1 shape).

    read: the cables.csv rows into RawCables; body: parse_body.body_to_markdown;
    header: the rest of parse_cable (parse_raw_cable minus the body); yaml: the
    .md text (front matter and body) as bytes; prepare: all a worker does for a
    new cable (parse, render, compare with content/); apply: writing both files;
    again: prepare + apply of the same cables once more (all unchanged).
    """
    times: dict[str, float] = {}

    def timed(name: str, run: object) -> object:
        start, system = time.process_time(), os.times().system
        result = run() if callable(run) else None
        times[name] = (time.process_time() - start) / rows
        times[f"{name} system"] = (os.times().system - system) / rows
        return result

    raws = timed("read", lambda: _first_raws(csv_path, rows))
    assert isinstance(raws, list)
    tables = load_reference_tables()
    timed("body", lambda: [body_to_markdown(raw.text) for raw in raws])
    parsed = timed("parse", lambda: [parse_raw_cable(raw, tables) for raw in raws])
    assert isinstance(parsed, list)
    documents = [item.document for item in parsed if isinstance(item, ParseResult)]
    timed(
        "yaml",
        lambda: [cable_to_markdown(d.cable, d.body).encode("utf-8") for d in documents],
    )
    content_dir = work_dir / "content-stages"
    set_aside(content_dir, work_dir)
    index = index_content(content_dir)
    prepared = timed(
        "prepare", lambda: [prepare_cable(r, tables, content_dir, index) for r in raws]
    )
    assert isinstance(prepared, list)
    timed("apply", lambda: [apply_prepared(item, content_dir, index) for item in prepared])
    timed(
        "again",
        lambda: [
            apply_prepared(prepare_cable(raw, tables, content_dir, index), content_dir, index)
            for raw in raws
        ],
    )
    set_aside(content_dir, work_dir)
    times["header"] = times["parse"] - times["body"]
    times["header system"] = times["parse system"] - times["body system"]
    times["import"] = times["read"] + times["prepare"] + times["apply"]
    times["import system"] = sum(times[f"{name} system"] for name in ("read", "prepare", "apply"))
    return times


def _first_raws(csv_path: Path, rows: int) -> list[RawCable]:
    raws = []
    for item in iter_raw_cables([str(csv_path)]):
        if isinstance(item, RawCable):
            raws.append(item)
            if len(raws) == rows:
                break
    return raws


def report_stages(csv_path: Path, rows: int, runs: int, work_dir: Path) -> None:
    """Median over `runs` of each stage's CPU ms per cable."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, seconds in stage_times(csv_path, rows, work_dir).items():
            samples.setdefault(name, []).append(seconds)
    load = os.getloadavg()[0]
    print(f"CPU ms per cable, median of {runs} runs of {rows:,} rows; load {load:.1f}")
    for name in ("read", "header", "body", "parse", "yaml", "prepare", "apply", "import", "again"):
        values = sorted(samples[name])
        median = values[len(values) // 2]
        spread = f"{values[0] * 1e3:.3f}-{values[-1] * 1e3:.3f}"
        system = sorted(samples[f"{name} system"])[len(values) // 2]
        print(
            f"  {name:8s} {median * 1e3:7.3f} ms  ({spread})  system {system * 1e3:6.3f} ms",
            flush=True,
        )
    imported = sorted(samples["import"])[runs // 2]
    print(f"  = {1 / imported:,.0f} cables per CPU-second (read + prepare + apply)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        nargs="*",
        default=[20_000],
        help="rows of the cables.csv dumps built from the corpus (default: 20000)",
    )
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--no-corpus", action="store_true", help="skip the corpus import")
    parser.add_argument("--once", action="store_true", help="skip the second (unchanged) import")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temp dir)")
    parser.add_argument(
        "--stages",
        type=int,
        default=0,
        metavar="ROWS",
        help="only time each stage (CPU ms per cable) on the first ROWS rows, in this process",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs for --stages (median)")
    parser.add_argument(
        "--csv",
        type=Path,
        default=None,
        help="time --stages on this cables.csv instead of one made of the corpus "
        "(e.g. make_archive.py's synthetic one)",
    )
    args = parser.parse_args()
    work_dir = args.work or Path(tempfile.mkdtemp(prefix="cablesite-bench-import-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        return run(args, work_dir)
    finally:
        shutil.rmtree(work_dir / "trash", ignore_errors=True)


def run(args: argparse.Namespace, work_dir: Path) -> int:
    if args.stages:
        rows = max(args.rows or [20_000])
        csv_path = args.csv or work_dir / f"cables-{rows}.csv"
        if not csv_path.exists():
            write_csv(csv_path, rows)
        report_stages(csv_path, min(args.stages, rows), args.runs, work_dir)
        return 0
    print(f"work folder: {work_dir}; {os.cpu_count()} cores", flush=True)
    if not args.no_corpus:
        for jobs in args.jobs:
            measure("corpus", corpus_sources(), work_dir, jobs, args.once)
    for rows in args.rows:
        csv_path = work_dir / f"cables-{rows}.csv"
        if not csv_path.exists():
            write_csv(csv_path, rows)
        label = f"csv {rows:,} rows {csv_path.stat().st_size / 2**20:.0f} MB"
        for jobs in args.jobs:
            measure(label, [str(csv_path)], work_dir, jobs, args.once)
    return 0


if __name__ == "__main__":
    sys.exit(main())
