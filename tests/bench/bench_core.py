"""The records and the report of the benchmark: a Stage per measured step, the Markdown table."""

from __future__ import annotations

import argparse
import compileall
import io
import json
import shlex
import statistics
import subprocess
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from proc_measure import RunResult, run_measured

MIB = 1024 * 1024


@dataclass
class Stage:
    n: int
    tool: str  # 'cablesite' or 'hugo'
    stage: str  # 'import', 'cold build', ...
    seconds: float | None = None
    cpu_seconds: float | None = None
    load: float | None = None  # highest 1-minute load average at the start of a run
    runs: int = 0
    tree_peak_mib: float | None = None
    max_single_mib: float | None = None
    processes: int | None = None
    rate: str = ""
    files: int | None = None
    mbytes: float | None = None
    changed: int | None = None
    note: str = ""
    commands: list[str] = field(default_factory=list)


@dataclass
class Bench:
    args: argparse.Namespace
    cablesite: list[str]
    env: dict[str, str]
    code_dir: Path  # the cablesite measured: a snapshot of a commit, or the checkout itself
    label: str  # 'commit 1a2b3c4d5e6f' or 'working tree'
    stages: list[Stage] = field(default_factory=list)

    def measure(
        self,
        stage: Stage,
        command: Sequence[str],
        *,
        cwd: Path,
        log_dir: Path,
        before_each: Callable[[int], None] | None = None,
        env: dict[str, str] | None = None,
    ) -> list[RunResult]:
        """Run a stage once, or --runs times when it is short; fill in the figures of `stage`."""
        results: list[RunResult] = []
        while True:
            if before_each:
                before_each(len(results))
            result = run_measured(
                command, cwd=cwd, env=env, log_path=log_dir / f"{_slug(stage)}-{len(results)}.log"
            )
            results.append(result)
            print(
                f"  {stage.tool} {stage.stage}: {result.seconds:.2f} s,"
                f" {result.tree_peak / MIB:.0f} MiB"
                + ("" if result.ok else f"  FAILED: {result.failure()}"),
                flush=True,
            )
            if (
                not result.ok
                or len(results) >= self.args.runs
                or result.seconds >= self.args.repeat_under
            ):
                break
        stage.commands.append(shlex.join(command))
        ok = [r for r in results if r.ok]
        if not ok:
            stage.note = f"failed: {results[-1].failure()}"
        else:
            stage.seconds = statistics.median(r.seconds for r in ok)
            stage.cpu_seconds = statistics.median(r.cpu_seconds for r in ok)
            stage.load = max(r.load for r in ok)
            stage.runs = len(ok)
            stage.tree_peak_mib = max(r.tree_peak for r in ok) / MIB
            stage.max_single_mib = max(r.max_single for r in ok) / MIB
            stage.processes = max(r.max_processes for r in ok)
        self.stages.append(stage)
        return results


def _slug(stage: Stage) -> str:
    return f"{stage.tool}-{stage.stage}".replace(" ", "-").replace("/", "-")


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return ours / theirs if ours and theirs else None


def markdown_table(stages: Sequence[Stage]) -> str:
    lines = [
        "| N | tool | stage | wall s | CPU s | runs | load | peak RSS tree MiB | max process MiB"
        " | procs | rate / pages | output files | output MiB | files changed | note |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: "
        "| ---: | --- |",
    ]
    for s in stages:
        lines.append(
            f"| {s.n:,} | {s.tool} | {s.stage} | {_fmt(s.seconds)} | {_fmt(s.cpu_seconds)}"
            f" | {s.runs or '—'} | {_fmt(s.load, 1)}"
            f" | {_fmt(s.tree_peak_mib, 0)} | {_fmt(s.max_single_mib, 0)}"
            f" | {s.processes or '—'} | {s.rate or '—'}"
            f" | {'—' if s.files is None else f'{s.files:,}'} | {_fmt(s.mbytes, 0)}"
            f" | {'—' if s.changed is None else f'{s.changed:,}'} | {s.note} |"
        )
    lines += [
        "",
        "| N | cablesite cold s | Hugo cold s | wall ratio cablesite/Hugo | CPU ratio"
        " | cablesite peak MiB | Hugo peak MiB | RSS ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in sorted({s.n for s in stages}):
        ours = next(
            (s for s in stages if s.n == n and s.tool == "cablesite" and s.stage == "cold build"),
            None,
        )
        hugo = next((s for s in stages if s.n == n and s.tool == "hugo"), None)
        if not ours or not hugo:
            continue
        wall = _ratio(ours.seconds, hugo.seconds)
        cpu = _ratio(ours.cpu_seconds, hugo.cpu_seconds)
        rss = _ratio(ours.tree_peak_mib, hugo.tree_peak_mib)
        lines.append(
            f"| {n:,} | {_fmt(ours.seconds)} | {_fmt(hugo.seconds)} | {_fmt(wall)} | {_fmt(cpu)} |"
            f" {_fmt(ours.tree_peak_mib, 0)} | {_fmt(hugo.tree_peak_mib, 0)} | {_fmt(rss)} |"
        )
    return "\n".join(lines) + "\n"


def write_results(bench: Bench) -> None:
    table = markdown_table(bench.stages)
    (bench.args.work / "results.md").write_text(table, encoding="utf-8")
    data = {
        "args": {k: str(v) for k, v in vars(bench.args).items()},
        "stages": [asdict(s) for s in bench.stages],
    }
    (bench.args.work / "results.json").write_text(
        json.dumps(data, indent=2) + "\n", encoding="utf-8"
    )


def snapshot_source(repo_dir: Path, revision: str, work_dir: Path) -> tuple[Path, str]:
    """Export a commit of the checkout to WORK/src-<sha> (once); return (folder, label).

    Others commit to the checkout while the benchmark runs: measuring a commit,
    not the files as they are at this second, keeps a run consistent and says
    what was measured. 'worktree' measures the checkout as it is.
    """
    if revision == "worktree":
        return repo_dir, "working tree"
    sha = subprocess.run(
        ["git", "-C", str(repo_dir), "rev-parse", "--short=12", revision],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    target = work_dir / f"src-{sha}"
    if not target.exists():
        archive = subprocess.run(
            ["git", "-C", str(repo_dir), "archive", "--format=tar", sha],
            check=True,
            capture_output=True,
        ).stdout
        partial = work_dir / f".src-{sha}.partial"
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(partial, filter="data")
        # An installed cablesite has its bytecode; without it every run would
        # compile the modules again (PYTHONDONTWRITEBYTECODE may be set).
        compileall.compile_dir(partial / "generator", quiet=1)
        partial.rename(target)
    return target, f"commit {sha}"


def print_report(bench: Bench) -> None:
    print()
    print(markdown_table(bench.stages))
    print(f"cablesite measured: {bench.label} ({bench.code_dir})")
    print("Commands (cwd: the archive for builds):")
    for stage in bench.stages:
        for command in dict.fromkeys(stage.commands):
            print(f"  N={stage.n:,} {stage.tool} {stage.stage}: {command}")
    pythonpath = bench.env.get("PYTHONPATH")
    print(
        f"\ncablesite command: {shlex.join(bench.cablesite)}"
        + (f" with PYTHONPATH={pythonpath}" if pythonpath else "")
    )
