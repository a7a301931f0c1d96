"""``homologa gerar``: write N valid ``CadastroCliente`` files, one per customer index."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from homologa.cli import UsageError, add_command, add_option, non_negative_int, positive_int
from homologa.contract import ContractPackError, load_pack
from homologa.generator.cep import CepRange, parse_cep_range
from homologa.generator.source import MAX_INDEX, CustomerSource
from homologa.oserrors import why


def cep_range_arg(text: str) -> CepRange:
    try:
        return parse_cep_range(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def share_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"esperada uma fração entre 0 e 1, recebeu {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"esperada uma fração entre 0 e 1, recebeu {text!r}")
    return value


def file_name(index: int) -> str:
    return f"cliente-{index:08d}.xml"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "gerar",
        old="generate",
        help="gera mensagens CadastroCliente válidas (clientes brasileiros determinísticos)",
        description=(
            "Gera N arquivos CadastroCliente válidos pelo contrato v1, um por cliente, nomeados pelo índice "
            "(cliente-00000042.xml). Mesma semente, mesmos clientes; qualquer fatia de índices sai igual."
        ),
    )
    add_option(
        parser,
        "--faixa-cep",
        "--cep-range",
        dest="cep_ranges",
        action="append",
        type=cep_range_arg,
        required=True,
        metavar="INICIO-FIM",
        help="faixa de CEP dos clientes, ex.: 01000000-05999999 (repita para várias faixas)",
    )
    add_option(
        parser,
        "--quantidade",
        "--count",
        dest="count",
        type=positive_int,
        required=True,
        metavar="N",
        help="quantos clientes gerar",
    )
    add_option(parser, "--semente", "--seed", dest="seed", type=int, default=1, metavar="S", help="semente (padrão: 1)")
    add_option(
        parser,
        "--saida",
        "--out",
        dest="out",
        type=Path,
        required=True,
        metavar="PASTA",
        help="pasta de saída (criada se preciso)",
    )
    add_option(
        parser,
        "--inicio",
        "--start",
        dest="start",
        type=non_negative_int,
        default=0,
        metavar="K",
        help="primeiro índice (padrão: 0)",
    )
    add_option(
        parser,
        "--fracao-alfanumerica",
        "--alnum-share",
        dest="alnum_share",
        type=share_arg,
        default=0.1,
        metavar="F",
        help="fração de CNPJs alfanuméricos, entre 0 e 1 (padrão: 0.1)",
    )
    add_option(
        parser,
        "--fracao-isento",
        "--isento-share",
        dest="isento_share",
        type=share_arg,
        default=0.1,
        metavar="F",
        help="fração de clientes com Inscrição Estadual ISENTO, entre 0 e 1 (padrão: 0.1)",
    )
    add_option(
        parser,
        "--contrato",
        "--contract",
        dest="contract",
        default="1",
        metavar="NOME|PASTA",
        help="pacote de contrato em que as mensagens são escritas (padrão: 1; ex.: v1-soap)",
    )
    parser.set_defaults(func=run)


def _prepare_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"--saida {out}: já existe e não é uma pasta") from None
    except OSError as exc:
        raise UsageError(f"--saida {out}: não foi possível criar a pasta ({why(exc)})") from None
    try:
        with tempfile.NamedTemporaryFile(dir=out, prefix=".homologa-", delete=True):
            pass
    except OSError as exc:
        raise UsageError(f"--saida {out}: pasta sem permissão de escrita ({why(exc)})") from None


def run(args: argparse.Namespace) -> int:
    start: int = args.start
    stop = start + args.count
    if stop > MAX_INDEX:
        raise UsageError(f"--inicio + --quantidade passa do último índice possível ({MAX_INDEX - 1})")
    try:
        render_request = load_pack(args.contract).shape.render_request
    except ContractPackError as exc:
        raise UsageError(f"--contrato: {exc}") from None
    out: Path = args.out
    _prepare_out(out)
    source = CustomerSource(args.cep_ranges, args.seed, args.alnum_share, args.isento_share)
    began = time.perf_counter()
    try:
        for index in range(start, stop):
            path = out / file_name(index)
            data = render_request(source.message(index))
            with open(path, "wb") as handle:
                handle.write(data)
    except OSError as exc:
        raise UsageError(f"falha ao gravar em {out}: {why(exc)}") from None
    elapsed = time.perf_counter() - began
    rate = f"{args.count / elapsed:,.0f}".replace(",", ".") if elapsed > 0 else "?"
    what = "mensagem CadastroCliente gravada" if args.count == 1 else "mensagens CadastroCliente gravadas"
    print(
        f"{args.count} {what} em {os.fspath(out)} "
        f"(índices {start} a {stop - 1}, semente {args.seed}, {rate} arquivos/s)",
        file=sys.stderr,
    )
    return 0
