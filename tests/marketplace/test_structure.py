"""The marketplace's module map holds (docs/architecture.md, "The marketplace's module map").

Read from the source with `ast`, like tests/backend/test_layers.py: a second place that moves a
listing's stock or locks its row, or a second `vnd` filter, fails here before it can drift.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings
from django.template import engines

ROOT = Path(settings.BASE_DIR)
APPS = ["backend", "geo", "tracing", "marketplace", "oversight", "demo"]
STOCK_MODULE = "marketplace/services/stock.py"


def _receiver_names(node: ast.AST) -> set[str]:
    """The names in a call chain's receiver: Listing.objects.select_for_update(…).filter(…) → {Listing, …}."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _stock_writers_and_lockers() -> dict[str, list[str]]:
    """{file: what it does} for code that updates a `stock` column or locks Listing rows."""
    found: dict[str, list[str]] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            relative = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr == "update" and any(k.arg == "stock" for k in node.keywords):
                    found.setdefault(relative, []).append(f"update(stock=…) line {node.lineno}")
                if node.func.attr == "select_for_update" and "Listing" in _receiver_names(node.func.value):
                    found.setdefault(relative, []).append(f"Listing select_for_update line {node.lineno}")
    return found


def test_only_the_stock_module_moves_a_listings_stock_or_locks_its_row():
    found = _stock_writers_and_lockers()
    assert set(found) == {STOCK_MODULE}, found


def test_the_stock_module_does_both_reserving_and_releasing():
    found = _stock_writers_and_lockers()[STOCK_MODULE]
    assert any("update" in what for what in found)
    assert any("select_for_update" in what for what in found)


def test_one_template_library_has_the_vnd_filter():
    libraries = engines["django"].engine.template_libraries
    with_vnd = sorted(name for name, library in libraries.items() if "vnd" in library.filters)
    assert with_vnd == ["formatting"]
