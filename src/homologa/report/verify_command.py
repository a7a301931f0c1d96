"""``homologa verificar``: check a homologation package against its manifest (tamper evidence)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from homologa.cli import UsageError
from homologa.report.archive import ArchiveError, open_archive
from homologa.report.verify import verify

EXIT_TAMPERED = 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verificar",
        help="confere um pacote de homologação: hashes, contrato, mensagens golden e veredito",
        description=(
            "Recalcula o SHA-256 de cada arquivo do pacote, confere o contrato e as mensagens golden com os "
            "distribuídos por esta versão do homologa e o veredito com os resultados dentro do pacote. "
            "Aponta arquivos alterados, ausentes ou a mais. Evidência de adulteração, não assinatura."
        ),
    )
    parser.add_argument("arquivo", metavar="ARQUIVO.zip", help="pacote gerado por homologa pacote")
    parser.add_argument("--selo", metavar="SHA256", help="selo recebido por outro canal, para conferir o manifesto")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        archive = open_archive(args.arquivo)
        result = verify(archive, args.selo)
    except ArchiveError as exc:
        raise UsageError(str(exc)) from None
    for note in result.notes:
        print(f"aviso: {note}")
    if result.problems:
        print(f"PACOTE ADULTERADO OU INCONSISTENTE: {args.arquivo}", file=sys.stderr)
        for problem in result.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_TAMPERED
    manifest = archive.manifest
    print(f"pacote íntegro: {args.arquivo}")
    print(f"  {len(manifest['arquivos'])} arquivos conferidos; veredito: {manifest.get('veredito')}")
    print(f"  selo: {manifest.get('selo')}")
    print("  (evidência de adulteração: confira o selo com o recebido por outro canal; não é assinatura)")
    return 0
