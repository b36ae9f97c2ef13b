"""Finding the theme: the chain of template and static folders, without importing Jinja.

Split from render.py so that a build with nothing to do (build.py stops after
the scan) does not pay for importing Jinja and markdown-it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import ThemeError

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Theme:
    """Template and static folders, highest priority first (archive, chosen theme, default)."""

    name: str
    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]
    theme_dirs: tuple[Path, ...]  # templates/ of the chosen theme only (for "theme/NAME")
    default_dirs: tuple[Path, ...]  # templates/ of the default theme (for "default/NAME")


def themes_dir() -> Path:
    """Where the themes shipped with cablesite are: in the wheel, or the repository's themes/."""
    packaged = PACKAGE_DIR / "themes"
    return packaged if (packaged / "default").is_dir() else PACKAGE_DIR.parent / "themes"


def load_theme(config: SiteConfig) -> Theme:
    """Resolve `theme` (a name or a path) into the chain of template and static folders."""
    default_dir = themes_dir() / "default"
    if not (default_dir / "templates").is_dir():
        raise ThemeError(f"the default theme is missing: looked in {default_dir}")
    theme_dir = _find_theme(config)
    chosen = [theme_dir] if theme_dir.resolve() != default_dir.resolve() else []
    site_templates = config.site_dir / "templates"
    site_static = config.site_dir / "static"
    template_dirs = [site_templates] if site_templates.is_dir() else []
    template_dirs += [d / "templates" for d in chosen if (d / "templates").is_dir()]
    template_dirs.append(default_dir / "templates")
    static_dirs = [site_static] if site_static.is_dir() else []
    static_dirs += [d / "static" for d in [*chosen, default_dir] if (d / "static").is_dir()]
    theme_templates = tuple(d / "templates" for d in chosen if (d / "templates").is_dir())
    return Theme(
        name=config.theme,
        template_dirs=tuple(template_dirs),
        static_dirs=tuple(static_dirs),
        theme_dirs=theme_templates or (default_dir / "templates",),
        default_dirs=(default_dir / "templates",),
    )


def _find_theme(config: SiteConfig) -> Path:
    name = config.theme
    looked: list[Path] = []
    if "/" in name or name.startswith("."):
        candidates = [config.site_dir / name]
    else:
        candidates = [config.site_dir / "themes" / name, themes_dir() / name]
    for candidate in candidates:
        looked.append(candidate)
        if (candidate / "templates").is_dir():
            return candidate
    where = ", ".join(str(path) for path in looked)
    raise ThemeError(
        f"theme {name!r} not found (a theme is a folder with templates/); looked in {where}"
    )
