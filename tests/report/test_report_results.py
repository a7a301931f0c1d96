from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import report_support as support

from homologa.report import environment, load_evidence, tally, verdict
from homologa.report.results import OTHER_RULE, Results, ResultsError, parse_result, read_properties, read_results


def test_reads_rules_statuses_and_reproduction_from_real_allure_results(run_a: Path) -> None:
    results = read_results(run_a)
    by_rule = {t.rule: [] for t in results.tests}
    for t in results.tests:
        by_rule[t.rule].append(t.status)
    assert by_rule == {
        "R1": ["passed", "passed", "passed"],
        "R2": ["failed"],
        "R3": ["passed"],
        "B1": ["skipped"],
        "B2": ["broken"],
        "R6": ["passed"],
    }
    r2 = next(t for t in results.tests if t.rule == "R2")
    assert r2.rule_title == "Reenvio recebe APV/RPV"
    assert r2.severity == "blocker"
    assert r2.category == "status divergente"
    assert r2.reproduction == (
        "curl -sS -X POST -H 'Content-Type: application/xml' --data @pedido.xml "
        "'http://erp:***@127.0.0.1:9/clientes?apikey=***&filial=***'"
    )
    assert {a.name for a in r2.attachments} == {"pedido CadastroCliente", "resposta"}
    assert [t.advisory_not_met for t in results.tests if t.rule[0] == "B"] == [True, False]
    assert results.environment == {"alvo": support.mask_url(support.TARGET)}
    assert results.start_ms is not None and results.stop_ms is not None and results.start_ms <= results.stop_ms


def test_rule_verdicts_and_overall_verdict(run_a: Path) -> None:
    results = read_results(run_a)
    table = {v.rule: (v.passed, v.failed, v.verdict) for v in verdict.rule_verdicts(results)}
    assert table["R1"] == (3, 0, "passou")
    assert table["R2"] == (0, 1, "falhou")
    assert table["R4"] == (4, 0, "passou (verificada em toda resposta)")  # no scenario of its own
    assert table["R6"] == (1, 0, "passou")
    assert table["B1"] == (0, 0, "não atendida (consultiva)")
    assert table["B2"] == (0, 1, "falhou")
    assert table["R6"] == (1, 0, "passou")
    assert list(table)[:8] == list(verdict.RULES)
    assert verdict.overall_verdict(results) == verdict.REJECTED


def _results(*items: tuple[str, str, str]) -> Results:
    tests = [
        parse_result({"name": f"t{i}", "status": status, "labels": [
            {"name": "epic", "value": epic}, {"name": "severity", "value": severity}]})
        for i, (epic, status, severity) in enumerate(items)
    ]  # fmt: skip
    return Results(folder=Path("."), tests=tuple(tests))


R1 = ("R1 — x", "passed", "blocker")
R2 = ("R2 — z", "passed", "blocker")


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ((R1, R2, ("B1 — y", "passed", "minor")), verdict.APPROVED),
        ((R1, R2, ("B1 — y", "failed", "minor")), verdict.APPROVED_WITH_REMARKS),
        ((R1, R2, ("B2 — y", "failed", "blocker")), verdict.APPROVED_WITH_REMARKS),
        ((R1, ("B1 — y", "passed", "minor")), verdict.INCONCLUSIVE),  # R2 never ran: no sign-off
        ((R1, R2, ("B2 — y", "broken", "minor")), verdict.INCONCLUSIVE),  # a harness fault is not a pass
        ((("R1 — x", "failed", "blocker"), ("R2 — y", "broken", "blocker")), verdict.REJECTED),
        ((("R1 — x", "broken", "blocker"), ("B1 — y", "passed", "minor")), verdict.INCONCLUSIVE),
        ((("carga", "failed", "critical"),), verdict.REJECTED),
        ((("R1 — x", "skipped", "blocker"),), verdict.INCONCLUSIVE),
    ],
)
def test_overall_verdict_rules(items: tuple[tuple[str, str, str], ...], expected: str) -> None:
    assert verdict.overall_verdict(_results(*items)) == expected


def test_strict_run_makes_good_practices_block() -> None:
    results = _results(("R1 — x", "passed", "blocker"), ("B1 — y", "failed", "minor"))
    strict = Results(folder=results.folder, tests=results.tests, environment={"estrito": "sim"})
    assert verdict.overall_verdict(strict) == verdict.REJECTED


@pytest.mark.parametrize(
    ("labels", "rule"),
    [
        ([("epic", "R4: Erros de negócio")], "R4"),
        ([("feature", "B2")], "B2"),
        ([("epic", "Contrato v1 — cadastro de clientes"), ("feature", "R2 · Reenvio recebe APV/RPV")], "R2"),
        ([("story", "r6 - segurança")], "R6"),
        ([("epic", "Regras"), ("feature", "R5 — Campos")], "R5"),
        ([("epic", "Relatório"), ("feature", "Rastreio")], OTHER_RULE),
    ],
)
def test_rule_is_found_in_epic_feature_or_story(labels: list[tuple[str, str]], rule: str) -> None:
    data = {"name": "t", "status": "passed", "labels": [{"name": n, "value": v} for n, v in labels]}
    assert parse_result(data).rule == rule


def test_tally_is_read_from_the_attachment(run_a: Path) -> None:
    found = tally.find_tally(read_results(run_a))
    assert found is not None
    assert (found.planned, found.customers, found.customers_per_s, found.p95_ms) == (1200, 1200, 198.5, 412.0)
    assert found.failures == {"falha de transporte": 3, "status divergente": 1}
    assert found.failure_total == 4 and found.passed is False
    assert found.reasons == ("falhas acima do aceito: 4 de 1200 (0.33% > 0.00%)",)


