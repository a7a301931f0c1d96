"""Identity scenarios: the suite proves the ERP identifies a customer by the full CNPJ, and only by it.

Against the reference distributor: correct, every identity scenario passes (twice in a row, same database); with
each ``identifica-*`` fault, the scenario for that way of misidentifying fails as a status divergence — and the
known-CNPJ-with-everything-changed scenario fails for every fault but the raiz (a filial keeps the raiz).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from homologa.server import ReferenceServer, ServerConfig
from homologa.server.business import IDENTITY_FAULTS
from homologa.suite import scenarios

pytest_plugins = ["pytester"]

SUITES = Path(__file__).resolve().parents[1] / "suites"
NEW = "test_cnpj_novo_parecido_com_cliente_cadastrado_recebe_pen"
KNOWN = "test_cnpj_cadastrado_com_todos_os_outros_dados_mudados_recebe_apv_ou_rpv"


def run_identity(pytester: pytest.Pytester, url: str) -> pytest.HookRecorder:
    return pytester.inline_run(
        str(SUITES / "test_04_identidade.py"), "--target", url,
        "-p", "no:allure_pytest", "-p", "no:cacheprovider", "-q",
    )  # fmt: skip


def test_every_resemblance_has_its_fault() -> None:
    assert {r.code for r in scenarios.RESEMBLANCES} == set(IDENTITY_FAULTS.values())


def test_correct_distributor_passes_the_identity_scenarios(pytester: pytest.Pytester, tmp_path: Path) -> None:
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.sqlite3")) as server:
        for _ in range(2):
            rec = run_identity(pytester, server.url)
            passed, skipped, failed = rec.listoutcomes()
            assert not failed and not skipped, [r.nodeid for r in failed]
            assert len(passed) == len(scenarios.RESEMBLANCES) + 1


@pytest.mark.parametrize("fault", sorted(IDENTITY_FAULTS))
def test_each_identity_fault_fails_its_scenario(pytester: pytest.Pytester, tmp_path: Path, fault: str) -> None:
    code = IDENTITY_FAULTS[fault]
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.sqlite3", faults=(fault,))) as server:
        rec = run_identity(pytester, server.url)
    reports = [r for r in rec.getreports("pytest_runtest_logreport") if r.failed]
    assert all(r.when == "call" for r in reports), "erro do próprio harness"
    failed = {r.nodeid.split("::")[-1]: dict(r.user_properties) for r in reports}
    expected = {f"{NEW}[{code}]"} | (set() if code == "raiz" else {KNOWN})
    assert set(failed) == expected, sorted(failed)
    assert {p["categoria"] for p in failed.values()} == {"status divergente"}
    new_failure = next(r for r in reports if f"[{code}]" in r.nodeid)
    assert "Esperado: Status PEN" in str(new_failure.longrepr), new_failure.longrepr
