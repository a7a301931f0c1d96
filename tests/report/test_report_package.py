from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import report_support as support
from conftest import Generated, outcome_for

from homologa import __version__, cli
from homologa.contract import load_pack
from homologa.report import manifest as mf
from homologa.report import sanitize
from homologa.report.package import PackageError, write_package


@dataclass(frozen=True)
class Packaged:
    path: Path
    members: dict[str, bytes]
    manifest: dict[str, object]
    output: str


@pytest.fixture(scope="module")
def package_a(generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    out = tmp_path_factory.mktemp("pacote-a")
    args = ["pacote", "--perfil", str(generated.profile), "--execucao", str(generated.results.parent)]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = cli.main([*args, "--carga", str(generated.load), "--saida", str(out)])
    assert code == 0, buffer.getvalue()
    (path,) = out.glob("*.zip")
    members = support.zip_members(path)
    return Packaged(path, members, json.loads(members[mf.MANIFEST_NAME]), buffer.getvalue())


def verify(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = cli.main(["verificar", str(path), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_package_name_contents_and_manifest(package_a: Packaged) -> None:
    assert package_a.path.name.startswith("homologacao-11222333000181-") and package_a.path.suffix == ".zip"
    names = set(package_a.members)
    assert {"manifesto.json", "relatorio/index.html", "resumo.html", "resumo.md"} <= names
    assert {"carga/carga_stats.csv", "carga/carga.html", "carga/resultado.json"} <= names
    assert {"allure-results/environment.properties", "allure-results/categories.json"} <= names
    assert sum(n.startswith("allure-results/") and n.endswith("-result.json") for n in names) == 8
    assert {"execucao.json"} <= names
    manifest = package_a.manifest
    assert set(manifest["arquivos"]) == names - {"manifesto.json"}  # type: ignore[arg-type]
    for name, sha in manifest["arquivos"].items():  # type: ignore[attr-defined]
        assert mf.sha256_bytes(package_a.members[name]) == sha
    assert manifest["contrato"] == {"versao": "1", "nome": "v1", "sha256": load_pack().sha256}
    assert manifest["golden"] == mf.golden_fingerprint()
    assert manifest["homologa"] == __version__
    assert manifest["veredito"] == "reprovado"
    assert manifest["regras"]["R2"] == {"passaram": 0, "falharam": 1, "veredito": "falhou"}  # type: ignore[index]
    assert manifest["carga"]["enviados"] == 1200  # type: ignore[index]
    assert manifest["alvo"] == "http://erp:***@127.0.0.1:9/clientes?apikey=***&filial=***"
    assert manifest["inicio"] <= manifest["fim"]  # type: ignore[operator]
    assert manifest["perfil"] == {"arquivo": "homologacao.toml", "sha256": "0" * 64}
    assert manifest["execucao"]["id"] == support.RUN_ID  # type: ignore[index]
    assert manifest["alvo_id"] and manifest["demonstracao"] is False
    assert "execucao.json" in names
    assert manifest["selo"] == mf.seal(manifest)
    assert f"selo (SHA-256 do manifesto): {manifest['selo']}" in package_a.output


def test_no_secret_in_any_member_of_the_package(package_a: Packaged) -> None:
    for name, data in package_a.members.items():
        blobs = [data]
        if name.endswith(".html"):
            blobs += sanitize.embedded_files(data.decode("utf-8", "replace")).values()
        for secret in support.SECRETS:
            assert all(secret.encode() not in blob for blob in blobs), (name, secret)


def test_untouched_package_verifies(package_a: Packaged, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(package_a.path, capsys)
    assert code == 0, err
    assert f"pacote íntegro: {package_a.path}" in out
    assert f"{len(package_a.manifest['arquivos'])} arquivos conferidos; veredito: reprovado" in out  # type: ignore[arg-type]
    code, out, err = verify(package_a.path, capsys, "--selo", str(package_a.manifest["selo"]))
    assert code == 0


def _tampered(package_a: Packaged, tmp_path: Path, members: dict[str, bytes]) -> Path:
    return support.rewrite_zip(package_a.path, tmp_path / "adulterado.zip", members)


def _resealed(manifest: dict[str, object]) -> bytes:
    manifest = dict(manifest)
    manifest["selo"] = mf.seal(manifest)
    return mf.dumps(manifest)


def _first_result_with(members: dict[str, bytes], status: str) -> str:
    return next(n for n, d in members.items() if n.endswith("-result.json") and json.loads(d)["status"] == status)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("edit", "arquivo alterado: resumo.md (SHA-256 não confere)"),
        ("remove", "arquivo ausente: carga/carga_stats.csv"),
        ("add", "arquivo a mais, fora do manifesto: allure-results/extra-result.json"),
        ("verdict", "veredito do manifesto (aprovado) não confere com os resultados do pacote (reprovado)"),
        ("verdict-unsealed", "manifesto alterado: o selo registrado não confere com o conteúdo do manifesto"),
        (
            "result",
            "veredito do manifesto (reprovado) não confere com os resultados do pacote (inconclusivo)",
        ),
        ("contract", "pacote de contrato v1 diferente do distribuído pelo homologa"),
        ("golden", "mensagens golden diferentes das distribuídas pelo homologa"),
    ],
)
def test_tampering_is_reported(
    package_a: Packaged, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str, message: str
) -> None:
    members = dict(package_a.members)
    manifest = json.loads(json.dumps(package_a.manifest))
    if change == "edit":
        members["resumo.md"] = members["resumo.md"].replace(b"REPROVADO", b"APROVADO")
    elif change == "remove":
        del members["carga/carga_stats.csv"]
    elif change == "add":
        members["allure-results/extra-result.json"] = b'{"name": "x", "status": "passed"}'
    elif change in ("verdict", "verdict-unsealed"):
        manifest["veredito"] = "aprovado"
        members[mf.MANIFEST_NAME] = _resealed(manifest) if change == "verdict" else mf.dumps(manifest)
    elif change == "result":  # flip the failed R2 result to passed, and cover it up in the manifest
        name = _first_result_with(members, "failed")
        data = json.loads(members[name])
        data["status"] = "passed"
        members[name] = json.dumps(data).encode()
        manifest["arquivos"][name] = mf.sha256_bytes(members[name])
        members[mf.MANIFEST_NAME] = _resealed(manifest)
    elif change == "contract":
        manifest["contrato"]["sha256"] = "0" * 64
        members[mf.MANIFEST_NAME] = _resealed(manifest)
    elif change == "golden":
        manifest["golden"]["sha256"] = "f" * 64
        members[mf.MANIFEST_NAME] = _resealed(manifest)
    code, out, err = verify(_tampered(package_a, tmp_path, members), capsys)
    assert code == 1
    assert "PACOTE ADULTERADO OU INCONSISTENTE" in err
    assert message in err
    assert "pacote íntegro" not in out


def test_wrong_expected_seal_is_reported(package_a: Packaged, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = verify(package_a.path, capsys, "--selo", "ab" * 32)
    assert code == 1
    assert "selo diferente do informado" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "pacote não encontrado"), (b"isto nao e zip", "não é um pacote zip legível"), ({}, "pacote sem manifesto")],
)
def test_unreadable_package_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | dict[str, bytes] | None, message: str
) -> None:
    path = tmp_path / "p.zip"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, dict):
        support.rewrite_zip(path, path, {"resumo.md": b"x"})
    code, _, err = verify(path, capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert "File is not a zip file" not in err and "No such file" not in err  # pt-BR only, never Python's English


def test_a_folder_or_a_text_file_given_as_package_is_one_portuguese_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "passwd"
    text.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    code, _, err = verify(text, capsys)
    assert code == 2 and "não é um pacote zip legível (não é um arquivo zip, ou está corrompido)" in err
    code, _, err = verify(tmp_path, capsys)
    assert code == 2 and "é uma pasta, não um pacote zip" in err
    assert all(english not in err for english in ("File is not a zip file", "Is a directory", "Errno"))


def test_comparar_shows_rules_and_load_changes(
    package_a: Packaged, generated: Generated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tally = dict(support.TALLY, clientes_por_segundo=250.0, p95_ms=300.0, falhas={"falha de transporte": 0})
    results_b = support.write_suite_results(tmp_path / "run-b", tally=tally, r2_passes=True)
    path_b = write_package(outcome_for(results_b, generated, tmp_path), tmp_path / "b").path
    assert cli.main(["comparar", str(package_a.path), str(path_b)]) == 0
    out = capsys.readouterr().out
    assert "veredito: reprovado → inconclusivo" in out  # B2 broke in both runs: R2 fixed is not yet aprovado
    assert "regras que passaram a falhar: nenhuma" in out
    assert "regras que deixaram de falhar:\n  R2: antes 1 cenário(s) falhando" in out
    assert "clientes por segundo: 198,5 → 250,0  (mudou)" in out
    assert "latência p95: 412,0 ms → 300,0 ms  (mudou)" in out
    assert "clientes enviados: 1200 → 1200\n" in out
    assert "clientes planejados: 1200 → 1200\n" in out
    assert "forma da rajada: golive → —  (mudou)" in out  # B's burst came only as its R6 test's attachment
    assert "falhas 'falha de transporte': 3 → 0" in out
    assert "falhas 'status divergente': 1 → 0" in out
    assert "o veredito piorou" not in out
    assert cli.main(["comparar", str(path_b), str(package_a.path)]) == 3  # the verdict got worse
    out = capsys.readouterr().out
    assert "regras que passaram a falhar:\n  R2: 1 cenário(s) falhando" in out
    assert "o veredito piorou: inconclusivo → reprovado" in out


def test_a_leaked_secret_stops_the_package(generated: Generated, tmp_path: Path) -> None:
    load = tmp_path / "carga"
    shutil.copytree(generated.load, load)
    (load / "locust.log").write_text(f"POST /clientes Authorization: Bearer {support.SECRET_TOKEN}\n", encoding="utf-8")
    ended = (load / "resultado.json").stat()
    # written during the burst (a file written long after its resultado.json is another burst's: left out)
    os.utime(load / "locust.log", ns=(ended.st_atime_ns, ended.st_mtime_ns))
    outcome = outcome_for(generated.results, generated, tmp_path, load)
    with pytest.raises(PackageError, match=r"segredo do perfil .* pacote não gerado: carga/locust\.log") as caught:
        write_package(outcome, tmp_path / "saida")
    assert support.SECRET_TOKEN not in str(caught.value)
    assert not list((tmp_path / "saida").glob("*.zip")) if (tmp_path / "saida").exists() else True


def test_a_leaked_secret_stops_the_report(
    run_a: Path, generated: Generated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leaky = tmp_path / "allure-results"
    shutil.copytree(run_a, leaky)
    support.write_record(tmp_path)
    attachment = next(iter(leaky.glob("*-attachment.xml")))
    attachment.write_text(f"<x>senha {support.SECRET_PASSWORD}</x>", encoding="utf-8")
    out = tmp_path / "relatorio"
    code = cli.main(["relatorio", "--perfil", str(generated.profile), "--execucao", str(tmp_path), "--saida", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "segredo do perfil" in err and support.SECRET_PASSWORD not in err
    assert not (out / "index.html").exists()


def test_load_run_outside_pytest_is_packaged_and_verified_as_r6(
    run_a: Path, generated: Generated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "allure-results"
    shutil.copytree(run_a, results)
    selection = {"k": None, "m": None, "selecionados": 7, "desmarcados": 0, "executados": 7}
    support.write_record(tmp_path, selecao=selection)  # the contract run had 7 scenarios: the load ran apart
    for path in results.glob("*-result.json"):  # the load ran with the locust CLI: no pytest test for it
        if json.loads(path.read_text(encoding="utf-8"))["name"] == "test_r6_carga":
            path.unlink()
    load = support.write_load_output(tmp_path)
    package = write_package(outcome_for(results, generated, tmp_path, load), tmp_path / "p").path
    manifest = json.loads(support.zip_members(package)[mf.MANIFEST_NAME])
    assert manifest["regras"]["R6"] == {"passaram": 0, "falharam": 1, "veredito": "falhou"}
    assert manifest["carga"]["aprovado"] is False
    code, _, err = verify(package, capsys)
    assert code == 0, err
    # the load's own verdict cannot be flipped without the rule counts showing it
    members = support.zip_members(package)
    members["carga/resultado.json"] = json.dumps(dict(support.TALLY, aprovado=True)).encode()
    manifest["arquivos"]["carga/resultado.json"] = mf.sha256_bytes(members["carga/resultado.json"])
    members[mf.MANIFEST_NAME] = _resealed(manifest)
    code, _, err = verify(support.rewrite_zip(package, tmp_path / "adulterado.zip", members), capsys)
    assert code == 1
    assert "regra R6: manifesto diz 0 passaram e 1 falharam; os resultados têm 1 e 0" in err


def test_files_of_another_burst_in_the_load_folder_stay_out_of_the_package(
    run_a: Path, generated: Generated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 300-customer burst with --csv, then a 200-customer burst without --csv into the same folder: the CSVs are
    the first burst's (written an hour before the second started) and must not ship beside its resultado.json."""
    import time

    results = tmp_path / "allure-results"
    shutil.copytree(run_a, results)
    support.write_record(tmp_path)
    load = support.write_load_output(tmp_path)
    started = time.time() - 5
    data = dict(support.TALLY, inicio_desta_parte_unix=started, planejados=200, enviados=200)
    (load / "resultado.json").write_text(json.dumps(data), encoding="utf-8")
    os.utime(load / "carga_stats.csv", (started - 3600, started - 3600))
    # and a CSV another burst wrote here later (its --csv pointing into this folder, its journal elsewhere)
    (load / "outra_stats.csv").write_text("Type,Name,Request Count\nPOST,novo,999\n", encoding="utf-8")
    os.utime(load / "outra_stats.csv", (time.time() + 3600, time.time() + 3600))
    package = write_package(outcome_for(results, generated, tmp_path, load), tmp_path / "p").path
    members = support.zip_members(package)
    assert "carga/resultado.json" in members and "carga/carga.html" in members
    assert "carga/carga_stats.csv" not in members and "carga/outra_stats.csv" not in members
    manifest = json.loads(members[mf.MANIFEST_NAME])
    before, after = manifest["carga_fora_do_pacote"]
    assert before.startswith("carga_stats.csv: gravado antes do início desta rajada")
    assert after.startswith("outra_stats.csv: gravado depois do fim desta rajada")
    assert manifest["carga"]["enviados"] == 200 and manifest["carga"]["rajada"]["forma"] == "golive"
    code, _, err = verify(package, capsys)
    assert code == 0, err
