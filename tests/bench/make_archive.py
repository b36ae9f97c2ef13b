"""Make a synthetic archive of N cables shaped like the 2010 release.

    python tests/bench/make_archive.py -n 10000 --seed 1 --csv /tmp/bench/cables.csv \\
        --archive /tmp/bench/archive

--csv writes a raw dump in the layout of the real cables.csv (.gz if the name
ends in .gz): row number, 'M/D/YYYY H:MM', id, origin, classification,
references ('|'-separated), header, content; every field double-quoted, quotes
inside fields written \\" and \\', raw newlines inside fields, no header row
(see ../shared/corpus/raw/cables_sample.csv). --archive writes an archive that
`cablesite build` reads: site.yaml and content/cables/YYYY/MM/ID.md (+ .txt),
written with generator.cable.write_cable. Both come from one plan, so they hold
the same cables. archive-info.json (beside the CSV or in the archive) records
the counts and the most cited cable, which run_bench.py edits.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from archive_model import FULL_RELEASE, CableMeta, load_reference_data, plan_archive
from archive_text import (
    CableText,
    dtg,
    make_sentence_pool,
    make_text,
    render_markdown,
    render_telegram,
)

from generator.cable import Cable, CableDocument, SourceInfo, sha256_text
from generator.cable_files import write_cable

SITE_YAML = """\
title: Synthetic cable archive ({n:,} cables, seed {seed})
page_size: 100
feed_size: 20
indexes: [tag, origin, addressee, classification, date]
"""


def iter_archive(n: int, seed: int) -> Iterator[tuple[CableMeta, CableText]]:
    """The cables of the archive in (created, id) order, with their words."""
    data = load_reference_data()
    pool = make_sentence_pool(seed)
    for meta in plan_archive(n, seed, data):
        yield meta, make_text(meta, seed, pool)


def to_document(
    meta: CableMeta, text: CableText, telegram: tuple[str, str], csv_name: str = "cables.csv"
) -> CableDocument:
    """The cable as `cablesite import` should write it: front matter, Markdown body, original.

    The original is the row's header and content fields, one after the other.
    """
    header, content = telegram
    original = header + content
    sections = content.count(" SECTION ")
    cable = Cable(
        id=meta.id,
        subject=text.subject,
        created=meta.created,
        released=None,  # a cables.csv row does not say when it was released
        classification=meta.classification,
        origin=meta.post.label,
        tags=meta.tags,
        precedence=meta.precedence,
        dtg=dtg(meta),
        sender=meta.post.address,
        to=meta.to,
        info=meta.info,
        references=meta.references,
        classified_by=text.classified_by,
        reasons=text.reasons,
        declassify_on=text.declassify_on,
        handling=text.handling,
        signer=text.signer,
        sections=sections or 1,
        summary=text.summary,
        source=SourceInfo(format="csv", file=csv_name, sha256=sha256_text(original)),
    )
    return CableDocument(cable=cable, body=render_markdown(text), original=original)


def csv_row(number: int, meta: CableMeta, telegram: tuple[str, str]) -> str:
    """One row of the real dump's layout (fields quoted, \\" and \\' escapes, raw newlines)."""
    header, content = telegram
    c = meta.created
    fields = (
        str(number),
        f"{c.month}/{c.day}/{c.year} {c.hour}:{c.minute:02d}",
        meta.id,
        meta.post.label,
        meta.classification,
        "|".join(meta.references),
        header,
        content,
    )
    return ",".join('"' + _escape(f) + '"' for f in fields) + "\n"


def _escape(field: str) -> str:
    if "\\" in field:
        raise ValueError(f"a backslash would be ambiguous in the dump: {field[:60]!r}")
    return field.replace('"', '\\"').replace("'", "\\'")


def open_csv(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        raw = open(path, "wb")  # noqa: SIM115 - closed by the TextIOWrapper
        # mtime=0 and no file name in the gzip header: the same archive gives the same bytes
        zipped = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
        return io.TextIOWrapper(zipped, encoding="utf-8", newline="")
    return open(path, "w", encoding="utf-8", newline="")


def make_archive(
    n: int, seed: int, csv_path: Path | None, archive_dir: Path | None
) -> dict[str, object]:
    """Write the CSV and/or the archive; return the summary that goes into archive-info.json."""
    csv_handle = open_csv(csv_path) if csv_path else None
    content_dir = archive_dir / "content" if archive_dir else None
    tags: Counter[str] = Counter()
    cited: Counter[str] = Counter()
    body_sizes: list[int] = []
    paths: dict[str, str] = {}
    info_counts: list[int] = []
    try:
        for number, (meta, text) in enumerate(iter_archive(n, seed), start=1):
            tags.update(meta.tags)
            cited.update(meta.references)
            info_counts.append(len(meta.info))
            telegram = render_telegram(meta, text)
            if csv_handle:
                csv_handle.write(csv_row(number, meta, telegram))
            if content_dir:
                document = to_document(
                    meta, text, telegram, csv_path.name if csv_path else "cables.csv"
                )
                body_sizes.append(len(document.body.encode("utf-8")))
                write_cable(document, content_dir)
                year, month = meta.created.year, meta.created.month
                paths[meta.id] = f"content/cables/{year:04d}/{month:02d}/{meta.id}.md"
    finally:
        if csv_handle:
            csv_handle.close()
    body_sizes.sort()
    most_cited = sorted(cited.items(), key=lambda item: (-item[1], item[0]))[:1]
    info: dict[str, object] = {
        "n": n,
        "seed": seed,
        "top_tags": tags.most_common(10),
        "distinct_tags": len(tags),
        "mean_info_addressees": round(sum(info_counts) / len(info_counts), 2),
        "references": sum(cited.values()),
        "median_body_bytes": body_sizes[len(body_sizes) // 2] if body_sizes else None,
        "max_body_bytes": body_sizes[-1] if body_sizes else None,
    }
    if most_cited and archive_dir:
        target, count = most_cited[0]
        info["edit_target"] = {"id": target, "cited_by": count, "path": paths[target]}
    if archive_dir:
        archive_dir.mkdir(parents=True, exist_ok=True)
        (archive_dir / "site.yaml").write_text(SITE_YAML.format(n=n, seed=seed), encoding="utf-8")
        (archive_dir / "archive-info.json").write_text(
            json.dumps(info, indent=2) + "\n", encoding="utf-8"
        )
    if csv_path:
        info_path = csv_path.with_name(csv_path.name.split(".")[0] + "-info.json")
        info_path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "-n", type=int, default=10_000, help=f"number of cables (at most {FULL_RELEASE:,})"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--csv", type=Path, help="write a cables.csv (or .csv.gz) dump here")
    parser.add_argument(
        "--archive", type=Path, help="write site.yaml and content/ into this folder"
    )
    args = parser.parse_args(argv)
    if not args.csv and not args.archive:
        parser.error("give --csv, --archive or both")
    if args.archive and (args.archive / "content").exists():
        parser.error(f"{args.archive / 'content'} exists; write into a new folder")
    started = time.perf_counter()
    info = make_archive(args.n, args.seed, args.csv, args.archive)
    print(json.dumps(info, indent=2))
    print(f"made in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
