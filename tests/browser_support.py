"""Helpers for the serve and browser tests: a private archive, a running `cablesite serve`."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

SITES_DIR = Path(__file__).resolve().parent / "sites"
REPO_DIR = Path(__file__).resolve().parent.parent
DEADLINE_SECONDS = 30.0  # generous: CI machines stall; a working server answers in about a second


def copy_archive(target: Path, name: str = "minimal") -> Path:
    """A private copy of tests/sites/NAME (serve and build write caches beside site.yaml)."""
    shutil.copytree(SITES_DIR / name, target)
    return target


class ServerProcess:
    """`python -m generator serve --port 0` in a subprocess; output in files; SIGINT stops it."""

    def __init__(
        self, archive_dir: Path, *extra: str, startup_seconds: float = DEADLINE_SECONDS
    ) -> None:
        self.archive_dir = archive_dir
        self.stdout_path = archive_dir.parent / f"{archive_dir.name}-serve.out"
        self.stderr_path = archive_dir.parent / f"{archive_dir.name}-serve.err"
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_DIR), env.get("PYTHONPATH")]))
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "generator", "serve", "--port", "0", *extra],
                cwd=archive_dir,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        match = self.wait_for_output(
            r"serving .* at http://127\.0\.0\.1:(\d+)/", seconds=startup_seconds
        )
        self.port = int(match.group(1))
        self.base_url = f"http://127.0.0.1:{self.port}"

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_output(
        self, pattern: str, *, stream: str = "stdout", seconds: float = DEADLINE_SECONDS
    ) -> re.Match[str]:
        """Wait until the server printed something matching pattern."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.stdout if stream == "stdout" else self.stderr
            match = re.search(pattern, text)
            if match:
                return match
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(
            f"the server did not print {pattern!r} (exit code {self.process.poll()}):\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of a GET sent with the path exactly as given (no normalising)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest("GET", path, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def wait_for_page(self, path: str, text: str, *, present: bool = True) -> bytes:
        """Fetch path until its body contains text (or no longer does); return that body."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        body = b""
        while time.monotonic() < deadline:
            _, _, body = self.get(path)
            if (text.encode() in body) == present:
                return body
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        state = "appear" if present else "go away"
        raise AssertionError(
            f"{text!r} did not {state} in {path}:\n{body[:3000]!r}\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )

    def stop(self) -> int:
        """Ctrl-C; the exit code. Fails if the server, or any process it started, outlives it."""
        if self.process.poll() is None:
            children = descendants(self.process.pid)
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=DEADLINE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"Ctrl-C did not stop the server:\n{self.stdout}") from None
            deadline = time.monotonic() + 10
            while (alive := [pid for pid in children if is_running(pid)]) and (
                time.monotonic() < deadline
            ):
                time.sleep(0.05)
            for pid in alive:
                os.kill(pid, signal.SIGKILL)
            assert not alive, f"processes of the server outlived it: {alive}"
        return self.process.returncode


def descendants(pid: int) -> list[int]:
    """Every process below pid (children, their children...), read from /proc; [] elsewhere."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def is_running(pid: int) -> bool:
    """Whether pid is a live process (a zombie waiting for its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def set_subject(md_path: Path, subject: str) -> None:
    """Rewrite the `subject:` line of a cable's front matter, as a person in an editor would."""
    text = md_path.read_text(encoding="utf-8")
    new, count = re.subn(r"^subject: .*$", f"subject: {subject}", text, count=1, flags=re.M)
    assert count == 1, md_path
    md_path.write_text(new, encoding="utf-8")


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
