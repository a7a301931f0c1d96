"""Hostile and malformed packages (real zips, raw bytes patched where zipfile would never write them): each is
refused by ``homologa verificar`` with exit 2 and one pt-BR line naming the member and the rule — never a
traceback, never "adulterado". And a second ``homologa pacote`` never overwrites the first."""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from pathlib import Path

import pytest
import report_support as support
from conftest import Generated, outcome_for

from homologa import cli
from homologa.report import manifest as mf
from homologa.report.package import PackageError, write_package, write_zip

NAME = re.compile(r"homologacao-11222333000181-\d{8}-\d{6}-([0-9a-f]{8})\.zip")


@pytest.fixture(scope="module")
def package(generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pacote")
    outcome = outcome_for(generated.results, generated, out, generated.load)
    return write_package(outcome, out / "saida").path


def members_of(package: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(package) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def build(path: Path, members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on a duplicated name: that is the point
        with zipfile.ZipFile(path, "w", compression=method) as zf:
            for name, data in members:
                zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=method)
    return path


def verify(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = cli.main(["verificar", str(path), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def seal_of(package: Path) -> str:
    return str(json.loads(dict(members_of(package))[mf.MANIFEST_NAME])["selo"])


def assert_refused(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2, (out, err)
    assert "Traceback" not in err and "ADULTERADO" not in err and "íntegro" not in out
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_package_name_carries_time_and_seal(package: Path) -> None:
    match = NAME.fullmatch(package.name)
    assert match, package.name
    assert match.group(1) == seal_of(package)[:8]


def test_forged_first_copy_of_a_duplicated_name_is_refused_even_with_the_seal(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = members_of(package)
    forged = (b"<html><body>APROVADO</body></html>",)
    hostile = build(tmp_path / "dup.zip", [("resumo.html", forged[0]), *members])
    with zipfile.ZipFile(hostile) as zf:  # what the attack relies on: zipfile reads the last copy, unzip the first
        assert zf.read("resumo.html") == dict(members)["resumo.html"]
        assert zf.read(zf.infolist()[0]) == forged[0]
    code, out, err = verify(hostile, capsys, "--selo", seal_of(package))
    assert_refused(code, out, err, "membro 'resumo.html' recusado", "nome repetido")


def test_names_differing_only_in_case_are_refused(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = build(tmp_path / "caixa.zip", [("RESUMO.html", b"forjado"), *members_of(package)])
    assert_refused(*verify(hostile, capsys), "membro 'resumo.html' recusado", "igual a 'RESUMO.html'")


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("/etc/resumo.html", "caminho absoluto"),
        ("../resumo.html", "caminho com '..'"),
        ("relatorio/../../resumo.html", "caminho com '..'"),
        ("relatorio\\..\\resumo.html", "barra invertida"),
        ("C:/resumo.html", "letra de unidade"),
        ("resumo\x01.html", "caractere de controle"),
    ],
)
def test_unsafe_names_are_refused(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, rule: str
) -> None:
    hostile = build(tmp_path / "nome.zip", [*members_of(package), (name, b"x")])
    assert_refused(*verify(hostile, capsys), "recusado", rule)


def test_nul_in_a_name_is_refused(package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # zipfile cuts a name at NUL when reading: "resumo.md\0x" would be read as a second "resumo.md"
    hostile = build(tmp_path / "nul.zip", [*members_of(package), ("resumo.mdZexe", b"x")])
    hostile.write_bytes(hostile.read_bytes().replace(b"resumo.mdZexe", b"resumo.md\0exe"))
    assert_refused(*verify(hostile, capsys), "membro 'resumo.md\\\\0exe' recusado", "caractere nulo")


@pytest.mark.parametrize(
    ("patch", "rule"),
    [
        ({"flags": 0x1}, "criptografado"),
        ({"flags": 0x40}, "criptografado"),
        ({"method": 99}, "método de compressão 99 não aceito"),
        ({"method": zipfile.ZIP_BZIP2}, "método de compressão 12 não aceito"),
        ({"size": 300 * 1024 * 1024}, "300,0 MiB descompactado, acima do limite de 256,0 MiB"),
    ],
)
def test_malformed_members_are_refused(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], patch: dict[str, int], rule: str
) -> None:
    hostile = build(tmp_path / "m.zip", members_of(package))
    support.patch_member(hostile, "resumo.md", **patch)
    assert_refused(*verify(hostile, capsys), "membro 'resumo.md' recusado", rule)


def test_corrupt_data_is_unreadable_not_altered(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = members_of(package)
    hostile = build(tmp_path / "crc.zip", members, method=zipfile.ZIP_STORED)
    original = dict(members)["resumo.md"]
    raw = hostile.read_bytes()
    at = raw.index(original)
    hostile.write_bytes(raw[:at] + bytes([original[0] ^ 0xFF]) + raw[at + 1 :])
    assert_refused(*verify(hostile, capsys), "membro 'resumo.md' ilegível", "CRC")


def _with_manifest(package: Path, tmp_path: Path, manifest: bytes) -> Path:
    members = [(n, d) for n, d in members_of(package) if n != mf.MANIFEST_NAME]
    return build(tmp_path / "manifesto.zip", [(mf.MANIFEST_NAME, manifest), *members])


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("big", "membro 'manifesto.json' recusado: 5,0 MiB descompactado, acima do limite de 4,0 MiB"),
        ("entries", "arquivos, acima do limite de 10000"),
        ("nested", "manifesto.json ilegível"),
        ("hash-type", "hash de arquivo que não é texto"),
    ],
)
def test_hostile_manifests_are_refused(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, rule: str
) -> None:
    manifest = json.loads(dict(members_of(package))[mf.MANIFEST_NAME])
    if kind == "big":
        data = mf.dumps(dict(manifest, enchimento="x" * (5 * 1024 * 1024 - 100_000)))
        data += b" " * (5 * 1024 * 1024 - len(data))
    elif kind == "entries":
        manifest["arquivos"].update({f"falso/{i:05d}.json": "0" * 64 for i in range(10_000)})
        data = mf.dumps(manifest)
    elif kind == "nested":
        data = b"[" * 200_000 + b"]" * 200_000
    else:
        manifest["arquivos"]["resumo.md"] = ["não", "é", "hash"]
        data = mf.dumps(manifest)
    assert_refused(*verify(_with_manifest(package, tmp_path, data), capsys), rule)


def test_too_many_members_are_refused_before_the_directory_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = build(tmp_path / "muitos.zip", [(f"x/{i}", b"") for i in range(10_001)], method=zipfile.ZIP_STORED)
    assert_refused(*verify(hostile, capsys), "10001 membros no pacote, acima do limite de 10000")


def test_unreadable_results_with_consistent_hashes_exit_2(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = dict(members_of(package))
    manifest = json.loads(members.pop(mf.MANIFEST_NAME))
    name = next(n for n in members if n.endswith("-result.json"))
    members[name] = b"{ isto nao e json"
    manifest["arquivos"][name] = mf.sha256_bytes(members[name])
    manifest["selo"] = mf.seal(manifest)
    path = build(tmp_path / "ilegivel.zip", [(mf.MANIFEST_NAME, mf.dumps(manifest)), *members.items()])
    code, _, err = verify(path, capsys)
    assert code == 2, err
    assert "PACOTE ILEGÍVEL" in err and "resultado Allure ilegível" in err
    assert "ADULTERADO" not in err and "Traceback" not in err


def test_a_second_package_never_overwrites_the_first(package: Path, generated: Generated, tmp_path: Path) -> None:
    outcome = outcome_for(generated.results, generated, tmp_path, generated.load)
    first = write_package(outcome, tmp_path / "saida")
    before = first.path.read_bytes()
    try:
        second = write_package(outcome, tmp_path / "saida")
    except PackageError as exc:  # same evidence in the same second: same name, refused
        assert "já existe um pacote com este nome" in str(exc) and "nada foi sobrescrito" in str(exc)
    else:  # another second: another seal and another name
        assert second.path != first.path and second.path.is_file()
    assert first.path.read_bytes() == before
    with pytest.raises(PackageError, match=r"já existe um pacote com este nome: .* nada foi sobrescrito"):
        write_zip(first.path, [("x", b"y")])
    assert first.path.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "saida").iterdir()) == sorted(
        {first.path.name, *(p.name for p in (tmp_path / "saida").glob("*.zip"))}
    )


def test_pacote_twice_from_the_command_line_keeps_both(
    generated: Generated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["pacote", "--perfil", str(generated.profile), "--execucao", str(generated.results.parent)]
    args += ["--carga", str(generated.load), "--saida", str(tmp_path)]
    codes = [cli.main(args), cli.main(args)]
    err = capsys.readouterr().err
    packages = sorted(tmp_path.glob("*.zip"))
    assert codes[0] == 0
    if codes[1] == 0:
        assert len(packages) == 2
    else:
        assert codes[1] == 2 and len(packages) == 1 and "nada foi sobrescrito" in err and "Traceback" not in err
    for path in packages:
        assert NAME.fullmatch(path.name)


def _resealed(members: dict[str, bytes], manifest: dict[str, object], path: Path) -> Path:
    manifest["arquivos"] = {n: mf.sha256_bytes(d) for n, d in sorted(members.items())}
    manifest["selo"] = mf.seal(manifest)
    return build(path, [(mf.MANIFEST_NAME, mf.dumps(manifest)), *members.items()])


def test_verdict_is_checked_with_the_run_record_when_the_package_holds_it(
    generated: Generated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = support.write_suite_results(tmp_path / "run", r2_passes=True)
    for path in results.glob("*-result.json"):  # no broken B2: without a record this run is aprovado com ressalvas
        if json.loads(path.read_text(encoding="utf-8"))["name"] == "test_b2_latencia":
            path.unlink()
    selection = {"k": None, "m": None, "selecionados": 7, "desmarcados": 0, "executados": 7}
    support.write_record(results.parent, selecao=selection)  # the run as it recorded itself: 7 scenarios
    package = write_package(outcome_for(results, generated, tmp_path), tmp_path / "p").path
    members = dict(members_of(package))
    manifest = json.loads(members.pop(mf.MANIFEST_NAME))
    assert manifest["veredito"] == "aprovado com ressalvas"
    assert verify(package, capsys)[0] == 0
    record = json.loads(members["execucao.json"])
    record["selecao"]["desmarcados"] = 2  # the same run, had it been a -k selection
    members["execucao.json"] = json.dumps(record).encode()
    code, _, err = verify(_resealed(members, manifest, tmp_path / "com-registro.zip"), capsys)
    assert code == 1
    assert (
        "veredito do manifesto (aprovado com ressalvas) não confere com os resultados do pacote (inconclusivo)" in err
    )
    manifest["veredito"] = "inconclusivo"
    code, _, err = verify(_resealed(members, manifest, tmp_path / "coerente.zip"), capsys)
    assert code == 0, err
    members["execucao.json"] = b"[" * 100_000
    code, _, err = verify(_resealed(members, manifest, tmp_path / "registro-ilegivel.zip"), capsys)
    assert code == 2 and "execucao.json ilegível" in err and "Traceback" not in err


def test_comparar_refuses_an_altered_or_unreadable_package(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = dict(members_of(package))
    altered = dict(members, **{"resumo.md": members["resumo.md"].replace(b"REPROVADO", b"APROVADO")})
    altered_path = build(tmp_path / "alterado.zip", list(altered.items()))
    code = cli.main(["comparar", str(package), str(altered_path)])
    captured = capsys.readouterr()
    assert code == 1
    assert "arquivo alterado: resumo.md" in captured.err and "comparação recusada" in captured.err
    assert "de " not in captured.out  # no comparison printed
    hostile = build(tmp_path / "dup.zip", [("resumo.md", b"forjado"), *members.items()])
    code = cli.main(["comparar", str(hostile), str(package)])
    captured = capsys.readouterr()
    assert code == 2 and "nome repetido" in captured.err and "Traceback" not in captured.err


def test_symbolic_link_member_is_refused(package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = zipfile.ZipInfo("relatorio/atalho", date_time=(1980, 1, 1, 0, 0, 0))
    link.external_attr = (0o120777) << 16  # unzip would create a symlink to /etc
    hostile = build(tmp_path / "link.zip", members_of(package))
    with zipfile.ZipFile(hostile, "a") as zf:
        zf.writestr(link, "/etc")
    assert_refused(*verify(hostile, capsys), "membro 'relatorio/atalho' recusado", "link simbólico")


@pytest.mark.parametrize(
    ("field", "value"),
    [("contrato", "v1"), ("golden", [1]), ("regras", {"R1": "passou"}), ("carga", {"falhas": [1]})],
)
def test_manifest_fields_of_the_wrong_type_are_refused_even_when_sealed(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: object
) -> None:
    members = dict(members_of(package))
    manifest = json.loads(members.pop(mf.MANIFEST_NAME))
    manifest[field] = value
    path = _resealed(members, manifest, tmp_path / "tipos.zip")
    assert_refused(*verify(path, capsys), f"manifesto.json malformado: campo {field!r} de tipo errado")


def test_a_number_too_long_to_read_is_unreadable_not_a_traceback(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = dict(members_of(package))
    manifest = json.loads(members.pop(mf.MANIFEST_NAME))
    name = next(n for n in members if n.endswith("-result.json"))
    members[name] = b'{"name": "x", "status": "passed", "start": ' + b"9" * 5000 + b"}"
    code, _, err = verify(_resealed(members, manifest, tmp_path / "numero.zip"), capsys)
    assert code == 2 and "PACOTE ILEGÍVEL" in err and "Traceback" not in err
    data = mf.dumps(manifest).replace(b'"formato": 1', b'"formato": ' + b"1" * 5000)
    assert_refused(*verify(_with_manifest(package, tmp_path, data), capsys), "manifesto.json ilegível")


def _forgery(package: Path, change: str) -> tuple[dict[str, bytes], dict[str, object]]:
    """A package rewritten consistently (files, hashes and seal) except against the run's own record inside it."""
    members = dict(members_of(package))
    manifest = json.loads(members.pop(mf.MANIFEST_NAME))
    if change == "sem-a-falha":  # drop the failed scenario and claim the verdict the rest would give
        failed = next(n for n, d in members.items() if n.endswith("-result.json") and b'"failed"' in d)
        del members[failed]
        manifest["veredito"] = "inconclusivo"
        manifest["regras"]["R2"] = {"passaram": 0, "falharam": 0, "veredito": "não executada"}
    elif change == "sem-registro":
        del members["execucao.json"]
    elif change == "nao-demonstracao":
        record = json.loads(members["execucao.json"])
        record["alvo"]["embutido"] = True  # the run was a demonstration; the manifest says otherwise
        members["execucao.json"] = json.dumps(record).encode()
    elif change == "veredito-melhor":
        record = json.loads(members["execucao.json"])
        record["veredito"] = {"veredito": "reprovado"}  # the run judged itself worse than the manifest claims
        members["execucao.json"] = json.dumps(record).encode()
    return members, manifest


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("sem-a-falha", "o registro diz 8 cenário(s) executados; o pacote tem 7 resultado(s)"),
        ("sem-registro", "mas o pacote não tem execucao.json"),
        ("nao-demonstracao", "demonstração: o manifesto diz False, o registro da execução diz True"),
        ("veredito-melhor", "veredito do manifesto (reprovado) melhor que o da própria execução"),
    ],
)
def test_a_resealed_package_that_contradicts_its_run_record_is_altered(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str, problem: str
) -> None:
    members, manifest = _forgery(package, change)
    if change == "veredito-melhor":
        manifest["veredito"] = "aprovado"
        problem = "veredito do manifesto (aprovado) melhor que o da própria execução (reprovado)"
    code, _, err = verify(_resealed(members, manifest, tmp_path / f"{change}.zip"), capsys)
    assert code == 1, err
    assert problem in err


def test_results_of_another_run_inside_a_package_are_reported(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members, manifest = _forgery(package, "")
    name = next(n for n, d in members.items() if n.endswith("-result.json") and b'"passed"' in d)
    members[name] = members[name].replace(support.RUN_ID.encode(), b"20990101-000000-ffffff")
    code, _, err = verify(_resealed(members, manifest, tmp_path / "misturado.zip"), capsys)
    assert code == 1 and "1 resultado(s) do pacote não são da execução" in err
