"""The layering of ARCHITECTURE.md, enforced: which homologa layers each layer may import, where Locust and gevent
may appear (they monkey-patch the standard library), and that the pytest plugin never pulls them in."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
LAYERS = ("generator", "server", "suite", "load", "report")
# layer -> the homologa layers it may import ("core" is every top-level module but homologa.golden)
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "golden": {"core"},
    "generator": {"core", "generator"},
    "server": {"core", "server"},
    "suite": {"core", "generator", "golden", "server", "suite"},
    "load": {"core", "generator", "load"},
    "report": {"core", "report"},
}
MONKEY_PATCHERS = ("locust", "gevent", "geventhttpclient")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "golden" if module == "homologa.golden" else "core"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


MODULES = sorted(SRC.joinpath("homologa").rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[_module_name(p) for p in MODULES])
def test_module_imports_only_the_layers_architecture_allows(path: Path) -> None:
    module = _module_name(path)
    layer = _layer(module)
    for imported in _imports(path):
        top = imported.split(".")[0]
        if top == "homologa":
            assert _layer(imported) in ALLOWED[layer], f"{module} ({layer}) importa {imported}"
        elif top in MONKEY_PATCHERS:
            where = "só homologa.load.locust_* podem"
            assert module.startswith("homologa.load.locust_"), f"{module} importa {imported} ({where})"


def test_the_pytest_plugin_and_the_suite_never_load_locust_or_gevent() -> None:
    code = (
        "import sys, homologa.suite.plugin, homologa.suite.client, homologa.suite.embedded, homologa.load.checks, "
        "homologa.load.tally, homologa.report.build\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {MONKEY_PATCHERS!r})\n"
        "print(','.join(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == ""
