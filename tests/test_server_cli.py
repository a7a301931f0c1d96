"""``homologa serve`` command line: listing faults, and bad input as one pt-BR line with exit code 2."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from homologa import cli
from homologa.server import FAULTS


def test_list_faults_names_every_fault_with_its_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--list-faults"]) == 0
    out = capsys.readouterr().out
    for fault in FAULTS.values():
        line = next(line for line in out.splitlines() if line.strip().startswith(fault.name + " "))
        assert ",".join(fault.regras) in line and fault.descricao in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--fault", "apv-para-tudo"], "falha desconhecida: 'apv-para-tudo'"),
        (["--port", "70000"], "porta inválida: 70000"),
        (["--port", "oito"], "porta inválida: 'oito'"),
        (["--protected-fields", "telefone,cor"], "campo(s) protegido(s) desconhecido(s): cor"),
        (["--fault-delay", "muito"], "valor inválido: 'muito'"),
        (["--header-timeout", "rápido"], "valor inválido: 'rápido'"),
        (["--max-connections", "muitas"], "valor inválido: 'muitas'"),
        (["--max-connections", "-1"], "valor inválido: '-1'"),
        (["--db-wait", "-2"], "valor inválido: '-2'"),
    ],
)
def test_bad_option_is_a_pt_br_error_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["serve", *argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_unknown_contract_pack_is_one_pt_br_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--port", "0", "--db", str(tmp_path / "ref.db"), "--contract", "v7"]) == 2
    err = capsys.readouterr().err
    assert "--contract: pacote de contrato não encontrado" in err and "v1-soap" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--db-wait", "0"], "--db-wait inválido: 0.0"),
        (["--idle-timeout", "99999"], "--idle-timeout inválido: 99999.0"),
    ],
)
def test_out_of_range_timeout_is_a_pt_br_error_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert cli.main(["serve", "--port", "0", "--db", str(tmp_path / "ref.db"), *argv]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unwritable_database_is_a_pt_br_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "arquivo"
    blocker.write_text("não é pasta")
    assert cli.main(["serve", "--port", "0", "--db", str(blocker / "ref.db")]) == 2
    assert "não foi possível abrir o banco" in capsys.readouterr().err


def test_database_that_is_not_sqlite_is_a_pt_br_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "ref.db"
    bogus.write_bytes(b"isto nao e um banco sqlite" * 100)
    assert cli.main(["serve", "--port", "0", "--db", str(bogus)]) == 2
    assert "não foi possível abrir o banco" in capsys.readouterr().err


def test_port_in_use_is_a_pt_br_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port), "--db", str(tmp_path / "ref.db")]) == 2
    assert "não foi possível escutar" in capsys.readouterr().err


def test_fault_catalogue_imports_without_aiohttp() -> None:
    import subprocess
    import sys

    code = "import sys, homologa.server.faults; print('aiohttp' in sys.modules, 'asyncio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]
