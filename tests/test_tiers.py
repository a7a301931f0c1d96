"""The harness's own test set-up: the fast tier's list of slow tests names real modules and tests (a rename cannot
silently slow it down), and ``pytest --target URL`` without ``suites`` is refused in one pt-BR line."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).parent


def _tiers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("homologa_test_tiers", HERE / "conftest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_slow_module_exists() -> None:
    missing = sorted(m for m in _tiers().SLOW_MODULES if not (HERE / m).is_file())
    assert not missing, f"tests/conftest.py lista módulos que não existem: {missing}"


def test_every_slow_test_exists_in_its_module() -> None:
    missing = []
    for entry in sorted(_tiers().SLOW_TESTS):
        module, _, name = entry.partition("::")
        name = name.split("[", 1)[0]
        path = HERE / module
        if not path.is_file() or name not in _functions(path):
            missing.append(entry)
    assert not missing, f"tests/conftest.py lista testes que não existem: {missing}"


def test_slow_is_decided_by_module_or_by_test() -> None:
    tiers = _tiers()
    assert tiers.slow("test_load_runs.py", "qualquer_um")
    assert tiers.slow("test_suite_plugin.py", "test_failure_message_reads_top_to_bottom")
    assert not tiers.slow("test_suite_plugin.py", "test_plugin_stays_out_of_the_way_of_other_test_runs")
    assert not tiers.slow("test_cnpj.py", "test_failure_message_reads_top_to_bottom")
    fault = "test_fault_does_what_it_says"
    assert tiers.slow("test_server_faults.py", fault, f"{fault}[trava]")
    assert not tiers.slow("test_server_faults.py", fault, f"{fault}[http500]")


def _pytest(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=HERE.parent, capture_output=True, text=True, timeout=120, check=False)


def test_target_without_suites_is_refused_in_one_portuguese_line() -> None:
    done = _pytest("--target", "http://127.0.0.1:9/clientes")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "ERROR: homologa: --target sem 'suites' rodaria os testes internos" in done.stderr
    assert "pytest suites --target URL" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert " passed" not in done.stdout  # nothing of tests/ ran


def test_target_with_suites_is_not_refused() -> None:
    tiers = _tiers()
    assert tiers._names_the_suite("suites")
    assert tiers._names_the_suite(str(HERE.parent / "suites" / "test_01_clientes_novos.py") + "::test_x")
    assert not tiers._names_the_suite("tests")
    assert not tiers._names_the_suite(".")
