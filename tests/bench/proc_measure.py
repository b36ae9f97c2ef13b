"""Run a command and measure it: wall time, peak RSS of its whole process tree, output size.

Peak memory is taken two ways, because a build may use worker processes:
- `tree_peak`: the highest sum of the RSS of the process and all its descendants,
  polled from /proc every 20 ms (a process living less than a poll can be missed);
- `max_single`: ru_maxrss from wait4(), the largest RSS any one process of the
  tree reached (exact, but it is a max, not a sum: two 1 GiB workers show 1 GiB).
CPU time (user + system of the whole tree) is reported beside wall time: on a
shared machine it moves much less than wall time when other work competes for
the cores. Linux only (/proc).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class RunResult:
    command: tuple[str, ...]
    returncode: int
    seconds: float
    tree_peak: int  # bytes
    max_single: int  # bytes
    max_processes: int  # most processes seen alive at once in the tree
    # user + system time of the tree: wait4() counts only processes that were waited for
    # (not workers of a forkserver), polling misses the last 20 ms of each process: the larger
    cpu_seconds: float
    load: float  # the machine's 1-minute load average when the run started
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self) -> str:
        """The last meaningful line of the output, for the report."""
        lines = [line for line in (self.stderr + "\n" + self.stdout).splitlines() if line.strip()]
        return lines[-1].strip()[:160] if lines else f"exit {self.returncode}"


TICKS = os.sysconf("SC_CLK_TCK")


def _process_table() -> tuple[dict[int, list[int]], dict[int, int]]:
    """(parent pid -> child pids, pid -> user + system clock ticks) of every process."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: the fields start after the last ')'
        fields = stat[stat.rindex(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    return children, ticks


def tree_rss(root_pid: int, cpu_seen: dict[int, int] | None = None) -> tuple[int, int]:
    """(sum of the RSS of root_pid and its descendants in bytes, number of processes).

    `cpu_seen` (pid -> clock ticks) is updated with the CPU time of each process of the tree.
    """
    children, ticks = _process_table()
    total, count, stack = 0, 0, [root_pid]
    while stack:
        pid = stack.pop()
        if cpu_seen is not None and pid in ticks:
            cpu_seen[pid] = max(cpu_seen.get(pid, 0), ticks[pid])
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE_SIZE
            count += 1
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(children.get(pid, ()))
    return total, count


def run_measured(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> RunResult:
    """Run `command` to its end and measure it (stdout and stderr kept, and written to log_path)."""
    load = os.getloadavg()[0]
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    peak = [0, 0]
    cpu_seen: dict[int, int] = {}
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            rss, count = tree_rss(process.pid, cpu_seen)
            peak[0] = max(peak[0], rss)
            peak[1] = max(peak[1], count)
            done.wait(POLL_SECONDS)

    outputs: dict[str, bytes] = {}

    def drain(name: str) -> None:
        stream = process.stdout if name == "stdout" else process.stderr
        assert stream is not None
        outputs[name] = stream.read()

    threads = [threading.Thread(target=poll, daemon=True)]
    threads += [
        threading.Thread(target=drain, args=(name,), daemon=True) for name in ("stdout", "stderr")
    ]
    for thread in threads:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    for thread in threads:
        thread.join()
    stdout = outputs.get("stdout", b"").decode("utf-8", "replace")
    stderr = outputs.get("stderr", b"").decode("utf-8", "replace")
    if log_path:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_text(
            f"$ {' '.join(command)}\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n", encoding="utf-8"
        )
    return RunResult(
        command=tuple(command),
        returncode=process.returncode,
        seconds=seconds,
        tree_peak=peak[0],
        max_single=usage.ru_maxrss * 1024,
        max_processes=peak[1],
        cpu_seconds=max(usage.ru_utime + usage.ru_stime, sum(cpu_seen.values()) / TICKS),
        load=load,
        stdout=stdout,
        stderr=stderr,
    )


@dataclass(frozen=True, slots=True)
class TreeStats:
    files: int
    bytes: int
    html_files: int


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """relative path -> (size, mtime_ns) of every file under root (empty if root is missing)."""
    result: dict[str, tuple[int, int]] = {}
    if not root.is_dir():
        return result
    prefix = len(str(root)) + 1
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    result[entry.path[prefix:]] = (info.st_size, info.st_mtime_ns)
    return result


def tree_stats(files: Mapping[str, tuple[int, int]]) -> TreeStats:
    return TreeStats(
        files=len(files),
        bytes=sum(size for size, _ in files.values()),
        html_files=sum(1 for name in files if name.endswith(".html")),
    )


def changed_files(
    before: Mapping[str, tuple[int, int]], after: Mapping[str, tuple[int, int]]
) -> int:
    """Files added, removed, or whose size or mtime changed."""
    return sum(1 for name, stat in after.items() if before.get(name) != stat) + sum(
        1 for name in before if name not in after
    )
