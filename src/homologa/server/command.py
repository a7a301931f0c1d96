"""``homologa servir``: run the reference distributor until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from homologa.cli import UsageError, add_command, add_option, non_negative_int
from homologa.contract import ContractPackError, load_pack
from homologa.model import parse_field_groups
from homologa.server import faults, quietlog
from homologa.server.config import DEFAULT_MAX_BODY, SYNCHRONOUS_MODES, ServerConfig
from homologa.server.runner import ReferenceServer, ServerStartError

DEFAULT_DB = Path("homologa-referencia.db")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"porta inválida: {text!r} (use um número de 0 a 65535)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"porta inválida: {value} (use um número de 0 a 65535)")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"valor inválido: {text!r} (use segundos, ex.: 2.5)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"valor inválido: {text!r} (não pode ser negativo)")
    return value


def _protected(text: str) -> tuple[str, ...]:
    try:
        return parse_field_groups(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fault(text: str) -> str:
    try:
        return faults.check_names([text])[0]
    except (ValueError, IndexError):
        raise argparse.ArgumentTypeError(
            f"falha desconhecida: {text!r} (use homologa servir --listar-falhas para ver as disponíveis)"
        ) from None


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "servir",
        old="serve",
        help="sobe o distribuidor de referência (contrato v1 em POST /clientes)",
        description="Distribuidor de referência: implementa o contrato v1 em POST /clientes, com persistência "
        "SQLite (WAL) e falhas de ERP ligáveis por --falha.",
    )
    add_option(
        parser,
        "--endereco",
        "--host",
        dest="host",
        default="127.0.0.1",
        metavar="IP",
        help="endereço de escuta (padrão: 127.0.0.1)",
    )
    add_option(
        parser,
        "--porta",
        "--port",
        dest="port",
        type=_port,
        default=8080,
        metavar="N",
        help="porta (padrão: 8080; 0 escolhe uma livre)",
    )
    add_option(
        parser,
        "--banco",
        "--db",
        dest="db",
        type=Path,
        default=DEFAULT_DB,
        metavar="ARQUIVO",
        help=f"arquivo SQLite (padrão: {DEFAULT_DB})",
    )
    add_option(
        parser,
        "--campos-protegidos",
        "--protected-fields",
        dest="protected_fields",
        type=_protected,
        default=(),
        metavar="CAMPOS",
        help="grupos de campos que o ERP não sobrescreve, separados por vírgula (ex.: telefone,endereco)",
    )
    add_option(
        parser,
        "--falha",
        "--fault",
        dest="fault",
        type=_fault,
        action="append",
        default=[],
        metavar="NOME",
        help="liga uma falha (repetível; veja --listar-falhas)",
    )
    add_option(
        parser,
        "--atraso-falha",
        "--fault-delay",
        dest="fault_delay",
        type=_seconds,
        default=2.5,
        metavar="S",
        help="atraso da falha 'lento' (padrão: 2.5 s)",
    )
    add_option(
        parser,
        "--contrato",
        "--contract",
        dest="contract",
        default="1",
        metavar="NOME|PASTA",
        help="pacote de contrato falado pelo servidor (padrão: 1; ex.: v1-soap ou uma pasta com pack.toml)",
    )
    add_option(
        parser,
        "--prazo-cabecalhos",
        "--header-timeout",
        dest="header_timeout",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="prazo para receber os cabeçalhos de um pedido (padrão: 10 s)",
    )
    add_option(
        parser,
        "--prazo-corpo",
        "--body-timeout",
        dest="body_timeout",
        type=_seconds,
        default=30.0,
        metavar="S",
        help="prazo para receber o corpo de um pedido (padrão: 30 s)",
    )
    add_option(
        parser,
        "--prazo-ocioso",
        "--idle-timeout",
        dest="idle_timeout",
        type=_seconds,
        default=30.0,
        metavar="S",
        help="tempo máximo de uma conexão keep-alive ociosa (padrão: 30 s)",
    )
    add_option(
        parser,
        "--max-conexoes",
        "--max-connections",
        dest="max_connections",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="conexões simultâneas (padrão: 3/4 do limite de arquivos abertos); acima disso, 503 com Retry-After",
    )
    add_option(
        parser,
        "--espera-banco",
        "--db-wait",
        dest="db_wait",
        type=_seconds,
        default=2.0,
        metavar="S",
        help="espera máxima pelo bloqueio de escrita do banco antes de responder 503 (padrão: 2 s)",
    )
    add_option(
        parser,
        "--listar-falhas",
        "--list-faults",
        dest="list_faults",
        action="store_true",
        help="lista as falhas disponíveis e sai",
    )
    add_option(
        parser, "--max-corpo", "--max-body", dest="max_body", type=int, default=DEFAULT_MAX_BODY, help=argparse.SUPPRESS
    )
    parser.add_argument("--sem-persistencia", action="store_true", help=argparse.SUPPRESS)  # benchmark baseline
    parser.add_argument("--sincronismo", choices=SYNCHRONOUS_MODES, default="full", help=argparse.SUPPRESS)
    add_option(parser, "--silencioso", "--quiet", dest="quiet", action="store_true", help="não escreve o log de acesso")
    parser.set_defaults(func=run)


def _configure_logging(quiet: bool) -> quietlog.RepeatFilter:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("homologa.server.acesso")
    access.handlers[:] = [handler]
    access.setLevel(logging.WARNING if quiet else logging.INFO)
    access.propagate = False
    errors = logging.StreamHandler(sys.stderr)
    # errors of the server, of asyncio (accept failures) and of aiohttp (bad requests): counted when they repeat
    return quietlog.install(errors, ("homologa.server", "asyncio", "aiohttp"), logging.WARNING)


def run(args: argparse.Namespace) -> int:
    if args.list_faults:
        print(faults.describe())
        return 0
    try:
        cfg = ServerConfig(
            db_path=args.db,
            host=args.host,
            port=args.port,
            protected_fields=tuple(args.protected_fields),
            faults=tuple(args.fault),
            fault_delay=args.fault_delay,
            max_body=args.max_body,
            persist=not args.sem_persistencia,
            synchronous=args.sincronismo,
            contract=args.contract,
            header_timeout=args.header_timeout,
            body_timeout=args.body_timeout,
            idle_timeout=args.idle_timeout,
            max_connections=args.max_connections,
            db_wait=args.db_wait,
        )
        load_pack(cfg.contract)
    except ContractPackError as exc:
        raise UsageError(f"--contrato: {exc}") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    repeat = _configure_logging(args.quiet)
    errors = logging.getLogger("homologa.server")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server = ReferenceServer(cfg)
        try:
            server.start()
        except ServerStartError as exc:
            raise UsageError(str(exc)) from None
        where = "sem persistência (memória)" if not cfg.persist else f"banco {cfg.db_path}"
        extras = f"; falhas: {', '.join(cfg.faults)}" if cfg.faults else ""
        contract = f"; contrato {cfg.contract}" if cfg.contract not in {"1", "v1"} else ""
        print(f"homologa servir: ouvindo em {server.url} ({where}{contract}{extras})", flush=True)
        try:
            while not stop.wait(0.5):
                repeat.flush(errors)
        finally:
            server.stop()
            repeat.flush_all(errors)
        print("homologa servir: encerrado", flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
