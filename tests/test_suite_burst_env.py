"""Usage errors of the suite: a bad ``HOMOLOGA_CARGA_CLIENTES`` (customers of the go-live burst) or conflicting
credentials are the person's usage error (exit code 4, named in pt-BR), found before the run starts, never a failure
of homologa nor of the ERP, and they leave no run folder behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("value", ["abc", "0", "-5"])
def test_a_bad_burst_size_is_a_usage_error_naming_the_variable(tmp_path: Path, value: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMOLOGA_")}
    env["HOMOLOGA_CARGA_CLIENTES"] = value
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "suites"), "-p", "no:xdist", "-p", "no:cacheprovider", "-q",
         "--target", "http://127.0.0.1:9/clientes", "--with-load"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert f"HOMOLOGA_CARGA_CLIENTES deve ser um número inteiro de clientes maior que zero, recebeu '{value}'" in output
    assert "invalid int value" not in output and "Traceback" not in output
    assert not (tmp_path / "reports").exists()  # no run folder left behind


def test_an_option_error_leaves_no_empty_run_folder_behind(tmp_path: Path) -> None:
    """The run's folder is opened before the options are read; a usage error removes it again (it holds no file)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMOLOGA_")}
    env["HOMOLOGA_BEARER"] = "token-secreto"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "suites"), "-p", "no:xdist", "-p", "no:cacheprovider", "-q",
         "--target", "http://127.0.0.1:9/clientes", "--homologa-basic-auth", "u:p"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "Bearer de variável HOMOLOGA_BEARER" in output and "token-secreto" not in output
    assert not list((tmp_path / "reports" / "execucoes").glob("*")), "a usage error left a run folder behind"
