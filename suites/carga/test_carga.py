"""Carga de go-live (R6): uma rajada curta com o perfil de carga, anexada ao relatório Allure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import allure
import pytest

from homologa.load.settings import AUTH_HEADERS_ENV, auth_headers
from homologa.suite import reporting
from homologa.suite.errors import HarnessError

SHORT_BURST = 300  # customers of the sign-off burst; HOMOLOGA_CARGA_CLIENTES overrides it


@pytest.mark.carga
@pytest.mark.regra("R6")
def test_rajada_do_go_live(
    homologa_target: str, homologa_settings: Any, homologa_run_dir: Path | None, pytestconfig: pytest.Config
) -> None:
    """Rajada do go-live: todos os clientes enviados uma vez e respondidos sem erro"""
    settings = homologa_settings
    customers = os.environ.get("HOMOLOGA_CARGA_CLIENTES", str(SHORT_BURST)).strip()  # checked by conftest.py
    run_id = homologa_run_dir.name if homologa_run_dir else None
    reporting.label_test("R6", "Carga de go-live", settings, {"clientes": customers}, run_id)
    reporting.title_test("Rajada do go-live: todos os clientes enviados uma vez e respondidos sem erro", "R6")
    root = pytestconfig.rootpath
    # the burst's output goes to this run's own folder: it never clobbers a standalone load run's reports/carga
    report = (homologa_run_dir or root / "reports") / "carga"
    args = [sys.executable, "-m", "locust", "-f", str(root / "loadtests" / "locustfile.py"), "--headless",
            "--only-summary", "--host", homologa_target, "--customers", customers, "--report-dir", str(report),
            "--html", str(report / "carga.html"), "--csv", str(report / "carga"),
            "--timeout", str(settings.timeout), "--p95-budget-ms", str(settings.p95_budget_ms)]  # fmt: skip
    args += ["--contract", str(settings.contract)]  # the burst speaks the run's contract pack
    profile_path = getattr(settings.profile, "path", None)
    if profile_path:  # absolute: the burst runs from the checkout, the profile was found from where pytest ran
        args += ["--homologa-profile", str(Path(profile_path).resolve())]
    for stale in ("resultado.json", "resultado.txt", "carga.html"):
        (report / stale).unlink(missing_ok=True)
    # the suite's credentials (--homologa-basic-auth, --homologa-bearer, --homologa-header) travel in the
    # environment, not on the command line
    env = {**os.environ, AUTH_HEADERS_ENV: json.dumps(auth_headers(settings.auth))}
    done = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=1800, check=False, env=env)
    tally = report / "resultado.txt"
    _attach(tally, "Apuração da carga", allure.attachment_type.TEXT)
    _attach(report / "resultado.json", "Resultado da carga (JSON)", allure.attachment_type.JSON)
    _attach(report / "carga.html", "Relatório Locust", allure.attachment_type.HTML)
    if done.returncode == 2:  # the burst could not start (usage error): a harness fault, never the ERP's
        raise HarnessError(f"a rajada não pôde começar (código 2): {_last_lines(done.stderr)}")
    if done.returncode != 0:
        reason = tally.read_text(encoding="utf-8") if tally.exists() else _last_lines(done.stderr)
        pytest.fail(f"carga reprovada (código {done.returncode}):\n{reason}", pytrace=False)
    result = json.loads((report / "resultado.json").read_text(encoding="utf-8"))
    assert result["aprovado"] and result["enviados"] == result["planejados"]


def _attach(path: Path, name: str, kind: Any) -> None:
    if path.exists():
        allure.attach.file(path, name=name, attachment_type=kind)


def _last_lines(text: str, count: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[-count:])
