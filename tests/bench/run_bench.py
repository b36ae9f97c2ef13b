"""The archive-scale benchmark of issue 6: cablesite import and build against Hugo.

    python tests/bench/run_bench.py                       # N = 10,000 and 50,000
    python tests/bench/run_bench.py --full                # and the whole release, 251,287
    python tests/bench/run_bench.py --sizes 2000 --no-hugo --profile

For each N: makes (or reuses) a synthetic archive in WORK/nN (make_archive.py:
cables.csv and archive/ with content/), then measures
- import: `cablesite import cables.csv` into a fresh folder (cables/s, peak RSS);
- build: cold (no output, no cache), no-change rebuild, rebuild after editing
  one cable (the most cited one), rebuild after editing the cable template (an
  override in the archive's templates/, never the shipped theme);
- hugo: the same archive converted by hugo_site.py, cold build.
Wall time is the median of --runs runs for stages shorter than --repeat-under
seconds; peak RSS is the highest seen over the runs. A stage that cannot run
(the command is not written yet, or fails) is reported with its error, and the
stages that depend on it are skipped. Prints a Markdown table and writes it with
the raw figures to WORK/results.md and WORK/results.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import pstats
import re
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import archive_model
import hugo_site
from bench_core import MIB, Bench, Stage, print_report, snapshot_source, write_results
from make_archive import SITE_YAML, make_archive
from proc_measure import changed_files, run_measured, snapshot, tree_stats

from generator.cable import cable_from_markdown, cable_to_markdown

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = archive_model.REPO_DIR
KEEP_IN_ARCHIVE = {"site.yaml", "content", "templates", "archive-info.json"}
TRASH = "trash"  # WORK/trash: outputs set aside during the run, deleted at its end


def set_aside(path: Path, work_dir: Path) -> None:
    """Move an earlier output out of the way (into WORK/trash), to be deleted when the run ends.

    Deleting tens of thousands of files right before a timed build slows the
    build down, not the deletion: on ext4 without a journal (this machine's
    disk) the inode allocator skips every inode freed in the last 5 minutes
    whose inode-table block is dirty (`recently_deleted` in ext4's ialloc.c),
    and looks each one up again for every new file. A cold build right after
    `rm -rf` of the last one spent 17-31 s of system time here instead of ~8,
    for either tool. A rename costs nothing, so every cold run starts on a disk
    with no fresh deletions, as a first build on a new machine does.
    """
    if not path.exists() and not path.is_symlink():
        return
    trash = work_dir / TRASH
    trash.mkdir(exist_ok=True)
    os.rename(path, trash / f"{time.time_ns()}-{path.name}")  # same file system as WORK


def empty_trash(work_dir: Path) -> None:
    """Delete what set_aside moved away (also what an interrupted run left)."""
    bin_dir = work_dir / TRASH
    if bin_dir.is_dir():
        print(f"deleting the earlier outputs in {bin_dir} ...", flush=True)
        shutil.rmtree(bin_dir)


def _source_hash(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_archive(work_dir: Path, n: int, seed: int, *, reuse: bool = False) -> Path:
    """WORK/nN with cables.csv and archive/ for (n, seed); remade when the generator changed.

    With `reuse`, an archive made for the same (n, seed) is kept even if the
    generator's source changed since (a change of cable.py that writes the
    same bytes must not cost the 15 minutes of remaking 50,000 cables).
    """
    n_dir = work_dir / f"n{n}"
    stamp = {
        "n": n,
        "seed": seed,
        "generator": _source_hash(
            [BENCH_DIR / f for f in ("archive_model.py", "archive_text.py", "make_archive.py")]
            + [REPO_DIR / "generator" / "cable.py"]
        ),
    }
    stamp_path = n_dir / "stamp.json"
    old = json.loads(stamp_path.read_text()) if stamp_path.exists() else None
    if old == stamp:
        print(f"N={n}: reusing the archive in {n_dir}")
        return n_dir
    if reuse and isinstance(old, dict) and (old.get("n"), old.get("seed")) == (n, seed):
        print(
            f"N={n}: reusing the archive in {n_dir} (made by generator {old.get('generator')},"
            f" now {stamp['generator']}: --reuse-archives)"
        )
        return n_dir
    if n_dir.exists():
        shutil.rmtree(n_dir)
    print(f"N={n}: making the archive in {n_dir} ...", flush=True)
    started = time.perf_counter()
    info = make_archive(n, seed, n_dir / "cables.csv", n_dir / "archive")
    seconds = time.perf_counter() - started
    print(f"  made in {seconds:.0f} s (median body {info['median_body_bytes']} bytes)")
    stamp_path.write_text(json.dumps(stamp) + "\n")
    return n_dir


def clean_archive(archive_dir: Path, out_dir: Path, work_dir: Path) -> None:
    """Set aside the output and anything the build left beside site.yaml and content/ (caches)."""
    for entry in archive_dir.iterdir():
        if entry.name not in KEEP_IN_ARCHIVE:
            set_aside(entry, work_dir)
    set_aside(out_dir, work_dir)


def bench_hugo(bench: Bench, n: int, n_dir: Path) -> None:
    stage = Stage(n, "hugo", "cold build")
    if shutil.which("hugo") is None:
        stage.note = "hugo is not installed (apt-get install -y hugo)"
        bench.stages.append(stage)
        return
    site_dir = n_dir / "hugo"
    stamp = _source_hash([BENCH_DIR / "hugo_site.py", n_dir / "stamp.json"])
    stamp_path = n_dir / "hugo-stamp.txt"
    if not (stamp_path.exists() and stamp_path.read_text() == stamp):
        print(f"  converting to a Hugo site in {site_dir} ...", flush=True)
        hugo_site.convert_archive(
            n_dir / "archive", site_dir, all_indexes=bench.args.hugo_all_indexes
        )
        stamp_path.write_text(stamp)
    out_dir = n_dir / "hugo-public"
    cache_dir = site_dir / ".hugo-cache"

    def cold(_: int) -> None:
        for path in (out_dir, cache_dir, site_dir / "resources"):
            set_aside(path, bench.args.work)

    command = [
        "hugo",
        "--quiet",
        "--source",
        str(site_dir),
        "--destination",
        str(out_dir),
        "--cacheDir",
        str(cache_dir),
    ]
    bench.measure(stage, command, cwd=site_dir, log_dir=n_dir / "logs", before_each=cold)
    _output_figures(stage, snapshot(out_dir))


def _output_figures(stage: Stage, files: dict[str, tuple[int, int]]) -> None:
    stats = tree_stats(files)
    stage.files, stage.mbytes = stats.files, stats.bytes / MIB
    if stats.files:
        stage.rate = f"{stats.html_files:,} html"


def bench_import(bench: Bench, n: int, n_dir: Path) -> Path | None:
    """Import cables.csv into n_dir/imported/content; return that archive when it worked."""
    stage = Stage(n, "cablesite", "import")
    imported = n_dir / "imported"

    def fresh(_: int) -> None:
        set_aside(imported, bench.args.work)

    command = [
        *bench.cablesite,
        "import",
        str(n_dir / "cables.csv"),
        "--into",
        str(imported / "content"),
        "--jobs",
        str(bench.args.jobs),
    ]
    results = bench.measure(
        stage, command, cwd=n_dir, log_dir=n_dir / "logs", before_each=fresh, env=bench.env
    )
    if not results[-1].ok or stage.seconds is None:
        return None
    written = sum(1 for name in snapshot(imported / "content") if name.endswith(".md"))
    stage.files = written
    stage.rate = f"{n / stage.seconds:,.0f} cables/s"
    stage.note = (
        results[-1].stdout.strip().splitlines()[-1][:80] if results[-1].stdout.strip() else ""
    )
    if written != n:
        stage.note += f"; {written} of {n} cables written"
    (imported / "site.yaml").write_text(
        SITE_YAML.format(n=n, seed=bench.args.seed), encoding="utf-8"
    )
    return imported


def bench_build(bench: Bench, n: int, n_dir: Path, archive_dir: Path) -> None:
    site_yaml = archive_dir / "site.yaml"
    original = site_yaml.read_bytes()
    if bench.args.search != "default":
        site_yaml.write_text(
            original.decode("utf-8") + f"search: {bench.args.search == 'on'}\n".lower(),
            encoding="utf-8",
        )
    try:
        _bench_build(bench, n, n_dir, archive_dir)
    finally:
        site_yaml.write_bytes(original)


def _search_share(stdout: str) -> str:
    """'render 21.3 s, search 35.0 s' from the stage times of cablesite build's report line."""
    found = re.search(r"\[([^\]]*)\]", stdout.strip().splitlines()[-1]) if stdout.strip() else None
    if found is None:
        return ""
    times = dict(
        (name, float(value)) for name, value in re.findall(r"(\w+) ([0-9.]+)s", found.group(1))
    )
    names = ("render", "search") if "render" in times else ("quick", "search")  # quick: tried
    shown = [f"{name} {times[name]:.1f} s" for name in names if name in times]
    return ", ".join(shown)


