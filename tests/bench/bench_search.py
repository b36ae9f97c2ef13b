"""The search index at archive scale: Pagefind time and memory, index size, bytes per query.

    python tests/bench/bench_search.py --archive /tmp/bench/n10000/archive --build
    python tests/bench/bench_search.py --archive /tmp/bench/n50000/archive --single
    python tests/bench/bench_search.py --archive . --query "nonproliferation directors"

The archive is a folder with site.yaml and content/ (tests/bench/make_archive.py
makes one; `.` is the demo archive of the repository). It measures, in order:

1. `--build`: a cold `cablesite build` (output and caches deleted first), its
   wall and CPU time and peak memory (proc_measure), and the seconds of each
   stage from its report line: the share of the `search` stage is the price of
   the index in a build. Without --build the archive must be built already.
2. Every shard of public/pagefind/shards.json indexed again by a standalone
   Pagefind run over the same cable pages (hard links in a temporary folder),
   as the build does it: pages, wall and CPU seconds, peak RSS (ru_maxrss).
3. `--single`: one Pagefind run over all cable pages, as if there were no
   shards (the comparison that motivates them; at 50,000 pages it needs about
   15 GB, so leave it off on a busy machine).
   `--replicate K` (with 2 and 3) runs Pagefind over K copies of every cable
   page instead (named ID-1.html, ID-2.html ...: the same text, other URLs),
   planned into shards as the build would: Pagefind's time and memory at K×N
   pages without building a K×N archive first (the text repeats, so the
   index itself is not that of K×N different cables).
4. The index on disk: files and bytes under public/pagefind/, per cable page.
5. With `--query` (repeatable; default: two word queries and two filtered
   ones): the search page in Debian's Chromium (/usr/bin/chromium,
   Playwright; never downloaded) on a local HTTP server, and the requests and
   bytes the browser fetched for the query: code (pagefind.js, worker,
   WebAssembly) and index data (entry, metadata, filters, word chunks,
   fragments), in all and by kind, each a fresh browser (no cache). A query
   with '=' in it is the link's query string ('q=embassy&tag=PREL': words
   and a filter), otherwise it is the words.

Figures go to stdout as a table, and as JSON to --json (default
/tmp/bench/search-results.json). Run it from the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proc_measure import run_measured

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from generator.search import find_pagefind  # noqa: E402

STAGE = re.compile(r"(\w+) ([\d.]+)s")


def cold_build(archive: Path, jobs: int) -> dict[str, Any]:
    """A clean build of the archive, measured; the stage seconds from its report line."""
    for leftover in ("public", ".public.cablesite", ".cablesite-cache"):
        shutil.rmtree(archive / leftover, ignore_errors=True)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    run = run_measured(
        [sys.executable, "-m", "generator", "build", "--jobs", str(jobs)], cwd=archive, env=env
    )
    if run.returncode != 0:
        raise SystemExit(f"the build failed:\n{run.stdout}\n{run.stderr}")
    line = next(line for line in (run.stdout + run.stderr).splitlines() if " pages: " in line)
    stages = {name: float(seconds) for name, seconds in STAGE.findall(line.split("[", 1)[1])}
    total = sum(stages.values())
    return {
        "wall_s": round(run.seconds, 2),
        "cpu_s": round(run.cpu_seconds, 2),
        "peak_rss_tree_mib": run.tree_peak >> 20,
        "load": run.load,
        "stages_s": stages,
        "search_share": round(stages.get("search", 0.0) / total, 3) if total else None,
    }


def shard_pages(public: Path) -> dict[str, list[str]]:
    """The cable pages of each shard, read back from the bundles' fragments."""
    import gzip

    shards = json.loads((public / "pagefind/shards.json").read_text())["shards"]
    pages: dict[str, list[str]] = {}
    for shard in shards:
        urls = []
        for path in (public / "pagefind" / shard / "fragment").iterdir():
            fragment = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
            urls.append(fragment["url"].lstrip("/"))
        pages[shard] = sorted(urls)
    return pages


def replicated_shards(public: Path, copies: int) -> dict[str, list[str]]:
    """Shards of `copies` copies of every cable page ('ID-2.html'), planned as the build would."""
    from datetime import datetime

    from generator.search import plan_shards

    pages: list[tuple[str, datetime | None]] = []
    for path in sorted(public.glob("cable/*/*/*.html")):
        relpath = path.relative_to(public).as_posix()
        year, month = int(path.parent.parent.name), int(path.parent.name)
        created = datetime(year, month, 1) if year and month else None  # undated: 0000/00
        for copy in range(1, copies + 1):
            pages.append((f"{relpath[:-5]}-{copy}.html", created))
    return {shard.name: list(shard.relpaths) for shard in plan_shards(pages)}


