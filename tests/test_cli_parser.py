"""``homologa``'s parser: no prefix matching (it would reach the hidden old spellings), an unknown option reported by
the sub-command it was given to, an option given under its new and old names refused, pt-BR only."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import pytest

from homologa import cli
from homologa.server.runner import bind_error


def _error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as ended:
        cli.main(list(argv))
    assert ended.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [("servir", "--po", "0"), ("gerar", "--s", "X", "--faixa-cep", "01000000-01999999", "--quantidade", "1"),
     ("gerar", "--o", "pasta", "--faixa-cep", "01000000-01999999", "--quantidade", "1")],
    ids=["servir--po", "gerar--s", "gerar--o"],
)  # fmt: skip
def test_a_prefix_of_an_option_is_not_an_option_nor_shows_the_old_names(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    err = _error(capsys, *argv)
    assert f"homologa {argv[0]}: erro:" in err
    for hidden in ("--port", "--seed", "--out", "could match", "ambígua"):
        assert hidden not in err, err


def test_an_unknown_option_is_reported_by_the_sub_command(capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(capsys, "pacote", "--nao-existe", "x")
    assert err.startswith("homologa pacote: erro: argumento(s) não reconhecido(s): --nao-existe x"), err
    assert "(use homologa pacote --help)" in err


def test_an_old_english_command_name_reports_under_its_pt_br_name(capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(capsys, "serve", "--nao-existe")
    assert err.startswith("homologa servir: erro:"), err


@pytest.mark.parametrize(
    "argv",
    [("gerar", "--saida", "g2", "--out", "g3"), ("servir", "--port", "0", "--porta", "99999"),
     ("gerar", "--saida=g2", "--out=g3")],
    ids=["gerar", "servir", "com-igual"],
)  # fmt: skip
def test_one_option_under_its_new_and_old_names_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    err = _error(capsys, *argv)
    new = "--saida" if argv[0] == "gerar" else "--porta"
    assert f"a opção {new} foi dada também como" in err and f"use só {new}" in err, err
    assert not (tmp_path / "g2").exists()


def test_the_old_name_alone_still_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g"
    assert cli.main(["gerar", "--faixa-cep", "01000000-01999999", "--quantidade", "1", "--out", str(out)]) == 0
    assert len(list(out.glob("*.xml"))) == 1
    assert "1 mensagem CadastroCliente gravada em" in capsys.readouterr().err  # singular: not "1 mensagens"


def test_a_port_in_use_is_said_in_portuguese_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["servir", "--porta", str(port), "--banco", str(tmp_path / "ref.db")]) == 2
    err = capsys.readouterr().err
    assert "a porta já está em uso" in err and "attempting" not in err and "address" not in err.lower(), err


def test_every_bind_error_is_portuguese() -> None:
    assert "sem permissão" in bind_error(PermissionError(errno.EACCES, "Permission denied"))
    assert bind_error(OSError(errno.EHOSTDOWN, "Host is down")) == "erro do sistema EHOSTDOWN"
    assert "0 a 65535" in bind_error(OverflowError("bind(): port must be 0-65535."))
