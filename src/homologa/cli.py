"""``homologa`` command line: one sub-command per module, messages in pt-BR, no tracebacks for bad input.

Each command module exposes ``register(subparsers)``, which adds its parser and sets ``func`` (returning the exit
code). Bad input raises :class:`UsageError` (exit 2) with a one-line message.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from homologa import __version__

# Command modules, in the order ``homologa --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    # one line per command module
    "homologa.generator.command",
    "homologa.server.command",
    "homologa.report.runs_command",
    "homologa.report.command",
    "homologa.report.package_command",
    "homologa.report.verify_command",
    "homologa.report.compare_command",
)

EXIT_USAGE = 2

_TRANSLATIONS: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"argumento(s) obrigatório(s) ausente(s): \1"),
    (r"unrecognized arguments: (.*)", r"argumento(s) não reconhecido(s): \1"),
    (r"argument (\S+): expected one argument", r"a opção \1 precisa de um valor"),
    (r"argument (\S+): invalid int value: (.*)", r"a opção \1 espera um número inteiro, recebeu \2"),
    (r"argument (\S+): invalid float value: (.*)", r"a opção \1 espera um número, recebeu \2"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"a opção \1 não aceita \2 (use: \3)"),
    (r"argument (\S+): (.*)", r"opção \1: \2"),
    (r"ambiguous option: (.*)", r"opção ambígua: \1"),
)


def translate(message: str) -> str:
    """argparse's English error text in pt-BR (messages from our own type functions pass through)."""
    for pattern, replacement in _TRANSLATIONS:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class UsageError(Exception):
    """Bad input from the user: printed as one pt-BR line, exit code 2."""


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "uso: " if prefix is None else prefix)


class ArgumentParser(argparse.ArgumentParser):
    """argparse with pt-BR help and errors, exit code 2, no traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._optionals.title = "opções"
        self._positionals.title = "argumentos"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="mostra esta ajuda e sai")

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: erro: {translate(message)}\n(use {self.prog} --help)\n")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="homologa",
        description="Homologação do endpoint de cadastro de clientes do ERP do distribuidor (contrato v1).",
    )
    parser.add_argument("--version", action="version", version=f"homologa {__version__}", help="mostra a versão e sai")
    sub = parser.add_subparsers(dest="command", metavar="COMANDO", parser_class=ArgumentParser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except UsageError as exc:
        print(f"homologa {args.command}: erro: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("homologa: interrompido", file=sys.stderr)
        return 130
    return code