def run_pagefind(binary: Path, public: Path, relpaths: list[str]) -> dict[str, Any]:
    """One Pagefind run over these pages (hard links), as search.py does it: time and memory."""
    with tempfile.TemporaryDirectory(prefix="bench-search-") as work:
        site = Path(work) / "site"
        for relpath in relpaths:
            target = site / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            source = public / relpath
            if not source.exists():  # a copy made by --replicate: 'ID-2.html' is 'ID.html'
                source = public / re.sub(r"-\d+\.html$", ".html", relpath)
            os.link(source, target)
        load = os.getloadavg()[0]
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(binary), "--site", str(site), "--output-path", f"{work}/out", "--quiet"],
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        if status != 0:
            raise SystemExit(f"Pagefind failed with status {status}")
        return {
            "pages": len(relpaths),
            "wall_s": round(wall, 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mib": usage.ru_maxrss >> 10,
            "load": round(load, 1),
        }


def index_on_disk(public: Path) -> dict[str, Any]:
    files = [p for p in (public / "pagefind").rglob("*") if p.is_file()]
    kinds: dict[str, int] = {}
    for path in files:
        kind = path.parent.name if path.parent.name in {"fragment", "index", "filter"} else "other"
        kinds[kind] = kinds.get(kind, 0) + path.stat().st_size
    cables = sum(1 for _ in public.glob("cable/*/*/*.html"))
    total = sum(kinds.values())
    return {
        "files": len(files),
        "bytes": total,
        "mib": round(total / 2**20, 1),
        "bytes_per_cable": round(total / max(cables, 1)),
        "by_kind_bytes": kinds,
    }


def query_bytes(public: Path, queries: list[str]) -> dict[str, Any]:
    """Bytes fetched by a fresh Chromium for the search page and one query (uncompressed HTTP)."""
    from playwright.sync_api import sync_playwright

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(public)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, Any] = {}
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                page.set_default_timeout(120_000)
                fetched: list[tuple[str, int]] = []

                def done(request: Any, fetched: list[tuple[str, int]] = fetched) -> None:
                    response = request.response()
                    size = len(response.body()) if response is not None else 0
                    fetched.append((request.url[len(base) :], size))

                page.on("requestfinished", done)
                started = time.perf_counter()
                link = query if "=" in query else f"q={query.replace(' ', '+')}"
                page.goto(f"{base}/search/?{link}")
                page.wait_for_function(
                    "() => /cables? for|No cable/.test("
                    "document.getElementById('search-status').textContent)"
                )
                page.wait_for_load_state("networkidle")
                seconds = time.perf_counter() - started
                status = page.locator("#search-status").inner_text()
                context.close()
                code = sum(size for url, size in fetched if url.endswith((".js", ".pagefind")))
                data = sum(
                    size
                    for url, size in fetched
                    if url.startswith("/pagefind/") and not url.endswith((".js", ".pagefind"))
                )
                kinds: dict[str, list[int]] = {}
                for url, size in fetched:
                    figures = kinds.setdefault(request_kind(url), [0, 0])
                    figures[0] += 1
                    figures[1] += size
                results[query] = {
                    "status": status,
                    "requests": len(fetched),
                    "by_kind_requests_bytes": kinds,
                    "search_code_bytes": code,
                    "index_data_bytes": data,
                    "all_bytes": sum(size for _, size in fetched),
                    "seconds_to_results": round(seconds, 2),
                }
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


def request_kind(url: str) -> str:
    """What a fetched URL is: code, shards, entry, meta, filter, index, fragment or page."""
    path = url.split("?", 1)[0]
    if path.endswith((".js", ".pagefind", ".css")):
        return "code"
    if not path.startswith("/pagefind/"):
        return "page"
    for kind in ("filter", "index", "fragment"):
        if f"/{kind}/" in path:
            return kind
    if path.endswith(".pf_meta"):
        return "meta"
    return "shards" if path.endswith("shards.json") else "entry"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--build", action="store_true", help="measure a cold build first")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-shards", action="store_true", help="skip re-running each shard")
    parser.add_argument("--single", action="store_true", help="one Pagefind run over everything")
    parser.add_argument("--replicate", type=int, default=0, help="Pagefind over K copies")
    parser.add_argument("--query", action="append", help="a query to measure (repeatable)")
    parser.add_argument("--json", type=Path, default=Path("/tmp/bench/search-results.json"))
    args = parser.parse_args()
    archive = args.archive.resolve()
    public = archive / "public"
    report: dict[str, Any] = {"archive": str(archive)}
    if args.build:
        report["build"] = cold_build(archive, args.jobs)
        print("cold build:", json.dumps(report["build"]))
    binary = find_pagefind()
    pages = replicated_shards(public, args.replicate) if args.replicate else shard_pages(public)
    report["cables"] = sum(len(p) for p in pages.values())
    report["replicated"] = args.replicate
    if not args.no_shards:
        report["shards"] = {}
        for shard, relpaths in pages.items():
            report["shards"][shard] = run_pagefind(binary, public, relpaths)
            print(f"shard {shard}:", json.dumps(report["shards"][shard]))
        runs = list(report["shards"].values())
        report["shards_total"] = {
            "shards": len(runs),
            "pages": sum(run["pages"] for run in runs),
            "wall_s": round(sum(run["wall_s"] for run in runs), 2),
            "cpu_s": round(sum(run["cpu_s"] for run in runs), 2),
            "peak_rss_mib": max((run["peak_rss_mib"] for run in runs), default=0),
        }
        print("all shards, one after another:", json.dumps(report["shards_total"]))
    if args.single:
        everything = sorted(p for relpaths in pages.values() for p in relpaths)
        report["single"] = run_pagefind(binary, public, everything)
        print("single index:", json.dumps(report["single"]))
    if args.replicate:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        return  # the built index is not that of the copies
    report["disk"] = index_on_disk(public)
    print("on disk:", json.dumps(report["disk"]))
    queries = args.query or [
        "nonproliferation directors",
        "embassy",
        "q=embassy&tag=PREL",
        "q=embassy&year=2009",
    ]
    report["queries"] = query_bytes(public, queries)
    for query, figures in report["queries"].items():
        print(f"query {query!r}:", json.dumps(figures))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
