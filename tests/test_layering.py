"""Imports go one way (STYLE.md): cli -> ingest/query/render -> segment/dates/store -> models."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "newsarc"

# Each module may import only the newsarc modules listed for it.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "models": set(),
    "lede_style": set(),
    "migrations": set(),
    "decode": {"models", "errors"},
    "segment": {"models", "lede_style"},
    "dates": {"models", "errors"},
    "store": {"models", "errors", "migrations"},
    "query": {"models", "errors"},
    "render": {"models", "errors"},
    "parallel": {"models", "errors", "decode", "segment", "dates"},
    "ingest": {"models", "errors", "parallel", "segment", "dates", "store", "query"},
    "cli": {"models", "errors", "ingest", "query", "render", "store", "decode", "segment", "dates"},
    "__main__": {"cli"},
    "__init__": set(),
}
THIRD_PARTY_ONLY_IN = {
    "typer": {"cli"},
    "click": {"cli"},
    "rich": {"render", "cli"},
    "sqlite_utils": {"migrations", "store"},
    "sqlite3": {"migrations", "store"},
}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_every_module_is_known() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules == set(ALLOWED), "add new modules to ALLOWED with their place in the layers"


def test_imports_go_one_way() -> None:
    for path in PACKAGE.glob("*.py"):
        own = {n.split(".", 1)[1] for n in imports_of(path) if n.startswith("newsarc.")}
        bad = own - ALLOWED[path.stem]
        assert not bad, f"newsarc/{path.name} must not import {sorted(bad)}"


def test_heavy_or_io_libraries_stay_in_their_module() -> None:
    for path in PACKAGE.glob("*.py"):
        roots = {n.split(".", 1)[0] for n in imports_of(path)}
        for library, owners in THIRD_PARTY_ONLY_IN.items():
            if library in roots:
                assert path.stem in owners, f"newsarc/{path.name} imports {library}"
