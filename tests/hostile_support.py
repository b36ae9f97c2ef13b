"""Helpers of the hostile-input tests: scan a built site with real parsers, snapshot folders.

`scan_site` reads EVERY file of an output folder with the parser of its kind
(html.parser for HTML, xml.etree for feeds and sitemaps, json for JSON) and
reports anything that a hostile cable could have smuggled in: an element the
theme and the Markdown renderer never write, a script, an event-handler
attribute, a link or source with a scheme other than http(s)/mailto, a style
attribute that loads something, a DOCTYPE or entity in XML. A finding is a
line 'path: what', so a failing test shows every one of them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
THEME_DIR = REPO_DIR / "themes" / "default"


def words(*texts: str) -> frozenset[str]:
    return frozenset(" ".join(texts).split())


# What the Markdown renderer writes (CommonMark without raw HTML and images; headings shifted)
MARKDOWN_TAGS = words("p a abbr em strong code pre h1 h2 h3 h4 h5 h6 ul ol li blockquote hr br")
URL_ATTRIBUTES = words(
    "href src action formaction poster data cite background xlink:href srcset ping "
    "manifest longdesc usemap codebase archive profile icon"
)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Elements that run, frame or redirect whatever their attributes say
NEVER_TAGS = words(
    "script iframe frame frameset object embed applet base template portal "
    "math foreignobject animate set handler listener import"
)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_C0_OR_SPACE = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_LOADING_STYLE = re.compile(r"url\s*\(|expression\s*\(|@import|javascript", re.IGNORECASE)
_BAD_EQUIV = frozenset({"refresh", "set-cookie", "content-security-policy"})
_ROBOTS_LINE = re.compile(r"(User-agent|Allow|Disallow): \S+|Sitemap: (https?://|/)\S*")
XML_NAMESPACES = frozenset(
    {"http://www.w3.org/2005/Atom", "http://www.sitemaps.org/schemas/sitemap/0.9"}
)
_XML_LOCAL = words(
    "feed title id link updated author name entry summary urlset url loc sitemapindex "
    "sitemap lastmod subtitle category published rights"
)
_XML_ATTRIBUTES = frozenset({"rel", "type", "href", "{http://www.w3.org/XML/1998/namespace}lang"})


def theme_tags() -> frozenset[str]:
    """Every element name written in the default theme's templates (and its SVG icon)."""
    names: set[str] = set()
    for path in (THEME_DIR / "templates").rglob("*"):
        if path.is_file():
            found = re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", path.read_text())
            names.update(name.lower() for name in found)
    return frozenset(names)


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in an attribute value (WHATWG URL parsing), or None."""
    cleaned = _TAB_OR_NEWLINE.sub("", _C0_OR_SPACE.sub("", value))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class _HtmlScan(HTMLParser):
    def __init__(self, allowed: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.findings: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []
        self.metas: dict[str, str] = {}
        self._script: list[str] | None = None  # the text of a JSON data block being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        where = f"<{tag}> at line {self.getpos()[0]}"
        if tag == "meta" and dict(attrs).get("name"):
            self.metas[dict(attrs)["name"] or ""] = dict(attrs).get("content") or ""
        if tag in NEVER_TAGS:
            self._script = None
            if tag == "script" and _is_data_block(attrs):
                self._script = []  # a JSON data block: checked when it ends
            elif tag != "script" or not _is_local_script(attrs):
                self.findings.append(f"{where}: a <{tag}> element")
        elif tag not in self.allowed:
            self.findings.append(f"{where}: an element the theme never writes")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.findings.append(f"{where}: event-handler attribute {name}={value[:60]!r}")
            if not re.fullmatch(r"[a-z][a-z0-9:-]*", name):
                self.findings.append(f"{where}: strange attribute name {name[:60]!r}")
            if name in URL_ATTRIBUTES or name.endswith(":href"):
                for part in value.split(",") if name == "srcset" else [value]:
                    scheme = url_scheme(part)
                    if scheme is not None and scheme not in SAFE_SCHEMES:
                        self.findings.append(f"{where}: {name} with {scheme}: {value[:80]!r}")
                if name == "href":
                    self.links.append(value)
            if name == "style" and _LOADING_STYLE.search(value):
                self.findings.append(f"{where}: a style that loads something: {value[:80]!r}")
            if name == "http-equiv" and value.lower() in _BAD_EQUIV:
                self.findings.append(f"{where}: meta http-equiv={value!r}")
            if name == "srcdoc":
                self.findings.append(f"{where}: srcdoc attribute")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            data = "".join(self._script)
            try:
                json.loads(data)
            except ValueError:
                self.findings.append(f"line {self.getpos()[0]}: a data block that is not JSON")
            if re.search(r"</script|<!--", data, re.IGNORECASE):
                self.findings.append(f"line {self.getpos()[0]}: a data block with markup")
            self._script = None

    def handle_data(self, data: str) -> None:
        if self.cdata_elem == "script":
            if self._script is not None:
                self._script.append(data)
            elif data.strip():
                self.findings.append(f"line {self.getpos()[0]}: a script {data.strip()[:60]!r}")
            return
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.findings.append(f"line {self.getpos()[0]}: an HTML comment {data[:60]!r}")

    def handle_pi(self, data: str) -> None:
        self.findings.append(f"line {self.getpos()[0]}: a processing instruction {data[:60]!r}")

    def unknown_decl(self, data: str) -> None:
        self.findings.append(f"line {self.getpos()[0]}: a declaration {data[:60]!r}")

    def handle_decl(self, decl: str) -> None:
        if decl.lower() != "doctype html":
            self.findings.append(f"line {self.getpos()[0]}: a declaration {decl[:60]!r}")


def _is_data_block(attrs: list[tuple[str, str | None]]) -> bool:
    """<script type="application/json">: data a page's script reads, never run."""
    values = dict(attrs)
    return values.get("type") == "application/json" and "src" not in values


