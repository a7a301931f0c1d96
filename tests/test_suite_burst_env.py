"""``HOMOLOGA_CARGA_CLIENTES`` (customers of the go-live burst): a bad value is the person's usage error (exit code
4, the variable named, in pt-BR), found before the run starts, never a failure of homologa nor of the ERP."""

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
