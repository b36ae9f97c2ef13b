"""The `cablesite` command: options, progress bars and printed reports.

Only this module prints, reads sys.argv or exits. Every command turns a
CablesiteError into `error: <message>` and exit code 1; argparse gives exit
code 2 for usage errors. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from generator import __version__
from generator.errors import CablesiteError, Problem, environment_reason

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one cablesite command; return its exit code."""
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
    )
    command: Command | None = getattr(args, "run", None)
    if command is None:
        parser.print_help()
        return 2
    try:
        return command(args)
    except CablesiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        reason = environment_reason(exc)
        if reason is None:
            raise  # anything but the disk, the folders or their permissions is a bug
        where = exc.filename or "(a file of the command)"
        print(f"error: {where}: {reason} ({exc.strerror})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cablesite",
        description=(
            "Turn archives of diplomatic cables into a fast, searchable static website. "
            "Import raw cables into content/, then build, check and serve the site."
        ),
    )
    parser.add_argument("--version", action="version", version=f"cablesite {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each stage does")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = commands.add_parser(
        "import",
        help="parse raw cables and write front-matter Markdown into content/",
        description=(
            "Parse raw cables (telegram text, cable web-page text, pages of the 2010 cable "
            "site, cables.csv dumps) and write or refresh content/cables/YYYY/MM/ID.md. "
            "Unchanged cables are not rewritten; keys you added to a front matter are kept."
        ),
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="a file, folder or glob")
    p.add_argument(
        "--into", type=Path, default=Path("content"), help="content folder (default: content/)"
    )
    _add_jobs_option(p)
    p.set_defaults(run=run_import)

    p = commands.add_parser(
        "parse",
        help="print parsed cables (or one JSON object per cable with --json)",
        description="Parse raw cables and print them; nothing is written.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per cable per line")
    p.set_defaults(run=run_parse)

    p = commands.add_parser(
        "build",
        help="build the website from site.yaml and content/",
        description="Build the site into the output folder; incremental unless --clean.",
    )
    _add_site_options(p)
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default: public/ beside site.yaml)"
    )
    _add_jobs_option(p)
    p.add_argument("--clean", action="store_true", help="ignore caches and the previous output")
    p.set_defaults(run=run_build)

    p = commands.add_parser(
        "serve",
        help="build, serve on 127.0.0.1:8000 and rebuild on every change",
        description="Build, serve the site locally, watch the sources and reload the browser.",
    )
    _add_site_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free port)")
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default: public/ beside site.yaml)"
    )
    p.set_defaults(run=run_serve)

    p = commands.add_parser(
        "check",
        help="verify a built site: links, assets, cable pages, indexes, sitemap",
        description="Verify a built site and report every broken link or missing page.",
    )
    _add_site_options(p)
    p.add_argument("out", nargs="?", type=Path, default=None, help="built site (default: public/)")
    p.set_defaults(run=run_check)

    p = commands.add_parser(
        "new",
        help="start a new archive in DIR",
        description="Create DIR with a commented site.yaml, content/, templates/ and a README.",
    )
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--sample", action="store_true", help="add one sample cable to content/")
    p.set_defaults(run=run_new)
    return parser


def _add_site_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        "-c",
        type=Path,
        default=Path("site.yaml"),
        help="site configuration (default: site.yaml)",
    )


def _add_jobs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)"
    )


# ---------------------------------------------------------------- shared printing


def print_problems(problems: Sequence[Problem], limit: int = 200) -> None:
    """Print problems one per line, folding the rest into a count."""
    for problem in problems[:limit]:
        print(f"{problem.severity}: {problem}", file=sys.stderr)
    if len(problems) > limit:
        print(f"... and {len(problems) - limit} more problems", file=sys.stderr)


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal, nothing otherwise; yields `advance(n)`."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


# ---------------------------------------------------------------- commands


def run_import(args: argparse.Namespace) -> int:
    from generator.importer import import_sources

    with progress_bar("importing", None) as advance:
        report = import_sources(
            [str(s) for s in args.sources], args.into, progress=advance, jobs=args.jobs
        )
    errors = [p for p in report.problems if p.severity == "error"]
    warnings = [p for p in report.problems if p.severity != "error"]
    print_problems(errors)
    if args.verbose:
        print_problems(warnings)
    elif warnings:
        print(
            f"{len(warnings)} warnings (cables imported with `warnings` in their front matter, "
            "duplicate ids skipped); run with -v to list them",
            file=sys.stderr,
        )
    skipped = f", {report.skipped} duplicates skipped" if report.skipped else ""
    print(
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.failed} failed{skipped}"
    )
    return 1 if report.failed else 0


