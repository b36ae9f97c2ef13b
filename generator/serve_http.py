"""The preview server's HTTP side: files of the built site only, with the reload script added.

Every request is checked before the disk is touched: the raw path may not
hold an encoded slash or backslash, a backslash, a NUL, a '.' or '..'
segment (plain or percent-encoded), an empty segment or a drive letter, and
the file it names — after symlinks are followed — must lie inside the output
folder as it is *now*: the output folder is resolved again for every request,
so a build that swaps it (a folder exchange, or a symlink re-pointed) is
followed at once. HTML responses get the livereload client script before
</head> and, while the last build failed, a banner saying why; the files in
the output folder are never changed.
"""

from __future__ import annotations

import html
import mimetypes
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes

from tornado import web

CHUNK_SIZE = 256 * 1024
NOT_FOUND = "No such page in the built site."
TEXT_TYPES = ("text/", "application/xml", "application/json", "application/javascript")
_DRIVE = re.compile(r"^[A-Za-z]:")
_REFUSED_RAW = re.compile(r"%(?:2f|5c|00)|\\", re.IGNORECASE)
_BODY_OPEN = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)

# The livereload client (livereload.js, served by the livereload package) on the page's own port.
RELOAD_SCRIPT = (
    b'<script>(function(){var s=document.createElement("script");'
    b"var port=window.location.port||(window.location.protocol==\"https:\"?443:80);"
    b's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
    b"document.head.appendChild(s);})();</script>"
)


@dataclass(frozen=True, slots=True)
class ServeState:
    """What the server shows: the output folder, its URL prefix, and the last build's errors.

    `build_error` is set when the last build stopped (bad template or
    site.yaml): the pages served are then the last good build's. `problems`
    are the errors of a build that went through without some cables.
    """

    out_dir: Path
    base_path: str = ""  # '/cables' when base_url is 'https://example.org/cables'
    build_error: str | None = None
    problems: tuple[str, ...] = ()
    building: bool = False


class RefusedPath(ValueError):
    """A request path that could leave the output folder; answered with 400."""


def request_segments(raw_path: str, base_path: str = "") -> tuple[str, ...] | None:
    """The decoded segments of a raw request path below base_path; None if outside base_path.

    '/tag/prel/' -> ('tag', 'prel', ''); a trailing '' means "the folder's
    index.html". RefusedPath for anything that could name a file outside the
    output folder, however it is spelled: '/../x', '/%2e%2e/x', '/a%2fb',
    '/a\\b', '//etc/passwd', '/C:/x', '/a%00'.
    """
    if not raw_path.startswith("/"):
        raise RefusedPath("the path does not start with /")
    if _REFUSED_RAW.search(raw_path):
        raise RefusedPath("encoded slash, backslash or NUL")
    try:
        decoded = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RefusedPath("the path is not UTF-8") from exc
    if "\\" in decoded or "\x00" in decoded:
        raise RefusedPath("backslash or NUL")
    if base_path:
        if not decoded.startswith(base_path + "/"):
            return None  # '/cables' too: redirected to '/cables/'
        decoded = decoded[len(base_path) :]
    segments = tuple(decoded[1:].split("/"))
    for position, segment in enumerate(segments):
        if segment in {".", ".."}:
            raise RefusedPath("'.' or '..' in the path")
        if segment == "" and position != len(segments) - 1:
            raise RefusedPath("empty segment (//) in the path")
        if segment.startswith(".") and segment != ".well-known":
            raise RefusedPath("hidden file")
    if segments and _DRIVE.match(segments[0]):
        raise RefusedPath("drive letter in the path")
    return segments


def resolve_file(out_dir: Path, segments: tuple[str, ...]) -> tuple[Path | None, bool]:
    """(the file to serve or None, whether the path names a folder and lacks its trailing slash).

    The output folder and the candidate are both resolved (symlinks followed)
    now, and the candidate must lie inside the folder. A symlink in the site
    that leads outside is treated as absent.
    """
    root = os.path.realpath(out_dir)
    candidate = os.path.realpath(os.path.join(root, *segments))
    if not _is_inside(candidate, root):
        return None, False
    if os.path.isdir(candidate):
        if segments and segments[-1] != "":
            return None, True
        candidate = os.path.realpath(os.path.join(candidate, "index.html"))
        if not _is_inside(candidate, root):
            return None, False
    if not os.path.isfile(candidate):
        return None, False
    return Path(candidate), False


def _is_inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def content_type(path: Path) -> str:
    """The Content-Type of a site file ('text/html; charset=utf-8')."""
    kind, _ = mimetypes.guess_type(path.name)
    kind = kind or "application/octet-stream"
    if kind.startswith(TEXT_TYPES) or path.suffix in {".xml", ".json", ".js", ".css", ".txt"}:
        return f"{kind}; charset=utf-8"
    return kind