def _is_local_script(attrs: list[tuple[str, str | None]]) -> bool:
    """A theme script: loaded from the site itself (src without scheme or host)."""
    src = dict(attrs).get("src") or ""
    return bool(src) and url_scheme(src) is None and not src.startswith("//")


def parse_html(data: bytes, allowed: frozenset[str] | None = None) -> _HtmlScan:
    """Parse one HTML page; its findings, text, tags and links."""
    scan = _HtmlScan(allowed if allowed is not None else theme_tags() | MARKDOWN_TAGS)
    scan.feed(data.decode("utf-8"))
    scan.close()
    return scan


def page_text(data: bytes) -> str:
    """The text a reader sees on a page (entities decoded), whitespace collapsed."""
    return " ".join("".join(parse_html(data).text).split())


def scan_xml(data: bytes, base_url: str) -> list[str]:
    """Findings in a feed or sitemap: must be well-formed, known elements, http(s) links only."""
    findings: list[str] = []
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        findings.append("a DOCTYPE or ENTITY declaration")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    for element in root.iter():
        namespace, _, local = element.tag.lstrip("{").rpartition("}")
        if namespace not in XML_NAMESPACES or local not in _XML_LOCAL:
            findings.append(f"unexpected element {element.tag!r}")
        if element.get("type") in {"html", "xhtml", "text/html"}:
            html_scan = parse_html((element.text or "").encode())
            findings.extend(f"embedded HTML: {f}" for f in html_scan.findings)
        for name in element.attrib:
            if name not in _XML_ATTRIBUTES:
                findings.append(f"<{local}>: unexpected attribute {name!r}")
        urls = [element.get("href")] if element.get("href") is not None else []
        if local in {"loc", "id"}:
            urls.append(element.text or "")
        for url in urls:
            assert url is not None
            if base_url and not url.startswith(base_url + "/"):
                findings.append(f"<{local}>: {url[:80]!r} is not below {base_url}/")
            scheme = url_scheme(url)
            if scheme is not None and scheme not in SAFE_SCHEMES:
                findings.append(f"<{local}>: scheme {scheme}: {url[:80]!r}")
    return findings


def scan_site(out_dir: Path, base_url: str = "") -> list[str]:
    """Every finding in every file of a built site ('relpath: what'); [] for a safe site."""
    allowed = theme_tags() | MARKDOWN_TAGS
    static_dir = THEME_DIR / "static"
    findings: list[str] = []
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        relpath = path.relative_to(out_dir).as_posix()
        data = path.read_bytes()
        if (static_dir / relpath).is_file():
            if data != (static_dir / relpath).read_bytes():
                findings.append(f"{relpath}: differs from the theme's static file")
            continue
        if relpath.endswith(".html"):
            found = parse_html(data, allowed).findings
        elif relpath.endswith(".xml"):
            found = scan_xml(data, base_url)
        elif relpath.endswith(".json"):
            try:
                json.loads(data.decode("utf-8"))
                found = []
            except ValueError as exc:
                found = [f"not JSON: {exc}"]
        elif relpath.startswith("pagefind/"):
            found = scan_search_file(relpath, data)
        elif relpath == "robots.txt":
            lines = data.decode("utf-8").splitlines()
            found = [
                f"line {line!r}" for line in lines if line and not _ROBOTS_LINE.fullmatch(line)
            ]
        else:
            found = ["a file of a kind the build never writes"]
        findings.extend(f"{relpath}: {finding}" for finding in found)
    return findings


def scan_search_file(relpath: str, data: bytes) -> list[str]:
    """Findings in a file of the search bundles (Pagefind): JSON that parses, data that is data.

    Pagefind's index files are gzip streams starting 'pagefind_dcd'; they are
    read by its script, never shown as a page. What the search page shows of
    them is up to the page's script (scanned as HTML with the page).
    """
    if relpath.endswith(".json"):
        try:
            json.loads(data.decode("utf-8"))
        except ValueError as exc:
            return [f"not JSON: {exc}"]
        return []
    if relpath.endswith(".js"):
        return []
    try:
        if gzip.decompress(data).startswith(b"pagefind_dcd"):
            return []
    except (OSError, EOFError):
        pass
    return ["a search file that is not Pagefind data"]


# ---------------------------------------------------------------- folders


def snapshot(root: Path, *, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """relpath -> digest (files), 'dir' (folders) or 'link -> target' for everything under root."""
    found: dict[str, str] = {}
    skipped = {str(p) for p in skip}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if os.path.join(dirpath, d) not in skipped)
        for name in dirnames + sorted(filenames):
            path = os.path.join(dirpath, name)
            relpath = os.path.relpath(path, root)
            if os.path.islink(path):
                found[relpath] = f"link -> {os.readlink(path)}"
            elif os.path.isdir(path):
                found[relpath] = "dir"
            else:
                with open(path, "rb") as handle:
                    found[relpath] = hashlib.sha256(handle.read()).hexdigest()
    return found


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """relpath -> bytes of every file under folder."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
