"""The import rules of docs/style.md, checked mechanically: no module reaches up a layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "generator"

# module -> the generator modules it may import (style.md, "Import rules")
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "lifetime": set(),  # children that die with their cablesite process (PR_SET_PDEATHSIG)
    "memory": set(),  # a child's peak memory, and memory a build gives back (/proc, glibc)
    "yaml_depth": set(),  # how deep YAML nests, for the loaders of front matter and site.yaml
    "reference": {"errors"},  # packaged data tables (post variants, cable ids, TAGS titles)
    "cable": {"errors", "yaml_depth"},  # cable_yaml: front-matter YAML; cable_files: content/
    "config": {"errors", "yaml_depth"},
    "parse": {"cable", "reference", "errors"},
    "urls": {"config", "errors"},
    "importer": {"parse", "cable", "reference", "errors", "lifetime"},
    "site": {"cable", "config", "urls", "reference", "errors"},
    "pages": {"site", "cable", "urls", "config", "reference", "errors"},
    "render": {"pages", "config", "errors"},
    "output": {"urls", "errors"},
    "build": {
        "config",
        "cable",
        "site",
        "pages",
        "render",
        "output",
        "urls",
        "reference",
        "errors",
        "search",
        "lifetime",
        "memory",
    },
    # Pagefind; imported by build only
    "search": {"site", "pages", "output", "urls", "errors", "lifetime", "memory"},
    "serve": {"build", "render", "config", "errors", "output", "urls"},
    "check": {"site", "pages", "urls", "cable", "config", "errors"},
}
# split modules inherit the rules of the module they were split from
SPLITS = {
    "cable_": "cable",
    "parse_": "parse",
    "importer_": "importer",
    "render_": "render",
    "site_": "site",
    "pages_": "pages",
    "build_": "build",
    "reference_": "reference",
    "serve_": "serve",
    "search_": "search",
    "output_": "output",
}
NEVER_OUTSIDE_CLI = {"argparse", "rich", "tqdm"}
NO_TEMPLATES = {"jinja2", "markdown_it", "mdit_py_plugins"}


def rule_name(module: str) -> str:
    for prefix, base in SPLITS.items():
        if module.startswith(prefix):
            return base
    return module


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(generator modules imported, top-level third-party/stdlib packages imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner: set[str] = set()
    outer: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "generator":
                    inner.add(parts[1] if len(parts) > 1 else "__init__")
                else:
                    outer.add(parts[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == "generator":
                if len(parts) > 1:
                    inner.add(parts[1])
                else:
                    inner.update(alias.name for alias in node.names)
            else:
                outer.add(parts[0])
    return inner - {"__init__"}, outer


MODULES = sorted(
    p.stem for p in PACKAGE_DIR.glob("*.py") if p.stem not in {"__init__", "__main__", "cli"}
)


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_only_lower_layers(module: str) -> None:
    inner, outer = imports_of(PACKAGE_DIR / f"{module}.py")
    allowed = ALLOWED.get(rule_name(module))
    assert allowed is not None, (
        f"{module}.py is not in the module map of docs/style.md (tests/test_layering.py)"
    )
    inner = {rule_name(m) for m in inner}  # a split module counts as the module it was split from
    siblings = {m for m in inner if m == rule_name(module)}
    assert inner - siblings <= allowed, f"{module} imports {sorted(inner - siblings - allowed)}"
    assert not (outer & NEVER_OUTSIDE_CLI), (
        f"{module} imports CLI libraries {sorted(outer & NEVER_OUTSIDE_CLI)}"
    )
    if rule_name(module) in {"site", "pages", "parse", "importer", "cable", "config", "urls"}:
        assert not (outer & NO_TEMPLATES), f"{module} imports {sorted(outer & NO_TEMPLATES)}"


def test_the_parser_and_the_cable_record_do_no_file_io_of_content() -> None:
    """parse_* and cable.py stay pure: only importers and builds reach cable_files."""
    for path in PACKAGE_DIR.glob("*.py"):
        if rule_name(path.stem) == "parse" or path.stem in {"cable", "cable_yaml"}:
            inner, _ = imports_of(path)
            assert "cable_files" not in inner, f"{path.name} imports cable_files"


def test_nothing_imports_cli() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        if path.stem in {"cli", "__main__"}:
            continue
        inner, _ = imports_of(path)
        assert "cli" not in inner, f"{path.name} imports cli"


def test_only_cli_prints() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        if path.stem == "cli":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
        ]
        assert not calls, f"{path.name} calls print() on line {calls[0].lineno}"
