"""Imports flow one way: backend ← geo ← tracing ← marketplace ← oversight ← demo (docs/architecture.md).

Read from the source with `ast`, so an import inside a function counts as much as one at the top.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LAYERS = ["backend", "geo", "tracing", "marketplace", "oversight", "demo"]


def imported_apps(package: str) -> dict[str, set[str]]:
    """{top-level app imported: the files of `package` importing it}, for the apps in LAYERS."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in LAYERS and top != package:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("package", LAYERS)
def test_no_package_imports_one_above_it(package):
    above = set(LAYERS[LAYERS.index(package) + 1 :])
    wrong = {app: sorted(files) for app, files in imported_apps(package).items() if app in above}
    assert wrong == {}


def test_the_demo_is_the_last_installed_app():
    assert settings.INSTALLED_APPS[-1] == "demo"