def decorate_html(page: bytes, state: ServeState) -> bytes:
    """Add the reload script before </head> and the error banner after <body>; nothing else."""
    head_end = page.find(b"</head>")
    if head_end == -1:
        head_end = page.find(b"</HEAD>")
    if head_end != -1:
        page = page[:head_end] + RELOAD_SCRIPT + page[head_end:]
    else:
        page = RELOAD_SCRIPT + page
    banner = error_banner(state)
    if banner:
        match = _BODY_OPEN.search(page)
        position = match.end() if match else len(page)
        page = page[:position] + banner + page[position:]
    return page


def error_banner(state: ServeState) -> bytes:
    """The banner shown at the top of every page while the last build has errors; b'' if none."""
    if state.build_error is None and not state.problems:
        return b""
    if state.build_error is not None:
        title = "cablesite serve: the last build failed; this is the last good build"
        detail = state.build_error
    else:
        count = len(state.problems)
        title = f"cablesite serve: {count} problem(s) in the last build; the rest was built"
        detail = "\n".join(state.problems[:50])
        if count > 50:
            detail += f"\n... and {count - 50} more (see the terminal)"
    text = (
        # Sticky: a reload keeps the reader's scroll position, which would hide a banner on top.
        '<div id="cablesite-build-error" role="alert" style="all:initial;display:block;'
        "position:sticky;top:0;z-index:2147483647;box-sizing:border-box;max-height:50vh;"
        "overflow:auto;margin:0;padding:12px 16px;background:#fff0f0;color:#600;"
        "border-bottom:3px solid #c00;font:14px/1.4 system-ui,sans-serif;"
        'overflow-wrap:anywhere">'
        f"<strong>{html.escape(title)}</strong>"
        '<pre style="white-space:pre-wrap;font:13px/1.4 ui-monospace,monospace;margin:8px 0">'
        f"{html.escape(detail)}</pre>"
        "<span>Fix it and save: this page reloads by itself.</span></div>"
    )
    return text.encode("utf-8")


def message_page(title: str, message: str, state: ServeState) -> bytes:
    """A small page of the preview server itself (no site yet, not found, refused)."""
    text = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head><body>"
        '<main style="font:16px/1.5 system-ui,sans-serif;margin:2em auto;max-width:40em;'
        'padding:0 1em">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></main></body></html>\n"
    )
    return decorate_html(text.encode("utf-8"), state)


class SiteFileHandler(web.RequestHandler):
    """GET and HEAD for the files of the built site; nothing else."""

    def initialize(self, get_state: Callable[[], ServeState]) -> None:
        self.get_state = get_state

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Server", "cablesite")

    def head(self) -> None:
        self._respond(include_body=False)

    def get(self) -> None:
        self._respond(include_body=True)

    def _respond(self, *, include_body: bool) -> None:
        state = self.get_state()
        raw_path = self.request.path
        try:
            segments = request_segments(raw_path, state.base_path)
        except RefusedPath as exc:
            self._send_message(400, "Bad request", f"Refused: {exc}.", state, include_body)
            return
        if segments is None:
            self.redirect(state.base_path + "/", permanent=False)
            return
        path, is_folder = resolve_file(state.out_dir, segments)
        if is_folder:
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(f"{raw_path}/{query}", permanent=True)
            return
        if path is None:
            self._send_not_found(state, include_body)
            return
        self._send_file(path, 200, state, include_body)

    def _send_not_found(self, state: ServeState, include_body: bool) -> None:
        not_found, _ = resolve_file(state.out_dir, ("404.html",))
        if not_found is not None:
            self._send_file(not_found, 404, state, include_body)
        elif state.build_error is not None or state.building:
            title = "Building…" if state.building else "The site could not be built"
            message = "There is no built site to show yet."
            self._send_message(503, title, message, state, include_body)
        else:
            self._send_message(404, "Not found", NOT_FOUND, state, include_body)

    def _send_message(
        self, status: int, title: str, message: str, state: ServeState, include_body: bool
    ) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        body = message_page(title, message, state)
        self.set_header("Content-Length", str(len(body)))
        if include_body:
            self.write(body)

    def _send_file(self, path: Path, status: int, state: ServeState, include_body: bool) -> None:
        kind = content_type(path)
        try:
            handle = path.open("rb")
        except OSError:
            self._send_message(404, "Not found", NOT_FOUND, state, include_body)
            return
        with handle:
            self.set_status(status)
            self.set_header("Content-Type", kind)
            if kind.startswith("text/html"):
                body = decorate_html(handle.read(), state)
                self.set_header("Content-Length", str(len(body)))
                if include_body:
                    self.write(body)
                return
            self.set_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
            if not include_body:
                return
            while chunk := handle.read(CHUNK_SIZE):
                self.write(chunk)