def _bench_build(bench: Bench, n: int, n_dir: Path, archive_dir: Path) -> None:
    out_dir = archive_dir / "public"
    log_dir = n_dir / "logs"
    command = [
        *bench.cablesite,
        "build",
        "--config",
        str(archive_dir / "site.yaml"),
        "--out",
        str(out_dir),
        "--jobs",
        str(bench.args.jobs),
    ]

    def run(name: str, before_each: Callable[[int], None] | None = None) -> bool:
        stage = Stage(n, "cablesite", name)
        before: dict[str, dict[str, tuple[int, int]]] = {}

        def prepare(k: int) -> None:
            if before_each:
                before_each(k)
            before["files"] = snapshot(out_dir)

        results = bench.measure(
            stage, command, cwd=archive_dir, log_dir=log_dir, before_each=prepare, env=bench.env
        )
        after = snapshot(out_dir)
        _output_figures(stage, after)
        stage.changed = changed_files(before["files"], after)  # by the last run
        stage.note = _search_share(results[-1].stdout) or stage.note
        return results[-1].ok

    if bench.args.rebuilds_only:  # the site is built: bring it up to date with this cablesite
        first = run("catch-up build (not a cold build)")
    else:
        first = run("cold build", lambda _: clean_archive(archive_dir, out_dir, bench.args.work))
    if not first:
        for name in ("no-change rebuild", "edit one cable", "edit cable template"):
            bench.stages.append(
                Stage(n, "cablesite", name, note="not measured: the cold build failed")
            )
        return
    run("no-change rebuild")
    info = json.loads((n_dir / "archive" / "archive-info.json").read_text())
    target = info.get("edit_target")
    cable_path = archive_dir / target["path"] if target else None
    if cable_path and cable_path.exists():
        original = cable_path.read_bytes()
        try:
            run("edit one cable's body", lambda k: _edit_cable(cable_path, original, k, False))
            run(
                f"edit one cable's subject+body ({target['cited_by']} cite it)",
                lambda k: _edit_cable(cable_path, original, k, True),
            )
        finally:
            cable_path.write_bytes(original)
    else:
        bench.stages.append(Stage(n, "cablesite", "edit one cable", note="no cable to edit"))
    if bench.args.rebuilds_only:
        return
    shipped = bench.code_dir / "themes" / "default" / "templates" / bench.args.template
    if not shipped.exists():
        bench.stages.append(
            Stage(
                n,
                "cablesite",
                "edit cable template",
                note=f"not measured: no {shipped.relative_to(bench.code_dir)} yet",
            )
        )
        return
    override = archive_dir / "templates" / bench.args.template
    template = shipped.read_text(encoding="utf-8")
    try:
        run("edit cable template", lambda k: _write_override(override, template, k))
    finally:
        shutil.rmtree(archive_dir / "templates", ignore_errors=True)


