"""Turn a cablesite archive (content/cables/YYYY/MM/ID.md) into an equivalent Hugo site.

    python tests/bench/hugo_site.py /tmp/bench/n10000/archive /tmp/bench/n10000/hugo
    hugo --source /tmp/bench/n10000/hugo --destination public

Equivalent work to a cablesite build, for the comparison of issue 6: one page per
cable at /cable/YYYY/MM/ID/ with its body Markdown rendered (goldmark, raw HTML
off), its metadata linking to its terms, its references and cited-by links;
taxonomies tag, origin and addressee (every name in to and info) at /tag/prel/
etc., each term listed 100 cables a page; listing pages of all terms; Atom/RSS
feeds capped at 20 entries; sitemap and robots.txt. --all-indexes adds the other
indexes of cablesite (classification, year, month).

Term links are written from the front matter with `urlize`, the common idiom of
Hugo themes: `.GetTerms` does the same job at twice the CPU time in Hugo 0.111
(measured at 2,000 cables: 23.7 s against 10.3 s), and the point is to compare
with Hugo at its best.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import yaml

REPO_DIR = Path(__file__).resolve().parents[2]
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from generator.cable import load_front_matter, split_front_matter  # noqa: E402
from generator.cable_files import iter_content_files  # noqa: E402

PAGE_SIZE = 100
FEED_LIMIT = 20

CONFIG = """\
baseURL = "https://archive.example.org/"
title = "Synthetic cable archive"
languageCode = "en"
enableRobotsTXT = true
paginate = {page_size}
[taxonomies]
{taxonomies}
[permalinks]
  cable = "/cable/:year/:month/:filename/"
[services.rss]
  limit = {feed_limit}
[markup.goldmark.renderer]
  unsafe = false
"""

LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title></head>
<body>
<header><a href="/">{{ site.Title }}</a> <a href="/tag/">Tags</a> <a href="/origin/">Posts</a>
<a href="/addressee/">Addressees</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<dl>
<dt>Reference id</dt><dd>{{ .Params.id }}</dd>
<dt>Created</dt><dd>{{ .Date.Format "2006-01-02 15:04" }}</dd>
<dt>Classification</dt><dd>{{ .Params.classification }}</dd>
<dt>Origin</dt><dd>{{ range .Params.origin }}
<a href="/origin/{{ . | urlize }}/">{{ . }}</a>{{ end }}</dd>
<dt>Tags</dt><dd>{{ range .Params.tag }}
<a href="/tag/{{ . | urlize }}/">{{ . }}</a>{{ end }}</dd>
<dt>Addressees</dt><dd>{{ range .Params.addressee }}
<a href="/addressee/{{ . | urlize }}/">{{ . }}</a>{{ end }}</dd>
</dl>
{{ .Content }}
{{ with .Params.refs }}<h2>References</h2><ul>{{ range . }}
<li>{{ if .url }}<a href="{{ .url }}">{{ .id }}</a>{{ else }}{{ .id }}{{ end }}</li>{{ end }}
</ul>{{ end }}
{{ with .Params.cited_by }}<h2>Cited by</h2><ul>{{ range . }}
<li><a href="{{ .url }}">{{ .id }}</a></li>{{ end }}
</ul>{{ end }}
</article>{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<p>{{ len .Pages }} cables</p>
{{ $pager := .Paginate .Pages.ByDate }}
<ol>{{ range $pager.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Params.id }}</a>
{{ .Date.Format "2006-01-02" }} {{ .Title }}</li>{{ end }}
</ol>
{{ template "_internal/pagination.html" . }}{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}
</ul>{{ end }}
""",
    "index.html": """\
{{ define "main" }}<h1>{{ site.Title }}</h1>
<p>{{ len site.RegularPages }} cables</p>
<ol>{{ range first 20 site.RegularPages.ByDate.Reverse }}
<li><a href="{{ .RelPermalink }}">{{ .Params.id }}</a> {{ .Title }}</li>{{ end }}
</ol>{{ end }}
""",
}


def hugo_url(cable_id: str, created: str) -> str:
    """'/cable/2009/11/09rome1240/': Hugo's form of /cable/2009/11/09ROME1240.html."""
    return f"/cable/{created[:4]}/{created[5:7]}/{cable_id.lower()}/"


def convert_archive(archive_dir: Path, site_dir: Path, *, all_indexes: bool = False) -> int:
    """Write the Hugo site for the archive; return the number of cables converted."""
    content_dir = archive_dir / "content"
    if site_dir.exists():
        shutil.rmtree(site_dir)
    # first pass: where each cable lives and who cites whom
    created_of: dict[str, str] = {}
    cited_by: dict[str, list[str]] = {}
    for md_path in iter_content_files(content_dir):
        front = _front(md_path)
        cable_id = str(front["id"])
        created_of[cable_id] = str(front.get("created") or "0000-00-00")
        for ref in front.get("references") or []:
            cited_by.setdefault(str(ref), []).append(cable_id)
    taxonomies = ["tag", "origin", "addressee"] + (
        ["classification", "year", "month"] if all_indexes else []
    )
    count = 0
    for md_path in iter_content_files(content_dir):
        text = md_path.read_text(encoding="utf-8")
        front_text, body = split_front_matter(text, str(md_path))
        front = load_front_matter(front_text, str(md_path))
        cable_id = str(front["id"])
        created = created_of[cable_id]
        page: dict[str, object] = {
            "title": front.get("subject") or cable_id,
            "date": created,
            "id": cable_id,
            "classification": front.get("classification"),
            "tag": list(front.get("tags") or []),
            "origin": [front["origin"]] if front.get("origin") else [],
            "addressee": list(
                dict.fromkeys(
                    a["name"] for a in (front.get("to") or []) + (front.get("info") or [])
                )
            ),
            "refs": [
                {"id": ref, "url": hugo_url(ref, created_of[ref]) if ref in created_of else ""}
                for ref in front.get("references") or []
            ],
            "cited_by": [
                {"id": c, "url": hugo_url(c, created_of[c])}
                for c in sorted(cited_by.get(cable_id, []))
            ],
        }
        if all_indexes:
            page["year"] = [created[:4]]
            page["month"] = [created[:7]]
        out_path = site_dir / "content" / "cable" / created[:4] / created[5:7] / f"{cable_id}.md"
        out_path.parent.mkdir(parents=True, exist_ok=True)
        front_out = yaml.dump(
            page, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=10_000
        )
        out_path.write_text(f"---\n{front_out}---\n\n{body}\n", encoding="utf-8")
        count += 1
    config = CONFIG.format(
        page_size=PAGE_SIZE,
        feed_limit=FEED_LIMIT,
        taxonomies="\n".join(f'  {name} = "{name}"' for name in taxonomies),
    )
    (site_dir / "config.toml").write_text(config, encoding="utf-8")
    for relative, template in LAYOUTS.items():
        path = site_dir / "layouts" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template, encoding="utf-8")
    return count


def _front(md_path: Path) -> dict[str, Any]:
    front, _ = split_front_matter(md_path.read_text(encoding="utf-8"), str(md_path))
    return load_front_matter(front, str(md_path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "archive", type=Path, help="a cablesite archive (the folder holding content/)"
    )
    parser.add_argument("site", type=Path, help="the Hugo site to write (replaced if it exists)")
    parser.add_argument(
        "--all-indexes", action="store_true", help="add classification, year and month"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    count = convert_archive(args.archive, args.site, all_indexes=args.all_indexes)
    print(f"{count} cables converted into {args.site} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
