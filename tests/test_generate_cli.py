"""``homologa gerar``: files written, valid and named by index; bad input is one pt-BR line and exit 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from homologa import cli
from homologa.contract import load_pack
from homologa.generator import CustomerSource, parse_cep_range
from homologa.messages import read_request, render_request
from homologa.packs.soap import Fault
from homologa.xmlsafe import parse


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "homologa", "gerar", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_writes_valid_files_named_by_index(tmp_path: Path) -> None:
    out = tmp_path / "saida" / "clientes"
    args = [
        "--faixa-cep",
        "01000000-05999999",
        "--faixa-cep",
        "69900000-69999999",
        "--quantidade",
        "40",
        "--semente",
        "5",
    ]
    code = cli.main(["gerar", *args, "--saida", str(out), "--inicio", "100", "--fracao-alfanumerica", "0.5"])
    assert code == 0
    files = sorted(out.glob("*.xml"))
    assert [f.name for f in files] == [f"cliente-{i:08d}.xml" for i in range(100, 140)]
    pack = load_pack()
    src = CustomerSource([parse_cep_range("01000000-05999999"), parse_cep_range("69900000-69999999")], 5, 0.5)
    for index, path in enumerate(files, start=100):
        data = path.read_bytes()
        assert pack.request.validate(data) == []
        message = read_request(parse(data))
        assert message.cliente == src.customer(index)
        assert message.id_mensagem == src.message_id(index)
    assert any(any(ch.isalpha() for ch in read_request(parse(f.read_bytes())).cliente.cnpj) for f in files)


def test_same_seed_same_files_apart_from_send_time(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert (
            cli.main(
                ["gerar", "--faixa-cep", "80000000-87999999", "--quantidade", "5", "--saida", str(tmp_path / name)]
            )
            == 0
        )
    for a, b in zip(sorted((tmp_path / "a").iterdir()), sorted((tmp_path / "b").iterdir()), strict=True):
        ma, mb = read_request(parse(a.read_bytes())), read_request(parse(b.read_bytes()))
        assert (ma.id_mensagem, ma.cliente) == (mb.id_mensagem, mb.cliente)


def test_real_console_script_path_works(tmp_path: Path) -> None:
    result = run("--faixa-cep", "01000000-05999999", "--quantidade", "3", "--saida", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "3 mensagens CadastroCliente gravadas" in result.stderr
    assert len(list(tmp_path.glob("cliente-*.xml"))) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--faixa-cep", "0100-0599", "--quantidade", "1"], "faixa de CEP malformada"),
        (["--faixa-cep", "00000000-00999999", "--quantidade", "1"], "não pertence a nenhuma UF"),
        (["--faixa-cep", "05999999-01000000", "--quantidade", "1"], "faixa de CEP invertida"),
        (["--faixa-cep", "01000000-05999999", "--quantidade", "0"], "deve ser maior que zero"),
        (["--faixa-cep", "01000000-05999999", "--quantidade", "-3"], "deve ser maior que zero"),
        (["--faixa-cep", "01000000-05999999", "--quantidade", "dez"], "esperado um número inteiro"),
        (
            ["--faixa-cep", "01000000-05999999", "--quantidade", "1", "--fracao-alfanumerica", "1.5"],
            "fração entre 0 e 1",
        ),
        (["--faixa-cep", "01000000-05999999", "--quantidade", "1", "--inicio", "-1"], "não pode ser negativo"),
        (["--quantidade", "1"], "argumento(s) obrigatório(s) ausente(s)"),
    ],
)
def test_bad_input_exits_2_with_pt_br_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["gerar", *args, "--saida", str(tmp_path / "x")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.splitlines()[0].startswith("homologa gerar: erro:")
    assert not (tmp_path / "x").exists()


def test_unwritable_out_exits_2_in_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "arquivo.txt"
    a_file.write_text("não sou pasta", encoding="utf-8")
    for out, message in [(a_file, "já existe e não é uma pasta"), (a_file / "sub", "parte do caminho não é uma pasta")]:
        result = run("--faixa-cep", "01000000-05999999", "--quantidade", "2", "--saida", str(out))
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert message in result.stderr


def test_subprocess_bad_range_has_no_traceback(tmp_path: Path) -> None:
    result = run("--faixa-cep", "99999999-99999999x", "--quantidade", "1", "--saida", str(tmp_path))
    assert result.returncode == 2
    assert "faixa de CEP malformada" in result.stderr and "Traceback" not in result.stderr


def test_rendered_bytes_are_what_is_written(tmp_path: Path) -> None:
    cli.main(
        ["gerar", "--faixa-cep", "40000000-48999999", "--quantidade", "1", "--saida", str(tmp_path), "--semente", "9"]
    )
    data = (tmp_path / "cliente-00000000.xml").read_bytes()
    msg = read_request(parse(data))
    assert render_request(msg) == data


@pytest.mark.parametrize("contract", ["v1-soap", str(Path(__file__).parent / "packs" / "renomeado")])
def test_writes_the_messages_in_the_chosen_pack(tmp_path: Path, contract: str) -> None:
    out = tmp_path / "clientes"
    args = ["--faixa-cep", "01000000-05999999", "--quantidade", "10", "--saida", str(out), "--contrato", contract]
    code = cli.main(["gerar", *args])
    assert code == 0
    pack = load_pack(contract)
    src = CustomerSource([parse_cep_range("01000000-05999999")], 1)
    for index, path in enumerate(sorted(out.glob("*.xml"))):
        payload = pack.shape.payload(parse(path.read_bytes()))
        assert not isinstance(payload, Fault)
        assert pack.request.validate(payload) == []
        assert pack.shape.read_request(payload).cliente == src.customer(index)


def test_unknown_pack_is_one_pt_br_line(tmp_path: Path) -> None:
    done = run("--faixa-cep", "01000000-05999999", "--quantidade", "1", "--saida", str(tmp_path), "--contrato", "v7")
    assert done.returncode == 2
    assert "--contrato: pacote de contrato não encontrado" in done.stderr and "Traceback" not in done.stderr


def test_old_english_spellings_still_write_the_same_files(tmp_path: Path) -> None:
    new = ["gerar", "--faixa-cep", "01000000-05999999", "--quantidade", "4", "--semente", "3", "--inicio", "7"]
    new += ["--fracao-alfanumerica", "0.5", "--fracao-isento", "0.5", "--contrato", "v1-soap"]
    old = ["generate", "--cep-range", "01000000-05999999", "--count", "4", "--seed", "3", "--start", "7"]
    old += ["--alnum-share", "0.5", "--isento-share", "0.5", "--contract", "v1-soap"]
    assert cli.main([*new, "--saida", str(tmp_path / "novo")]) == 0
    assert cli.main([*old, "--out", str(tmp_path / "antigo")]) == 0
    novo, antigo = sorted((tmp_path / "novo").iterdir()), sorted((tmp_path / "antigo").iterdir())
    assert [p.name for p in novo] == [p.name for p in antigo] == [f"cliente-{i:08d}.xml" for i in range(7, 11)]
    shape = load_pack("v1-soap").shape

    def message(path: Path) -> object:
        payload = shape.payload(parse(path.read_bytes()))
        assert not isinstance(payload, Fault)
        read = shape.read_request(payload)
        return read.id_mensagem, read.cliente

    assert [message(p) for p in novo] == [message(p) for p in antigo]


def test_help_and_errors_show_only_the_portuguese_names(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["gerar", "--help"])
    shown = capsys.readouterr().out
    for name in ("--faixa-cep", "--quantidade", "--semente", "--saida", "--inicio", "--fracao-alfanumerica",
                 "--fracao-isento", "--contrato"):  # fmt: skip
        assert name in shown
    for old in ("--cep-range", "--count", "--seed", "--out", "--start", "--alnum-share", "--isento-share",
                "--contract", "generate"):  # fmt: skip
        assert not re.search(rf"{old}(?![-\w])", shown), old
    with pytest.raises(SystemExit):
        cli.main(["generate", "--count", "1"])  # the old name, and an old flag: the message speaks the new ones
    err = capsys.readouterr().err
    assert err.startswith("homologa gerar: erro: argumento(s) obrigatório(s) ausente(s): --faixa-cep, --saida")
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    listing = capsys.readouterr().out
    assert "gerar" in listing and "generate" not in listing
