"""Carga de go-live (R6): uma rajada curta com o perfil de carga, anexada ao relatório Allure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import allure
import pytest

SHORT_BURST = 300  # customers of the sign-off burst; HOMOLOGA_CARGA_CLIENTES overrides it


@pytest.fixture
def carga_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The suite's target (``--target``, HOMOLOGA_TARGET, the profile, or the embedded reference distributor)."""
    try:
        yield str(request.getfixturevalue("homologa_target"))
        return
    except pytest.FixtureLookupError:
        pass
    if os.environ.get("HOMOLOGA_TARGET"):
        yield os.environ["HOMOLOGA_TARGET"]
        return
    from homologa.server import ReferenceServer, ServerConfig

    with ReferenceServer(ServerConfig(db_path=tmp_path / "referencia.db", port=0)) as server:
        yield server.url


@pytest.mark.carga
def test_rajada_do_go_live(carga_target: str, pytestconfig: pytest.Config) -> None:
    """Rajada do go-live: todos os clientes enviados uma vez e respondidos sem erro (R6)"""
    root = pytestconfig.rootpath
    report = root / "reports" / "carga"
    customers = os.environ.get("HOMOLOGA_CARGA_CLIENTES", str(SHORT_BURST))
    args = [sys.executable, "-m", "locust", "-f", str(root / "loadtests" / "locustfile.py"), "--headless",
            "--only-summary", "--host", carga_target, "--customers", customers, "--report-dir", str(report),
            "--html", str(report / "carga.html"), "--csv", str(report / "carga")]  # fmt: skip
    profile = _option(pytestconfig, "profile")
    if profile:
        args += ["--homologa-profile", profile]
    allure.dynamic.feature("Carga de go-live")
    allure.dynamic.tag("R6")
    done = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=1800, check=False)
    tally = report / "resultado.txt"
    if tally.exists():
        allure.attach(tally.read_text(encoding="utf-8"), "Apuração da carga", allure.attachment_type.TEXT)
    if (report / "resultado.json").exists():
        allure.attach.file(report / "resultado.json", "Resultado da carga (JSON)", allure.attachment_type.JSON)
    if (report / "carga.html").exists():
        allure.attach.file(report / "carga.html", "Relatório Locust", allure.attachment_type.HTML)
    if done.returncode != 0:
        reason = tally.read_text(encoding="utf-8") if tally.exists() else _last_lines(done.stderr)
        pytest.fail(f"carga reprovada (código {done.returncode}):\n{reason}", pytrace=False)
    result = json.loads((report / "resultado.json").read_text(encoding="utf-8"))
    assert result["aprovado"] and result["enviados"] == result["planejados"]


def _option(config: pytest.Config, name: str) -> str | None:
    try:
        value = config.getoption(name)
    except ValueError:
        return None
    return str(value) if value else None


def _last_lines(text: str, count: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[-count:])