def run_parse(args: argparse.Namespace) -> int:
    import json

    from generator.cable import cable_to_front_matter, cable_to_markdown
    from generator.importer import iter_parsed_cables

    failed = 0
    for result in iter_parsed_cables([str(f) for f in args.files]):
        if isinstance(result, Problem):
            failed += 1
            print_problems([result])
            continue
        document = result.document
        if args.json:
            data = cable_to_front_matter(document.cable)
            data.setdefault("warnings", [])  # every line has the same keys, warnings or not
            data["body"] = document.body
            print(json.dumps(data, ensure_ascii=False, sort_keys=False))
        else:
            print(cable_to_markdown(document.cable, document.body))
        print_problems(result.problems)
    return 1 if failed else 0


def run_build(args: argparse.Namespace) -> int:
    from generator.build import build
    from generator.config import load_config

    config = load_config(args.config)
    with progress_bar("building", None) as advance:
        report = build(config, out_dir=args.out, clean=args.clean, jobs=args.jobs, progress=advance)
    print_problems(report.problems)
    print(report.summary())
    return 1 if report.failed else 0


def run_serve(args: argparse.Namespace) -> int:
    from generator.config import load_config
    from generator.serve import ServeEvent, serve

    def show(event: ServeEvent) -> None:
        if event.changed:
            names = ", ".join(str(path) for path in event.changed[:3])
            more = f" and {len(event.changed) - 3} more" if len(event.changed) > 3 else ""
            print(f"changed: {names}{more}", flush=True)
        if event.kind == "failed":
            print(f"error: {event.message}", file=sys.stderr, flush=True)
            print("still serving the last good build; fix it and save", file=sys.stderr, flush=True)
            return
        print_problems(event.problems)
        sys.stderr.flush()
        prefix = "warning: " if event.kind == "warning" else ""
        print(f"{prefix}{event.message}", flush=True)

    config = load_config(args.config)
    serve(config, host=args.host, port=args.port, out_dir=args.out, report=show)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from generator.build_cache import scan_content
    from generator.cable_slugs import load_term_slugs
    from generator.check import check_site
    from generator.config import load_config
    from generator.reference_tags import load_tag_info
    from generator.site import build_site

    config = load_config(args.config)
    out_dir = Path(args.out) if args.out else config.output_dir
    scan = scan_content(config.content_dir, config.cache_dir)
    print_problems(scan.problems)
    known_slugs, _ = load_term_slugs(config.content_dir)  # the URLs the build gave terms
    site = build_site(config, scan.cables, load_tag_info(), known_slugs)
    with progress_bar("checking", None):
        report = check_site(out_dir, site)
    print_problems(report.problems)
    if report.omitted:
        print(f"... and {report.omitted} more problems", file=sys.stderr)
    print(report.summary())
    return 1 if report.problems else 0


def run_new(args: argparse.Namespace) -> int:
    created = create_archive(args.dir, sample=args.sample)
    for path in created:
        print(f"created {path}")
    print(f"\nNext: cd {args.dir} && cablesite build && cablesite serve   (see README.md there)")
    return 0


def create_archive(target_dir: Path, *, sample: bool) -> list[Path]:
    """Write a new archive that builds at once (site.yaml, content/, templates/, static/, README).

    The files come from generator/skeleton/ (shipped in the wheel). An existing
    file is never overwritten: an archive folder that is not empty is refused.
    """
    import shutil

    skeleton = Path(__file__).resolve().parent / "skeleton"
    if target_dir.exists() and (not target_dir.is_dir() or any(target_dir.iterdir())):
        raise CablesiteError(
            f"{target_dir}: exists and is not an empty folder; choose a new folder"
        )
    created: list[Path] = []
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in ("site.yaml", "README.md"):
            shutil.copyfile(skeleton / name, target_dir / name)
            created.append(target_dir / name)
        # stored without its dot: package tools leave dot files out of the wheel
        shutil.copyfile(skeleton / "gitignore", target_dir / ".gitignore")
        created.append(target_dir / ".gitignore")
        shutil.copytree(skeleton / "templates", target_dir / "templates")
        (target_dir / "static").mkdir()
        created += [target_dir / "templates", target_dir / "static"]
        content = target_dir / "content" / "cables"
        content.mkdir(parents=True)
        if sample:
            shutil.copytree(skeleton / "sample" / "cables", content, dirs_exist_ok=True)
        created.append(target_dir / "content")
    except OSError as exc:
        where = exc.filename or target_dir
        raise CablesiteError(f"{where}: cannot create the archive: {exc.strerror}") from exc
    return created
