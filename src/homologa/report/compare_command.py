"""``homologa comparar``: what changed between two homologation packages."""

from __future__ import annotations

import argparse
from typing import Any

from homologa.cli import UsageError
from homologa.report.archive import ArchiveError, open_archive
from homologa.report.compare import compare


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "comparar",
        help="mostra o que mudou entre dois pacotes de homologação (regras e carga)",
        description="Compara dois pacotes (antes e depois de uma mudança no ERP): regras que passaram a falhar "
        "ou deixaram de falhar, números da carga e veredito.",
    )
    parser.add_argument("antes", metavar="A.zip", help="pacote anterior")
    parser.add_argument("depois", metavar="B.zip", help="pacote novo")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        before, after = open_archive(args.antes), open_archive(args.depois)
    except ArchiveError as exc:
        raise UsageError(str(exc)) from None
    print(f"de {before.path.name} para {after.path.name}:")
    for line in compare(before, after):
        print(line)
    return 0
