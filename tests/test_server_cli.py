"""``homologa servir`` command line: listing faults, and bad input as one pt-BR line with exit code 2."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from homologa import cli
from homologa.server import FAULTS


def test_list_faults_names_every_fault_with_its_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["servir", "--listar-falhas"]) == 0
    out = capsys.readouterr().out
    for fault in FAULTS.values():
        line = next(line for line in out.splitlines() if line.strip().startswith(fault.name + " "))
        assert ",".join(fault.regras) in line and fault.descricao in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--falha", "apv-para-tudo"], "falha desconhecida: 'apv-para-tudo'"),
        (["--porta", "70000"], "porta inválida: 70000"),
        (["--porta", "oito"], "porta inválida: 'oito'"),
        (["--campos-protegidos", "telefone,cor"], "campo(s) protegido(s) desconhecido(s): cor"),
        (["--atraso-falha", "muito"], "valor inválido: 'muito'"),
        (["--prazo-cabecalhos", "rápido"], "valor inválido: 'rápido'"),
        (["--max-conexoes", "muitas"], "esperado um número inteiro, recebeu 'muitas'"),
        (["--max-conexoes", "-1"], "não pode ser negativo, recebeu -1"),
        (["--espera-banco", "-2"], "valor inválido: '-2'"),
    ],
)
def test_bad_option_is_a_pt_br_error_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["servir", *argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_unknown_contract_pack_is_one_pt_br_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["servir", "--porta", "0", "--banco", str(tmp_path / "ref.db"), "--contrato", "v7"]) == 2
    err = capsys.readouterr().err
    assert "--contrato: pacote de contrato não encontrado" in err and "v1-soap" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--espera-banco", "0"], "--espera-banco inválido: 0.0"),
        (["--prazo-ocioso", "99999"], "--prazo-ocioso inválido: 99999.0"),
    ],
)
def test_out_of_range_timeout_is_a_pt_br_error_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert cli.main(["servir", "--porta", "0", "--banco", str(tmp_path / "ref.db"), *argv]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unwritable_database_is_a_pt_br_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "arquivo"
    blocker.write_text("não é pasta")
    assert cli.main(["servir", "--porta", "0", "--banco", str(blocker / "ref.db")]) == 2
    assert "não foi possível abrir o banco" in capsys.readouterr().err


def test_database_that_is_not_sqlite_is_a_pt_br_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "ref.db"
    bogus.write_bytes(b"isto nao e um banco sqlite" * 100)
    assert cli.main(["servir", "--porta", "0", "--banco", str(bogus)]) == 2
    assert "não foi possível abrir o banco" in capsys.readouterr().err


def test_port_in_use_is_a_pt_br_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["servir", "--porta", str(port), "--banco", str(tmp_path / "ref.db")]) == 2
    assert "não foi possível escutar" in capsys.readouterr().err


def test_fault_catalogue_imports_without_aiohttp() -> None:
    import subprocess
    import sys

    code = "import sys, homologa.server.faults; print('aiohttp' in sys.modules, 'asyncio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]


def test_old_english_spellings_still_run_and_help_shows_the_portuguese(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--list-faults"]) == 0
    assert "colapsa" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        cli.main(["serve", "--port", "70000", "--db", "x.db", "--quiet"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.startswith("homologa servir: erro: opção --porta: porta inválida: 70000")
    with pytest.raises(SystemExit):
        cli.main(["servir", "--help"])
    shown = capsys.readouterr().out
    for name in ("--endereco", "--porta", "--banco", "--campos-protegidos", "--falha", "--atraso-falha", "--contrato",
                 "--prazo-cabecalhos", "--prazo-corpo", "--prazo-ocioso", "--max-conexoes", "--espera-banco",
                 "--listar-falhas", "--silencioso"):  # fmt: skip
        assert name in shown
    old = ("--host", "--port", "--db", "--protected-fields", "--fault", "--contract", "--header-timeout")
    old += ("--body-timeout", "--idle-timeout", "--max-connections", "--db-wait", "--list-faults", "--quiet")
    assert not [name for name in old if re.search(rf"{name}(?![-\w])", shown)], shown