def test_tally_falls_back_to_the_load_folder(tmp_path: Path, run_a: Path) -> None:
    results = Results(folder=tmp_path, tests=())
    assert tally.find_tally(results, tmp_path) is None
    (tmp_path / "resultado.json").write_text(json.dumps({"enviados": 10}), encoding="utf-8")
    found = tally.find_tally(results, tmp_path)
    assert found is not None and found.customers == 10 and found.p95_ms is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "esperado um objeto JSON"),
        ({"p95_ms": 3}, "enviados deve ser um inteiro"),
        ({"enviados": -1}, "enviados deve ser um inteiro"),
        ({"enviados": 1, "p95_ms": "rápido"}, "p95_ms deve ser um número"),
        ({"enviados": 1, "falhas": {"x": -1}}, "falhas deve mapear"),
        ({"enviados": 1, "aprovado": "sim"}, "aprovado deve ser true ou false"),
        ({"enviados": 1, "motivos": "lento"}, "motivos deve ser uma lista"),
    ],
)
def test_bad_tally_is_a_clear_error(data: object, message: str) -> None:
    with pytest.raises(tally.TallyError, match=message):
        tally.parse_tally(data)


def test_missing_or_empty_results_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match=r"resultados Allure não encontrados em .*pytest suites"):
        read_results(tmp_path / "nada")
    with pytest.raises(ResultsError, match=r"nenhum resultado Allure \(\*-result.json\)"):
        read_results(tmp_path)
    (tmp_path / "x-result.json").write_text("{", encoding="utf-8")
    with pytest.raises(ResultsError, match=r"resultado Allure ilegível: x-result\.json"):
        read_results(tmp_path)


def test_properties_file_as_allure_reads_it() -> None:
    text = "# comentário\nalvo=http://h/x?a=1\nversao : 0.1.0\nchave\\ com\\ espaço=v\n\n! outro\nestrito=n\\u00e3o\n"
    assert read_properties(text) == {
        "alvo": "http://h/x?a=1",
        "versao": "0.1.0",
        "chave com espaço": "v",
        "estrito": "não",
    }


def test_stand_in_suite_masks_its_target() -> None:
    assert support.SECRET_QUERY_KEY not in support.SUITE.format(target="x", tally="{}", r2_passes=False, run_id="x")


def test_a_failure_counts_against_every_rule_its_message_cites() -> None:
    message = (
        "[erro retornado] R1 — Cliente de TO recebe PEN\nRegra R1: um CNPJ novo recebe PEN.\nRegra R5: resposta válida."
    )
    failed = parse_result({"name": "to", "status": "failed", "statusDetails": {"message": message},
                           "labels": [{"name": "feature", "value": "R1 · Cliente novo recebe PEN"}]})  # fmt: skip
    passed = parse_result({"name": "sp", "status": "passed", "labels": [{"name": "feature", "value": "R1 · x"}]})
    table = {
        v.rule: (v.passed, v.failed, v.verdict) for v in verdict.rule_verdicts(Results(Path("."), (failed, passed)))
    }
    assert table["R1"] == (1, 1, "falhou")
    assert table["R5"] == (1, 1, "falhou")
    assert table["R4"] == (1, 0, "passou (verificada em toda resposta)")
    assert table["R6"] == (0, 0, "não executada")
    assert failed.category == "erro retornado"


def test_load_outside_pytest_becomes_an_r6_result_with_its_files(run_a: Path, tmp_path: Path) -> None:
    results_dir = tmp_path / "allure-results"
    shutil.copytree(run_a, results_dir)
    for path in results_dir.glob("*-result.json"):
        if json.loads(path.read_text(encoding="utf-8"))["name"] == "test_r6_carga":
            path.unlink()
    assert load_evidence.session(results_dir, None).load_result is None
    load = support.write_load_output(tmp_path)
    found = load_evidence.session(results_dir, load)
    (r6,) = [t for t in found.results.tests if t.rule == "R6"]
    assert r6.status == "failed" and "falhas acima do aceito" in r6.message
    assert {v.rule: v.failed for v in verdict.rule_verdicts(found.results)}["R6"] == 1
    (load / "resultado.json").write_text(json.dumps(dict(support.TALLY, aprovado=True)), encoding="utf-8")
    found = load_evidence.session(results_dir, load)
    assert [t.status for t in found.results.tests if t.rule == "R6"] == ["passed"]
    with environment.results_for_allure(found.results, {}, found.load_result, found.load_files) as folder:
        back = read_results(folder)
        (r6,) = [t for t in back.tests if t.rule == "R6"]
        assert {a.name for a in r6.attachments} == {"resultado.json", "relatório do Locust"}
        assert all(back.attachment_path(a).is_file() for a in r6.attachments)
    # another burst than the one an R6 test attached is one more R6 result: judged too, never hidden
    assert load_evidence.session(run_a, load).load_result is not None
    # the run's own burst (its resultado.json attached to its R6 test, byte for byte) is not counted twice
    (load / "resultado.json").write_text(json.dumps(support.TALLY), encoding="utf-8")
    assert load_evidence.session(run_a, load).load_result is None


def test_the_summary_names_a_pack_other_than_plain_v1() -> None:
    from homologa.report.summary import SummaryContext, _contract_fact

    sha = "ab" * 32
    assert _contract_fact(SummaryContext(contract_version="1", contract_name="v1", contract_sha256=sha)) == (
        "v1 (SHA-256 abababababababab…)"
    )
    assert _contract_fact(SummaryContext(contract_version="1", contract_name="v1-soap", contract_sha256=sha)) == (
        "pacote v1-soap, versão 1 (SHA-256 abababababababab…)"
    )
    assert _contract_fact(SummaryContext()) == "—"
