"""Qual rajada a evidência anexa: rajadas Locust reais contra o distribuidor de referência, pastas de carga reais.

Uma homologação diz só o que foi testado: uma busca de capacidade ou uma rajada incompleta não aprova R6; uma pasta
com o diário de outra rajada (interrompida depois da que terminou) é recusada; arquivos de outra rajada na mesma pasta
ficam fora do pacote; o resumo, o manifesto e o resultado R6 dizem qual rajada foi.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import report_support as support

from homologa import cli
from homologa.burst_files import JOURNAL
from homologa.judgement import APPROVED, INCONCLUSIVE
from homologa.report import burst, load_evidence
from homologa.report.results import Results
from homologa.report.run_evidence import EvidenceError, bind_load
from homologa.report.verdict import judge_results, rule_verdicts
from homologa.runs import read_run
from homologa.server import ReferenceServer, ServerConfig
from homologa.target import target_identity

ROOT = Path(__file__).resolve().parents[2]
LOCUST = str(Path(sys.executable).with_name("locust"))
RANGE = "01000000-19999999"


@contextmanager
def reference(tmp_path: Path) -> Iterator[ReferenceServer]:
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.db", port=0)) as server:
        yield server


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("HOMOLOGA_", "LOCUST_"))}


def _command(url: str, folder: Path, *extra: str) -> list[str]:
    return [LOCUST, "-f", "loadtests/locustfile.py", "--headless", "--host", url, "--cep-range", RANGE,
            "--report-dir", str(folder), "--ramp", "0", "--only-summary", *extra]  # fmt: skip


def burst_into(url: str, folder: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        _command(url, folder, *extra), cwd=ROOT, capture_output=True, text=True, timeout=120, check=False, env=_env()
    )
    result = folder / "resultado.json"
    assert result.exists(), done.stdout[-2000:] + done.stderr[-2000:]
    return done.returncode, json.loads(result.read_text(encoding="utf-8"))


def kill_mid_burst(url: str, folder: Path, *extra: str) -> None:
    """A burst of 5000 customers at 100/s, killed (``kill -9``) once some slices are in its journal."""
    proc = subprocess.Popen(
        _command(url, folder, "--customers", "5000", "--rate", "100", *extra),
        cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    journal = folder / JOURNAL
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            lines = journal.read_bytes().count(b"\n") if journal.exists() else 0
            if lines >= 3 and b'"clientes":5000' in journal.read_bytes().split(b"\n", 1)[0]:
                break
            time.sleep(0.1)
        else:
            pytest.fail("a rajada não confirmou fatias em 60 s")
    finally:
        proc.kill()
        proc.wait(timeout=30)


def run_folder(tmp_path: Path, url: str) -> Path:
    """A finished contract run (record and its results) against ``url``."""
    folder = tmp_path / "execucao"
    (folder / "allure-results").mkdir(parents=True)
    support.write_record(
        folder,
        alvo={"url": url, "origem": "--target", "id": target_identity(url), "embutido": False, "aviso": None},
    )
    return folder


def test_a_capacity_search_is_not_a_go_live_sign_off(tmp_path: Path) -> None:
    with reference(tmp_path) as server:
        code, data = burst_into(
            server.url, tmp_path / "degraus", "--customers", "3000", "--shape", "degraus", "--rate", "100",
            "--steps", "2", "--step-seconds", "1", "--p95-budget-ms", "5000",
        )  # fmt: skip
    assert code == 0 and data["aprovado"] is True and data["forma"] == "degraus"
    assert data["enviados"] < data["planejados"] == 3000
    found = load_evidence.session_of(Results(tmp_path, ()), tmp_path / "degraus")
    (r6,) = [t for t in found.results.tests if t.rule == "R6"]
    assert r6.status == "skipped" and "busca de capacidade (--shape degraus)" in r6.message
    assert {v.rule: v.verdict for v in rule_verdicts(found.results)}["R6"] == "pulada"
    judgement = judge_results(found.results)
    assert judgement.verdict != APPROVED
    assert any("busca de capacidade" in line for line in judgement.missing)  # the verdict says why, not "1 pulado"
    shown = dict(burst.facts(found.burst or {}))
    assert shown["Forma"] == "degraus (busca de capacidade)"
    assert "a busca de capacidade não reprova por eles" in shown["Limites julgados"]


def test_a_go_live_burst_that_answered_less_than_planned_is_inconclusive(tmp_path: Path) -> None:
    with reference(tmp_path) as server:
        code, data = burst_into(server.url, tmp_path / "carga", "--customers", "40", "--seed", "3")
    assert code == 0 and data["enviados"] == data["planejados"] == 40
    assert burst.r6_judgement(data)[0] == "passed"
    # the same real result, had it counted fewer customers than planned (an older or edited resultado.json)
    status, message = burst.r6_judgement({**data, "enviados": 30})
    assert status == "skipped" and "30 de 40 clientes planejados" in message
    # a burst that validated only a sample of the answers in the XSD (--validate-share) is not R6's "every answer"
    assert data["limites"]["fracao_validada"] == 1.0
    with reference(tmp_path) as server:
        code, sampled = burst_into(server.url, tmp_path / "amostra", "--customers", "40", "--validate-share", "0.5")
    assert code == 0 and sampled["limites"]["fracao_validada"] == 0.5
    status, message = burst.r6_judgement(sampled)
    assert status == "skipped" and "validação no XSD de 50% das respostas (--validate-share)" in message
    found = load_evidence.session_of(Results(tmp_path, ()), tmp_path / "carga")
    judgement = judge_results(found.results)
    assert [t.status for t in found.results.tests if t.rule == "R6"] == ["passed"]
    assert judgement.verdict == INCONCLUSIVE  # R1, R2... never ran: R6 alone signs nothing off


def test_a_burst_killed_after_a_finished_one_is_refused_and_a_journal_alone_too(tmp_path: Path) -> None:
    folder, lone = tmp_path / "reports" / "carga", tmp_path / "sozinha"
    with reference(tmp_path) as server:
        code, finished = burst_into(server.url, folder, "--customers", "60")
        assert code == 0 and finished["aprovado"]
        run = read_run(run_folder(tmp_path, server.url))
        assert bind_load(run, folder, None).folder == folder  # one finished burst: attached
        kill_mid_burst(server.url, folder)
        kill_mid_burst(server.url, lone)
        # the same folder, from the start: the killed burst's journal, the finished burst's resultado.json
        with pytest.raises(EvidenceError, match=r"diario\.jsonl é de outra rajada que o resultado\.json") as refused:
            bind_load(run, folder, None)
        assert "clientes: diário 5000, resultado 60" in str(refused.value) and "--resume" in str(refused.value)
        left = bind_load(run, None, folder)  # the shared default is only left out, with the reason
        assert left.folder is None and "carga não anexada" in left.note and "outra rajada" in left.note
        with pytest.raises(EvidenceError, match=r"mas não o resultado\.json: a rajada foi interrompida"):
            bind_load(run, lone, None)
        code = cli.main(["relatorio", "--execucao", str(run.folder), "--carga", str(folder), "--saida",
                         str(tmp_path / "r" / "allure-report")])  # fmt: skip
        assert code == 2  # refused before any report is written
        assert not (tmp_path / "r").exists()
        # resumed to the end, the lone burst is one finished burst again, and says it was resumed
        code, resumed = burst_into(server.url, lone, "--customers", "5000", "--rate", "0", "--resume")
    assert code == 0 and resumed["retomadas"] == 1 and resumed["diario"]["retomada"] is True
    assert resumed["primeiro_inicio"] and resumed["primeiro_inicio"] <= resumed["inicio_desta_parte"]
    assert bind_load(run, lone, None).folder == lone
    shown = dict(burst.facts(resumed))
    assert shown["Início da rajada"] == resumed["primeiro_inicio"]
    assert shown["Retomada"].startswith("1 vez(es) com --resume")


def test_a_file_older_than_the_burst_stays_out_of_its_files(tmp_path: Path) -> None:
    folder = tmp_path / "carga"
    with reference(tmp_path) as server:
        burst_into(server.url, folder, "--customers", "60", "--csv", str(folder / "carga"))
        time.sleep(1.5)
        code, second = burst_into(server.url, folder, "--customers", "40")
    assert code == 0 and second["enviados"] == 40
    stats = (folder / "carga_stats.csv").read_text(encoding="utf-8")
    assert ",60," in stats  # the first burst's CSV, still in the folder
    kept, left = burst.burst_files(folder, second)
    names = {p.name for p in kept}
    assert {"resultado.json", "resultado.txt", "diario.jsonl", "partida.json", "carga.html"} <= names
    assert not any(name.endswith(".csv") for name in names)
    assert {name for name, _ in left} >= {"carga_stats.csv", "carga_failures.csv"}
    assert all("outra rajada" in why for _, why in left)
    # a copy of the folder (cp without -p: every file new) keeps everything rather than guess
    copy = tmp_path / "copia"
    shutil.copytree(folder, copy, copy_function=shutil.copyfile)
    assert burst.burst_files(copy, second)[1] == []


def _variant(source: Path, target: Path, edit: Any = None) -> Path:
    """A copy of a real burst folder, its resultado.json edited by ``edit`` (mtimes kept, as a careful forger would)."""
    shutil.copytree(source, target, copy_function=shutil.copy2)
    if edit is not None:
        result = target / "resultado.json"
        stat = result.stat()
        data = json.loads(result.read_text(encoding="utf-8"))
        edit(data)
        result.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.utime(result, (stat.st_atime, stat.st_mtime))
    return target


def test_a_result_edited_by_hand_or_without_its_journal_is_refused(tmp_path: Path) -> None:
    """resultado.json is checked against the journal the burst kept as it went: the shape, the limits and the
    contract it was judged against, and (when it claims approval) the answers it counted."""
    real = tmp_path / "real"
    with reference(tmp_path) as server:
        code, data = burst_into(server.url, real, "--customers", "40", "--seed", "11")
    assert code == 0 and data["aprovado"] and burst.inconsistency(real) is None
    totals = burst.journal_totals(real / "diario.jsonl")
    assert totals is not None and totals["enviados"] == totals["cobertos"] == data["enviados"] == 40

    def looser(d: dict[str, Any]) -> None:
        d["limites"]["p95_ms"] = 100000.0

    def another_shape(d: dict[str, Any]) -> None:
        d["forma"] = "degraus"

    def more_answers(d: dict[str, Any]) -> None:
        d["enviados"] += 1

    def fewer_failures(d: dict[str, Any]) -> None:
        d["falhas"] = {}
        d["status"] = {"PEN": 1000}

    def fewer_planned(d: dict[str, Any]) -> None:
        d["planejados"] = 10

    def another_share(d: dict[str, Any]) -> None:
        d["limites"]["fracao_validada"] = 0.5

    cases = {
        "orçamento p95: diário": looser,
        "forma: diário 'golive', resultado 'degraus'": another_shape,
        "enviados e respondidos: resultado 41, diário 40": more_answers,
        "status das respostas": fewer_failures,
        "clientes planejados: resultado 10, menos que os 40": fewer_planned,
        "fração das respostas validadas no XSD: diário 1.0, resultado 0.5": another_share,
    }
    for expected, edit in cases.items():
        folder = _variant(real, tmp_path / edit.__name__, edit)
        why = burst.inconsistency(folder)
        assert why is not None and expected in why, (edit.__name__, why)
    lost = _variant(real, tmp_path / "sem-diario")
    (lost / "diario.jsonl").unlink()
    why = burst.inconsistency(lost)
    assert why is not None and "registra o diário da rajada" in why


def test_an_interrupted_burst_kept_aside_is_never_packaged_with_this_one(tmp_path: Path) -> None:
    real = tmp_path / "real"
    with reference(tmp_path) as server:
        code, data = burst_into(server.url, real, "--customers", "20")
    assert code == 0
    aside = real / "rajada-interrompida-20261202-060947"
    aside.mkdir()
    (aside / "resultado.json").write_text(json.dumps(data), encoding="utf-8")  # resumed in place, just now
    kept, left = burst.burst_files(real, data)
    assert all("rajada-interrompida-" not in p.as_posix() for p in kept)
    assert [name for name, _ in left] == ["rajada-interrompida-20261202-060947/resultado.json"]


def test_a_burst_in_another_contract_pack_does_not_stand_for_the_run(tmp_path: Path) -> None:
    from homologa.report.run_evidence import _other_contract
    from homologa.runs import Run

    run = Run(tmp_path, {"contrato": {"nome": "v1", "sha256": "a" * 64}})
    other = {"contrato": {"nome": "v1-soap", "sha256": "b" * 64}}
    why = _other_contract(run, other)
    assert why is not None and "outro pacote de contrato (v1-soap" in why
    assert _other_contract(run, {"contrato": {"nome": "v1", "sha256": "a" * 64}}) is None
