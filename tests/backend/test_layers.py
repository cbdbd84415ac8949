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


#: Calls that import code or reach a model by a name given as a string literal.
DYNAMIC_IMPORTS = {"import_module", "import_string", "__import__", "get_model", "get_app_config", "find_spec"}
#: Project wiring that names every app by design: settings (INSTALLED_APPS, hooks) and the root URLconf.
WIRING = {"backend/settings.py", "backend/urls.py"}


def named_apps(package: str) -> dict[str, set[str]]:
    """{app: files of `package`} for the apps in LAYERS that a dynamic import names with a literal."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        relative = str(path.relative_to(ROOT))
        if relative in WIRING:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called not in DYNAMIC_IMPORTS:
                continue
            for argument in node.args[:1]:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    top = argument.value.split(".")[0]
                    if top in LAYERS and top != package:
                        found.setdefault(top, set()).add(relative)
    return found


@pytest.mark.parametrize("package", LAYERS)
def test_no_package_reaches_one_above_it_by_name_either(package):
    """import_module("tracing…"), import_string, apps.get_model("oversight", …): an import all the same."""
    above = set(LAYERS[LAYERS.index(package) + 1 :])
    wrong = {app: sorted(files) for app, files in named_apps(package).items() if app in above}
    assert wrong == {}


def test_the_backend_imports_no_app_and_no_app_imports_the_demo():
    """The two ends of the house, spelled out: backend stands on Django alone, demo on everything."""
    backend = {**imported_apps("backend"), **named_apps("backend")}
    assert sorted(backend) == []
    for app in LAYERS[:-1]:
        assert "demo" not in imported_apps(app), app
        assert "demo" not in named_apps(app), app
