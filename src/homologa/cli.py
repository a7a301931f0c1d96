"""``homologa`` command line: one sub-command per module, messages in pt-BR, no tracebacks for bad input.

Each command module exposes ``register(subparsers)``, which adds its parser and sets ``func`` (returning the exit
code). Bad input raises :class:`UsageError` (exit 2) with a one-line message.
"""

from __future__ import annotations

import argparse
import copy
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

# Sub-commands renamed to pt-BR: the old English names still run them, but neither --help nor messages show them.
LEGACY_COMMANDS: dict[str, str] = {"serve": "servir", "generate": "gerar"}

# Attribute of an argparse action holding its old option spellings (accepted, never shown).
_HIDDEN = "homologa_hidden_aliases"

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


def _shown(action: argparse.Action) -> argparse.Action:
    """The action as help shows it: without its old spellings."""
    hidden: frozenset[str] = getattr(action, _HIDDEN, frozenset())
    if not hidden:
        return action
    shown = copy.copy(action)
    shown.option_strings = [option for option in action.option_strings if option not in hidden]
    return shown


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "uso: " if prefix is None else prefix)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        return super()._format_action_invocation(_shown(action))


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"esperado um número inteiro, recebeu {text!r}") from None


def positive_int(text: str) -> int:
    """argparse type: a whole number above zero."""
    value = _int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"deve ser maior que zero, recebeu {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: a whole number, zero or more."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"não pode ser negativo, recebeu {value}")
    return value


def add_option(parser: argparse.ArgumentParser, name: str, *old: str, **kwargs: Any) -> argparse.Action:
    """An option under its pt-BR ``name``; the ``old`` spellings still work but help and messages show only ``name``."""
    action = parser.add_argument(name, *old, **kwargs)
    setattr(action, _HIDDEN, frozenset(old))
    return action


def add_command(subparsers: Any, name: str, *, old: str | None = None, **kwargs: Any) -> argparse.ArgumentParser:
    """A sub-command under its pt-BR ``name``; ``old`` (its former English name) still runs it, unadvertised."""
    parser: argparse.ArgumentParser = subparsers.add_parser(name, **kwargs)
    if old is not None:
        assert LEGACY_COMMANDS.get(old) == name, f"{old} → {name} missing from LEGACY_COMMANDS"
        subparsers._name_parser_map[old] = parser
    parser.set_defaults(command_name=name)
    return parser


class ArgumentParser(argparse.ArgumentParser):
    """argparse with pt-BR help and errors, exit code 2, no traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        # no prefix matching: "--po" would match the hidden old spellings too ("--port"), and "--o" resolve to one
        kwargs.setdefault("allow_abbrev", False)
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._optionals.title = "opções"
        self._positionals.title = "argumentos"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="mostra esta ajuda e sai")
        self.commands: dict[str, ArgumentParser] = {}  # the top-level parser's sub-commands, by name (old ones too)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._refuse_two_spellings(list(sys.argv[1:] if args is None else args))
        return super().parse_known_args(args, namespace)

    def _refuse_two_spellings(self, args: list[str]) -> None:
        """``--saida g2 --out g3`` would silently keep the last: an option given under its new and old names is an
        error (this parser's options only: a sub-command's are checked by its own parser)."""
        if "--" in args:
            args = args[: args.index("--")]
        given = {arg.split("=", 1)[0] for arg in args if arg.startswith("--")}
        for action in self._actions:
            hidden: frozenset[str] = getattr(action, _HIDDEN, frozenset())
            used = [option for option in action.option_strings if option in given]
            if hidden and len(used) > 1:
                new = _shown(action).option_strings[0]
                old = ", ".join(option for option in used if option != new)
                self.error(f"a opção {new} foi dada também como {old}, seu nome antigo: use só {new}")

    def error(self, message: str) -> NoReturn:
        for action in self._actions:
            if getattr(action, _HIDDEN, None):  # argparse names an option by all its spellings: show only the new
                message = message.replace("/".join(action.option_strings), _shown(action).option_strings[0])
        for old in LEGACY_COMMANDS:
            message = message.replace(f", {old!r}", "")
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
    parser.commands = sub.choices
    return parser


def parse(parser: ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv``; an argument no parser took is reported by the sub-command it was given to ("homologa pacote:
    erro: ..."), not by the top-level parser (argparse's default)."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        owner = parser.commands.get(getattr(args, "command", None) or "", parser)
        owner.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    try:
        code: int = args.func(args)
    except UsageError as exc:
        print(f"homologa {getattr(args, 'command_name', args.command)}: erro: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("homologa: interrompido", file=sys.stderr)
        return 130
    return code
