"""What a build reads besides content/: its fingerprint, and the renderer with its templates.

`fingerprint` is what build.py compares with the live site's record to stop
early: a key per content folder plus one digest of everything else (theme
files, configuration, the TAGS table, cablesite's own code: `global_digest`).
`make_renderer` compiles the page templates once per build, through a
bytecode cache kept in the cache folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import generator
from generator.build_cache import ContentScan
from generator.build_plan import Fingerprint
from generator.config import SiteConfig
from generator.reference_tags import TAGS_PATH
from generator.render_theme import Theme

if TYPE_CHECKING:
    import jinja2

    from generator.build_render import Renderer

log = logging.getLogger(__name__)

JINJA_FOLDER = "templates"  # in the cache folder: compiled templates


def fingerprint_inputs(config: SiteConfig, theme: Theme, scan: ContentScan) -> Fingerprint:
    """Everything a build reads: content/ folder keys, and the rest as one digest."""
    hasher = hashlib.blake2b(global_digest(config), digest_size=16)
    for folder in (*theme.template_dirs, *theme.static_dirs, *theme.theme_dirs):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                stat = os.stat(os.path.join(dirpath, name))
                hasher.update(
                    f"{dirpath}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\n".encode(
                        "utf-8", "surrogateescape"
                    )
                )
    return Fingerprint(others=hasher.digest(), folders=dict(scan.folders))


def global_digest(config: SiteConfig) -> bytes:
    """What every page depends on: the configuration, the TAGS table and cablesite's code.

    The code is its modules' bytes, not only the version number: an upgrade (or
    a fix installed under the same version) that changes what a page looks like
    re-renders it (a few milliseconds: the package is about 0.5 MB of source).
    """
    tags = TAGS_PATH.stat()
    text = f"{generator.__version__}|{config!r}|{tags.st_size}:{tags.st_mtime_ns}"
    hasher = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
    for module in sorted(Path(generator.__file__).parent.glob("*.py")):
        hasher.update(module.name.encode() + b"\0" + module.read_bytes())
    return hasher.digest()


def make_renderer(
    theme: Theme, config: SiteConfig, back_dir: Path, templates: tuple[str, ...]
) -> Renderer:
    """The Jinja environment with the given templates compiled, Markdown, the back tree."""
    from generator.build_render import Renderer
    from generator.render import load_template, make_environment, make_markdown

    env = make_environment(theme, config)
    env.bytecode_cache = bytecode_cache(config)
    for name in templates:
        load_template(env, name)  # compiled once here, inherited by every worker
    return Renderer(env=env, markdown=make_markdown(), back_dir=back_dir)


def bytecode_cache(config: SiteConfig) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between builds (compiling the theme costs more than a page).

    Jinja checks each template's source against the cache; the folder is named
    by the global digest, so other cablesite code or settings never reuse it.
    """
    import jinja2
    import jinja2.bccache

    root = config.cache_dir / JINJA_FOLDER
    folder = root / global_digest(config).hex()
    try:
        if not folder.is_dir():
            if root.is_dir():
                for old in root.iterdir():
                    shutil.rmtree(old, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("%s: cannot keep compiled templates (%s)", folder, exc.strerror)
        return None

    class KeptTemplates(jinja2.FileSystemBytecodeCache):
        """The cache is optional: a template it cannot keep (disk full, folder gone) is not."""

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, EOFError, ValueError):
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError as exc:
                log.info("%s: cannot keep a compiled template (%s)", folder, exc.strerror)

    return KeptTemplates(str(folder))
