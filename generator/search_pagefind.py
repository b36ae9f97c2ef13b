"""The Pagefind program: where it is, its version, and one run of it with its peak memory.

Why the peak is polled: wait4's ru_maxrss is no use here. Linux carries the
size of the process that forked a child over into the program the child
runs, so every Pagefind run reported the build's ~1 GiB. /proc/PID/status
VmHWM, read while Pagefind runs, is the peak of Pagefind's own memory since
its exec (Popen returns once the child has exec'd, so no reading is the
build's); the last reading before it exits is the figure.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.errors import BuildError
from generator.memory import peak_memory

POLL_SECONDS = (0.002, 0.1)  # the first wait, doubled up to the last: short runs are read too


def find_pagefind() -> Path:
    """The Pagefind binary of the installed `pagefind` package (or PAGEFIND_BINARY_PATH)."""
    missing = BuildError(
        "search is on (site.yaml has `search: true`, the default) but the Pagefind "
        "binary is not installed: run `pip install 'pagefind[bin]'` (it comes with "
        "cablesite), or set `search: false` in site.yaml"
    )
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise missing from None
    found = get_executable()
    if found is None or not Path(found).is_file():
        raise missing
    return Path(found)


def pagefind_version(binary: Path) -> str:
    """'pagefind 1.5.2' (part of every shard's digest: a new Pagefind re-indexes)."""
    try:
        done = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, check=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BuildError(f"{binary}: cannot run Pagefind: {exc}") from exc
    return done.stdout.strip()


def run_pagefind(binary: Path, command: list[str], work_dir: Path) -> tuple[int, str, int]:
    """Run Pagefind in work_dir: (exit code, its output, its peak memory in bytes or 0)."""
    log_path = work_dir / "pagefind.log"
    with log_path.open("wb") as log_file:
        try:
            process = subprocess.Popen(
                command, cwd=work_dir, stdout=log_file, stderr=subprocess.STDOUT
            )
        except OSError as exc:
            raise BuildError(f"{binary}: cannot run Pagefind: {exc.strerror}") from exc
        peak, wait = 0, POLL_SECONDS[0]
        try:
            while True:
                peak = peak_memory(process.pid) or peak  # Popen returns after the exec
                try:
                    process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    wait = min(wait * 2, POLL_SECONDS[1])
        except BaseException:  # interrupted: Pagefind must not go on writing
            process.kill()
            process.wait()
            raise
    output = log_path.read_bytes().decode("utf-8", "replace")
    return process.returncode, output, peak
