"""A run is a unit of evidence: real ``pytest suites`` processes, real run folders, real reports.

Two runs at once keep their results apart; a partial selection is INCONCLUSIVO in the terminal, the record and the
resumo alike; a report describes what the run recorded, not what ``homologacao.toml`` says later; a target's query
string never reaches the evidence even when the ERP echoes its own URL back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from suite_support import conforming_server

from homologa.report.run_evidence import own_results
from homologa.report.verdict import judge_results
from homologa.runs import claim_seed, list_runs

REPO = Path(__file__).resolve().parents[1]
SUITES = REPO / "suites"


def _env(base: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMOLOGA_")}
    env["HOMOLOGA_EXECUCOES"] = str(base)
    return env


def _suite(base: Path, cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", str(SUITES), "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *args],
        cwd=cwd, env=_env(base), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=300)
    return proc.returncode, out


def test_two_runs_at_once_keep_their_evidence_apart(tmp_path: Path) -> None:
    base = tmp_path / "execucoes"
    with conforming_server() as server:
        first = _suite(base, tmp_path, "--target", server.url)
        second = _suite(base, tmp_path)  # the embedded reference distributor, same checkout, same moment
        (code_1, out_1), (code_2, out_2) = _finish(first), _finish(second)
    assert code_1 == 0, out_1[-3000:]
    assert code_2 == 0, out_2[-3000:]
    runs = list_runs(base)
    assert len(runs) == 2 and runs[0].folder != runs[1].folder
    targets = set()
    for run in runs:
        results, ignored = own_results(run)
        assert ignored == 0  # nothing of the other run in this run's folder
        assert len(results.tests) == run.record["selecao"]["executados"] > 40
        assert judge_results(results, run.record).verdict == run.verdict
        assert run.verdict.startswith("aprovado")
        targets.add(run.record["alvo"]["id"])
        assert f"execução {run.id}" in (out_1 + out_2)
    assert len(targets) == 2  # one embedded, one the hand-written ERP: never mixed
    assert len({run.record["semente_clientes"] for run in runs}) == 2  # never the same new CNPJs


def test_runs_started_in_the_same_second_claim_distinct_seeds(tmp_path: Path) -> None:
    seeds = [claim_seed(tmp_path, 1_764_633_600 % 10**8, 10**8) for _ in range(3)]
    assert seeds == [64_633_600, 64_633_601, 64_633_602]
    assert claim_seed(tmp_path, 10**8 - 1, 10**8) == 10**8 - 1
    assert claim_seed(tmp_path, 10**8 - 1, 10**8) == 0  # wraps within the seed space


def test_partial_run_is_inconclusive_and_the_report_ignores_a_later_profile(tmp_path: Path) -> None:
    base = tmp_path / "execucoes"
    code, out = _finish(_suite(base, tmp_path, "-k", "acento"))
    assert code == 3, out[-3000:]
    assert "INCONCLUSIVO: a rodada não cobriu o que a homologação exige" in out
    assert "cenário(s) desmarcados (-k/-m/--deselect)" in out
    (run,) = list_runs(base)
    assert run.verdict == "inconclusivo" and run.record["selecao"]["desmarcados"] > 0
    # later, a profile naming a real ERP appears in the working folder: the report must still describe the run
    (tmp_path / "homologacao.toml").write_text(
        '[distribuidor]\nnome = "Outro Nome"\n[alvo]\nurl = "http://erp.exemplo:8080/clientes"\n', encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "homologa", "relatorio", "--saida", str(tmp_path / "r" / "allure-report")],
        cwd=tmp_path, env=_env(base), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    summary = (tmp_path / "r" / "resumo.md").read_text(encoding="utf-8")
    assert summary.startswith("# INCONCLUSIVO — Resumo da homologação\n")
    assert "DEMONSTRAÇÃO" in summary and "distribuidor de referência embutido" in summary
    assert "erp.exemplo" not in summary and "Outro Nome" not in summary
    packaged = subprocess.run(
        [sys.executable, "-m", "homologa", "pacote", "--saida", str(tmp_path / "p")],
        cwd=tmp_path, env=_env(base), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert packaged.returncode == 2
    assert "foi contra o distribuidor embutido" in packaged.stderr and "Traceback" not in packaged.stderr


def test_echoed_target_url_never_reaches_the_evidence(tmp_path: Path) -> None:
    base = tmp_path / "execucoes"
    with conforming_server(misbehave="eco-url") as server:
        url = server.url.replace("chave=segredo123", "filial=segredo-filial-42&chave=segredo123")
        code, out = _finish(_suite(base, tmp_path, "--target", url, "-k", "acento or reenvio"))
    assert code in (0, 3), out[-3000:]
    (run,) = list_runs(base)
    assert run.record["segredos"]["vazamentos"] == []
    blobs = [out, json.dumps(run.record)]
    blobs += [p.read_text(encoding="utf-8", errors="replace") for p in run.folder.rglob("*") if p.is_file()]
    echoed = [b for b in blobs if "/erp/clientes?" in b and "***" in b]
    assert echoed, "the ERP's echo of its URL should be in the evidence, masked"
    for secret in ("segredo123", "segredo-filial-42"):
        assert all(secret not in blob for blob in blobs), secret


def test_full_homologation_keeps_its_burst_in_the_run_and_leaves_reports_carga_alone(tmp_path: Path) -> None:
    base = tmp_path / "execucoes"
    standalone = tmp_path / "reports" / "carga"
    standalone.mkdir(parents=True)
    (standalone / "resultado.json").write_text('{"alvo_id": "outra-carga"}', encoding="utf-8")
    env = {**_env(base), "HOMOLOGA_CARGA_CLIENTES": "120"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITES), "-q", "-p", "no:cacheprovider", "--with-load"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    (run,) = list_runs(base)
    assert run.record["apuracao"]["R6"] == {"passed": 1}
    own = json.loads((run.load_dir / "resultado.json").read_text(encoding="utf-8"))
    assert own["enviados"] == 120 and own["alvo_id"]
    assert (standalone / "resultado.json").read_text(encoding="utf-8") == '{"alvo_id": "outra-carga"}'
    assert sorted(p.name for p in standalone.iterdir()) == ["resultado.json"]


def test_the_run_record_names_the_contract_pack_and_its_hash(tmp_path: Path) -> None:
    """The embedded reference distributor and the burst speak the chosen pack too; execucao.json and the burst's
    resultado.json name the pack and its hash."""
    from homologa.contract import load_pack

    base = tmp_path / "execucoes"
    env = {**_env(base), "HOMOLOGA_CARGA_CLIENTES": "60"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITES), "-q", "-p", "no:cacheprovider", "--with-load", "--contract",
         "v1-soap", "-k", "mensagem_de_ouro or rajada"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 3 and " passed" in out and "failed" not in out, out[-3000:]  # partial: INCONCLUSIVO
    (run,) = list_runs(base)
    pack = load_pack("v1-soap")
    assert run.record["contrato"] == {"versao": "1", "nome": "v1-soap", "sha256": pack.sha256}
    assert run.record["apuracao"]["R6"] == {"passed": 1}  # the burst spoke SOAP to the embedded distributor
    burst = json.loads((run.load_dir / "resultado.json").read_text(encoding="utf-8"))
    assert burst["contrato"] == run.record["contrato"] and burst["enviados"] == 60
    assert pack.sha256 != load_pack("v1").sha256


def test_run_from_another_folder_keeps_its_evidence_there_and_the_burst_finds_the_relative_profile(
    tmp_path: Path,
) -> None:
    from homologa.server import ReferenceServer, ServerConfig

    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.db", port=0)) as server:
        (tmp_path / "homologacao.toml").write_text(f'[alvo]\nurl = "{server.url}"\n', encoding="utf-8")
        env = {k: v for k, v in _env(tmp_path).items() if k != "HOMOLOGA_EXECUCOES"}
        env["HOMOLOGA_CARGA_CLIENTES"] = "60"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(SUITES), "-q", "-p", "no:cacheprovider", "--with-load",
             "-k", "carga or acento"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert done.returncode == 3, done.stdout[-3000:]  # a partial selection: INCONCLUSIVO, the burst itself passed
    (run,) = list_runs(tmp_path / "reports" / "execucoes")  # where pytest ran, where `homologa relatorio` looks
    assert run.record["apuracao"]["R6"] == {"passed": 1}, run.record["apuracao"]


def test_running_some_files_of_the_suite_is_a_partial_selection(tmp_path: Path) -> None:
    base = tmp_path / "execucoes"
    code, out = _finish(_suite(base, tmp_path, "--co"))  # collecting only: no run folder, no verdict
    assert code == 0 and not base.exists()
    one_file = str(SUITES / "test_02_reenvios.py")
    one_test = f"{SUITES / 'test_01_clientes_novos.py'}::test_cnpj_alfanumerico_recebe_pen"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", one_file, one_test,
         "-q", "-p", "no:cacheprovider", "--ignore", str(SUITES / "carga")],
        cwd=tmp_path, env=_env(base), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    code, out = _finish(proc)
    assert code == 3, out[-3000:]  # every scenario selected passed, yet this is no sign-off
    assert "INCONCLUSIVO" in out and "seleção parcial: só " in out
    (run,) = list_runs(base)
    partial = run.record["selecao"]["parcial"]
    assert any("test_02_reenvios.py" in p for p in partial) and any("--ignore" in p for p in partial)


def test_a_shared_alluredir_packages_only_the_runs_own_files(tmp_path: Path) -> None:
    import zipfile

    base, shared = tmp_path / "execucoes", tmp_path / "compartilhada"
    for _ in range(2):  # two runs, one results folder (--alluredir): the package must hold one run only
        code, out = _finish(_suite(base, tmp_path, "--alluredir", str(shared)))
        assert code == 0, out[-3000:]
    first, second = list_runs(base)
    done = subprocess.run(
        [sys.executable, "-m", "homologa", "pacote", "--execucao", first.id, "--demonstracao", "--saida", "p"],
        cwd=tmp_path, env=_env(base), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (package,) = (tmp_path / "p").glob("*.zip")
    with zipfile.ZipFile(package) as zf:
        names = [n for n in zf.namelist() if n.startswith("allure-results/")]
        results = [json.loads(zf.read(n)) for n in names if n.endswith("-result.json")]
    assert len(results) == first.record["selecao"]["executados"]
    assert all({"name": "execucao", "value": first.id} in r["labels"] for r in results)
    assert not any(n.endswith(("environment.properties", "-container.json")) for n in names)

    def sources(item: dict[str, Any]) -> set[str]:  # attachments of a result and of its (nested) steps
        found = {a["source"] for a in item.get("attachments", [])}
        return found.union(*(sources(step) for step in item.get("steps", [])))

    attached = set().union(*(sources(r) for r in results))
    assert {n.removeprefix("allure-results/") for n in names} - attached <= {"categories.json"} | {
        n.removeprefix("allure-results/") for n in names if n.endswith("-result.json")
    }
    verified = subprocess.run(
        [sys.executable, "-m", "homologa", "verificar", str(package)],
        cwd=tmp_path, env=_env(base), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert second.id not in package.read_bytes().decode("latin-1")


def test_a_failed_rehearsal_attached_to_a_passing_run_makes_the_package_reprovado(tmp_path: Path) -> None:
    """README steps 2 then 4: the run's own short burst passes, the go-live rehearsal attached with --carga failed.
    R6 is judged from both bursts: the package is REPROVADO, its manifest agrees with carga/resultado.json, and a
    manifest whose load figures were edited (seal recomputed) is caught by verificar."""
    import zipfile

    from homologa.report import manifest as mf
    from homologa.server import ReferenceServer, ServerConfig

    base = tmp_path / "execucoes"
    rehearsal = tmp_path / "reports" / "carga"
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.db", port=0)) as server:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(SUITES), "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
             "--target", server.url, "--with-load"],
            cwd=tmp_path, env={**_env(base), "HOMOLOGA_CARGA_CLIENTES": "60"}, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
        # the rehearsal: fresh customers announced as already sent (--replay) get PEN, not APV/RPV: it fails
        locust = str(Path(sys.executable).with_name("locust"))
        failed = subprocess.run(
            [locust, "-f", "loadtests/locustfile.py", "--headless", "--host", server.url, "--customers", "60",
             "--replay", "--ramp", "0", "--only-summary", "--report-dir", str(rehearsal)],
            cwd=REPO, env=_env(base), capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert failed.returncode == 1, failed.stdout[-2000:] + failed.stderr[-2000:]
    (run,) = list_runs(base)
    assert run.verdict == "aprovado" and run.record["apuracao"]["R6"] == {"passed": 1}
    packaged = subprocess.run(
        [sys.executable, "-m", "homologa", "pacote", "--execucao", run.id, "--carga", str(rehearsal), "--saida", "p"],
        cwd=tmp_path, env=_env(base), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert packaged.returncode == 0, packaged.stdout + packaged.stderr
    assert "veredito: REPROVADO" in packaged.stdout
    (package,) = (tmp_path / "p").glob("homologacao-*.zip")
    with zipfile.ZipFile(package) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members[mf.MANIFEST_NAME])
    assert manifest["veredito"] == "reprovado"
    assert manifest["regras"]["R6"] == {"passaram": 1, "falharam": 1, "veredito": "falhou"}
    assert manifest["carga"]["aprovado"] is False and manifest["carga"]["rajada"]["forma"] == "golive"
    assert manifest["carga"]["rajada"]["plano"]["repeticao"] is True
    summary = members["resumo.md"].decode("utf-8")
    assert summary.startswith("# REPROVADO")
    shown = ("**Início da rajada:**", "**Forma:** go-live", "**Repetição (--replay):** sim", "**Limites julgados:**")
    for line in shown:
        assert line in summary, line
    verified = subprocess.run(
        [sys.executable, "-m", "homologa", "verificar", str(package)],
        cwd=tmp_path, env=_env(base), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert verified.returncode == 0 and "veredito: reprovado" in verified.stdout, verified.stdout + verified.stderr
    # a manifest claiming other load figures, with its seal recomputed, no longer passes
    manifest["carga"]["p95_ms"] = 1.0
    manifest["selo"] = mf.seal(manifest)
    forged = tmp_path / "forjado.zip"
    with zipfile.ZipFile(forged, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, mf.dumps(manifest) if name == mf.MANIFEST_NAME else data)
    verified = subprocess.run(
        [sys.executable, "-m", "homologa", "verificar", str(forged)],
        cwd=tmp_path, env=_env(base), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert "carga: o manifesto diz p95_ms = 1.0" in verified.stderr
