"""End to end: the product suite against the real reference distributor, correct and with each of its faults.

The correct distributor passes twice in a row on the same database (fresh customers every run). Each fault
(``homologa servir --fault NAME``) makes the suite fail with the category the fault catalogue announces, in a
scenario that proves the broken rule, and never as a harness error ("broken"). All of it on every pack: v1, v1 over
SOAP 1.1 and a test pack with another element layout; a run in one pack against a target in another stops in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from homologa.categories import LATENCIA
from homologa.server import FAULTS, ReferenceServer, ServerConfig

pytest_plugins = ["pytester"]

SUITES = Path(__file__).resolve().parents[1] / "suites"
TEST_PACK = Path(__file__).resolve().parent / "packs" / "renomeado"
# every pack the proofs run on: v1 (plain XML), v1 over SOAP 1.1, and a test pack with renamed, reordered and
# re-nested elements and status words (tests/packs/renomeado)
PACKS = {"v1": "1", "v1-soap": "v1-soap", "renomeado": str(TEST_PACK)}


@dataclass(frozen=True)
class Case:
    proves: str  # a failing test's node id must contain this ("" = any scenario)
    args: tuple[str, ...] = ()
    server_protected: tuple[str, ...] = ()
    fault_delay: float = 2.5
    only_failure: bool = False  # the run stops after the first failure (dead or hanging target)
    profile: str = ""
    rule: str = ""  # the rule the suite reports, when not the fault's own (R6 is the load profile's)


CASES: dict[str, Case] = {
    "apv-para-novo": Case("test_mensagem_de_ouro_como_cliente_novo_recebe_pen"),
    "pen-para-reenvio": Case("test_reenvio_completo_sem_alteracoes"),
    "erro-ao-mudar-endereco": Case("test_reenvio_com_endereco_alterado"),
    "http500-ao-mudar-telefone": Case("test_reenvio_mudando_um_campo_so_recebe_apv_ou_rpv[telefone]"),
    "erro-ao-mudar-email": Case("test_reenvio_mudando_um_campo_so_recebe_apv_ou_rpv[email]"),
    "erro-em-campo-protegido": Case(
        "test_reenvio_mudando_um_campo_so_recebe_apv_ou_rpv[telefone]",
        args=("--protected-fields", "telefone"),
        server_protected=("telefone",),
    ),
    "rejeita-acentos": Case("test_acentos_recebem_pen"),
    "rejeita-caracteres-especiais": Case("test_caracteres_especiais_do_xml_recebem_pen"),
    "rejeita-isento": Case("test_inscricao_estadual_isento_recebe_pen"),
    "rejeita-cnpj-alfanumerico": Case("test_cnpj_alfanumerico_recebe_pen"),
    "exige-opcionais": Case("test_sem_elementos_opcionais_recebe_pen"),
    "rejeita-tamanho-maximo": Case("test_campos_no_tamanho_maximo_recebem_pen"),
    "rejeita-uf-rara": Case("test_cliente_de_cada_uf_recebe_pen[AC]"),
    "sem-eco-idmensagem": Case(""),
    "eco-cnpj-errado": Case(""),
    "resposta-fora-do-schema": Case(""),
    "resposta-malformada": Case(""),
    "content-type-errado": Case(""),
    "http500": Case(""),
    "resposta-com-doctype": Case(""),
    "resposta-gigante": Case(""),
    "sem-idempotencia": Case("test_retentativa_com_mesmo_idmensagem", args=("--strict",)),
    "lento": Case(
        "test_latencia_p95_dentro_do_orcamento",
        args=("--strict", "-k", "latencia"),
        fault_delay=0.05,
        profile="[latencia]\np95_ms = 20\n",
    ),
    "colapsa": Case(
        "test_latencia_p95_dentro_do_orcamento",
        args=("--strict", "-k", "latencia"),
        profile="[latencia]\np95_ms = 10\n",
    ),
    "trava": Case("", args=("--homologa-timeout", "1"), only_failure=True),
    "goteja": Case("", args=("--homologa-timeout", "1"), only_failure=True),
    "derruba-conexao": Case("", only_failure=True),
    "http503-as-vezes": Case("", rule="R5"),
    **{
        f"identifica-{suffix}": Case(f"test_cnpj_novo_parecido_com_cliente_cadastrado_recebe_pen[{code}]")
        for suffix, code in (
            ("pela-raiz", "raiz"),
            ("pelo-email", "email"),
            ("pela-ie", "inscricao_estadual"),
            ("pelo-nome", "nome"),
            ("pelo-endereco", "endereco"),
            ("pelo-telefone", "telefone"),
        )
    },
}


def run_suite(pytester: pytest.Pytester, url: str, *args: str) -> pytest.HookRecorder:
    """The product suite in-process; Allure output is off here (tests/test_suite_plugin.py covers it)."""
    return pytester.inline_run(
        str(SUITES), "--target", url, "-p", "no:allure_pytest", "-p", "no:cacheprovider", "-q", *args
    )


def test_every_fault_has_a_case():
    assert set(CASES) == set(FAULTS)


def test_reference_distributor_passes_twice_in_a_row(pytester: pytest.Pytester, tmp_path: Path):
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.sqlite3")) as server:
        for _ in range(2):
            rec = run_suite(pytester, server.url)
            passed, skipped, failed = rec.listoutcomes()
            assert rec.ret == 0 and not failed and not skipped, [r.nodeid for r in failed]
            assert len(passed) > 70


def test_reference_distributor_protecting_fields_passes(pytester: pytest.Pytester, tmp_path: Path):
    protected = ("telefone", "endereco")
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.sqlite3", protected_fields=protected)) as server:
        rec = run_suite(pytester, server.url, "--protected-fields", ",".join(protected))
    passed, skipped, failed = rec.listoutcomes()
    assert rec.ret == 0 and not failed and not skipped
    assert any("[telefone]" in r.nodeid for r in passed) and any("[endereco]" in r.nodeid for r in passed)


@pytest.mark.parametrize("pack", ["v1-soap", "renomeado"])
def test_reference_distributor_passes_on_each_pack(pytester: pytest.Pytester, tmp_path: Path, pack: str):
    contract = PACKS[pack]
    config = ServerConfig(db_path=tmp_path / "ref.sqlite3", contract=contract, protected_fields=("telefone",))
    with ReferenceServer(config) as server:
        rec = run_suite(pytester, server.url, "--contract", contract, "--protected-fields", "telefone")
    passed, skipped, failed = rec.listoutcomes()
    assert rec.ret == 0 and not failed and not skipped, [r.nodeid for r in failed]
    assert len(passed) > 70


@pytest.mark.parametrize(
    ("suite_pack", "server_pack"), [("v1", "v1-soap"), ("v1-soap", "v1"), ("renomeado", "v1"), ("v1", "renomeado")]
)
def test_a_target_speaking_another_pack_stops_the_run_in_one_line(
    pytester: pytest.Pytester, tmp_path: Path, suite_pack: str, server_pack: str
):
    config = ServerConfig(db_path=tmp_path / "ref.sqlite3", contract=PACKS[server_pack])
    with ReferenceServer(config) as server:
        rec = run_suite(pytester, server.url, "--contract", PACKS[suite_pack])
    failed = [r for r in rec.getreports("pytest_runtest_logreport") if r.failed]
    assert rec.ret == pytest.ExitCode.TESTS_FAILED
    assert len(failed) == 1, [r.nodeid for r in failed]
    assert "não é o do pacote de contrato" in rec.getcalls("pytest_sessionfinish")[0].session.shouldfail


FAULT_CASES = [pytest.param(pack, fault, id=f"{pack}-{fault}") for pack in PACKS for fault in sorted(CASES)]


@pytest.mark.parametrize(("pack", "fault"), FAULT_CASES)
def test_each_fault_fails_the_suite_with_its_category(pytester: pytest.Pytester, tmp_path: Path, pack: str, fault: str):
    case = CASES[fault]
    expected = LATENCIA if fault == "lento" else FAULTS[fault].categoria
    args = ["--customer-seed", "1", "--contract", PACKS[pack], *case.args]
    if case.profile:
        profile = tmp_path / "homologacao.toml"
        profile.write_text(case.profile, encoding="utf-8")
        args += ["--homologa-profile", str(profile)]
    config = ServerConfig(
        db_path=tmp_path / "ref.sqlite3",
        faults=(fault,),
        protected_fields=case.server_protected,
        fault_delay=case.fault_delay,
        contract=PACKS[pack],
    )
    with ReferenceServer(config) as server:
        rec = run_suite(pytester, server.url, *args)
    reports = [r for r in rec.getreports("pytest_runtest_logreport") if r.failed]
    broken = [r.nodeid for r in reports if r.when != "call"]
    assert rec.ret == pytest.ExitCode.TESTS_FAILED
    assert not broken, f"erros do próprio harness: {broken}"
    found = {r.nodeid: dict(r.user_properties) for r in reports}
    assert found, "nenhum cenário falhou"
    assert {p["categoria"] for p in found.values()} == {expected}, found
    rules = {p["regra"] for p in found.values()} | {p["regra_violada"] for p in found.values()}
    assert (case.rule or FAULTS[fault].regra) in rules, found
    assert any(case.proves in nodeid for nodeid in found), sorted(found)
    if case.only_failure:
        assert len(found) == 1