def _edit_cable(path: Path, original: bytes, k: int, subject: bool) -> None:
    """Append a sentence to the body (and to the subject: that reaches index and citing pages)."""
    cable, body = cable_from_markdown(original.decode("utf-8"), path)
    if subject:
        cable = dataclasses.replace(cable, subject=f"{cable.subject} (bench edit {k})")
    path.write_text(cable_to_markdown(cable, f"{body.rstrip()} Bench edit {k}."), encoding="utf-8")


def _write_override(override: Path, template: str, k: int) -> None:
    """The shipped template with a visible change inside its first block (or at its end)."""
    marker = f"<!-- bench template edit {k} -->"
    start = template.find("{% block ")
    if start != -1:
        end = template.index("%}", start) + 2
        edited = template[:end] + marker + template[end:]
    else:
        edited = template + marker + "\n"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(edited, encoding="utf-8")


def profile(bench: Bench, n: int, n_dir: Path) -> None:
    """cProfile a cold one-process build and import; top functions go to WORK/nN/profile-*.txt."""
    for name, arguments, cwd in (
        (
            "import",
            [
                "import",
                str(n_dir / "cables.csv"),
                "--into",
                str(n_dir / "profiled" / "content"),
                "--jobs",
                "1",
            ],
            n_dir,
        ),
        (
            "build",
            [
                "build",
                "--config",
                str(n_dir / "archive" / "site.yaml"),
                "--out",
                str(n_dir / "profiled-public"),
                "--jobs",
                "1",
                "--clean",
            ],
            n_dir / "archive",
        ),
    ):
        for path in (n_dir / "profiled", n_dir / "profiled-public"):
            set_aside(path, bench.args.work)
        if name == "build":
            clean_archive(n_dir / "archive", n_dir / "archive" / "public", bench.args.work)
        prof = n_dir / f"{name}.prof"
        command = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "generator", *arguments]
        result = run_measured(
            command, cwd=cwd, env=bench.env, log_path=n_dir / "logs" / f"profile-{name}.log"
        )
        if not result.ok:
            print(f"  profile {name}: failed: {result.failure()}")
            continue
        text = io.StringIO()
        stats = pstats.Stats(str(prof), stream=text)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        (n_dir / f"profile-{name}.txt").write_text(text.getvalue(), encoding="utf-8")
        print(
            f"  profile {name}: {result.seconds:.1f} s with --jobs 1;"
            f" top functions in {n_dir}/profile-{name}.txt"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument(
        "--full", action="store_true", help=f"add N = {archive_model.FULL_RELEASE:,}"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/bench"), help="where archives and outputs go"
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="--jobs for cablesite"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of a short stage (median)")
    parser.add_argument(
        "--repeat-under", type=float, default=30.0, help="repeat stages shorter than this (s)"
    )
    parser.add_argument(
        "--cablesite",
        default=None,
        help="the cablesite command (default: python -m generator from this checkout)",
    )
    parser.add_argument(
        "--build-from",
        choices=("generated", "imported"),
        default="generated",
        help="build the generated content/ (default) or what the import wrote",
    )
    parser.add_argument(
        "--template", default="cable.html", help="theme template edited in the template stage"
    )
    parser.add_argument(
        "--reuse-archives",
        action="store_true",
        help="keep an archive made for the same N and seed even if its generator changed",
    )
    parser.add_argument(
        "--search",
        choices=("default", "on", "off"),
        default="default",
        help="build with `search: true|false` added to site.yaml (Hugo's twin has no search)",
    )
    parser.add_argument(
        "--rebuilds-only",
        action="store_true",
        help="no cold build and no template stage: build the archive as it is (once, to bring"
        " it up to date), then measure the no-change rebuild and the two edits",
    )
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument(
        "--hugo-full",
        action="store_true",
        help=f"also build Hugo at {archive_model.FULL_RELEASE:,} (needs ~30 GiB by issue 6)",
    )
    parser.add_argument(
        "--hugo-all-indexes",
        action="store_true",
        help="give Hugo classification, year and month taxonomies too",
    )
    parser.add_argument(
        "--source",
        default="HEAD",
        help="the cablesite to measure: a git revision of this checkout, exported to"
        " WORK/src-SHA (default: HEAD), or 'worktree' for the files as they are",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile import and build (--jobs 1) at each N"
    )
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes + ([archive_model.FULL_RELEASE] if args.full else [])))
    args.work.mkdir(parents=True, exist_ok=True)
    if args.cablesite:
        cablesite, env = shlex.split(args.cablesite), {}
        code_dir, label = REPO_DIR, f"the command {args.cablesite!r}"
    else:
        code_dir, label = snapshot_source(REPO_DIR, args.source, args.work)
        path = os.environ.get("PYTHONPATH")
        cablesite = [sys.executable, "-m", "generator"]
        env = {"PYTHONPATH": str(code_dir) + (os.pathsep + path if path else "")}
    print(f"measuring cablesite from {label} ({code_dir})")
    bench = Bench(args=args, cablesite=cablesite, env=env, code_dir=code_dir, label=label)
    for n in sizes:
        n_dir = ensure_archive(args.work, n, args.seed, reuse=args.reuse_archives)
        if not args.no_hugo and (n < archive_model.FULL_RELEASE or args.hugo_full):
            bench_hugo(bench, n, n_dir)
        imported = None if args.no_import else bench_import(bench, n, n_dir)
        if not args.no_build:
            build_dir = n_dir / "archive" if args.build_from == "generated" else imported
            if build_dir is None:
                bench.stages.append(
                    Stage(n, "cablesite", "cold build", note="not measured: the import failed")
                )
            else:
                bench_build(bench, n, n_dir, build_dir)
        if args.profile:
            profile(bench, n, n_dir)
        write_results(bench)
    print_report(bench)
    empty_trash(args.work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
