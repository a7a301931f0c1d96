"""``homologa verificar``: check a homologation package against its manifest (tamper evidence)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from homologa.cli import UsageError
from homologa.report.archive import ArchiveError, open_archive
from homologa.report.verify import Verification, verify

EXIT_INTACT = 0
EXIT_TAMPERED = 1  # a hash, the seal or the verdict does not match: the package was altered
EXIT_UNREADABLE = 2  # not a package, malformed, or refused as hostile: nothing says it was altered


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verificar",
        help="confere um pacote de homologação: hashes, contrato, mensagens golden e veredito",
        description=(
            "Recalcula o SHA-256 de cada arquivo do pacote, confere o contrato e as mensagens golden com os "
            "distribuídos por esta versão do homologa e o veredito com os resultados dentro do pacote. "
            "Aponta arquivos alterados, ausentes ou a mais. Recusa zips hostis (nomes repetidos ou inseguros, "
            "membros criptografados, compressão desconhecida, tamanhos acima dos limites). Evidência de "
            "adulteração, não assinatura. Saída: 0 íntegro, 1 alterado ou inconsistente, 2 ilegível ou recusado."
        ),
    )
    parser.add_argument("arquivo", metavar="ARQUIVO.zip", help="pacote gerado por homologa pacote")
    parser.add_argument("--selo", metavar="SHA256", help="selo recebido por outro canal, para conferir o manifesto")
    parser.set_defaults(func=run)


def report_problems(path: str, result: Verification) -> int:
    """Print what is wrong with a package (stderr) and return the exit code; 0 when nothing is."""
    for note in result.notes:
        print(f"aviso: {note}")
    if result.altered:
        print(f"PACOTE ADULTERADO OU INCONSISTENTE: {path}", file=sys.stderr)
        for problem in [*result.problems, *result.unreadable]:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_TAMPERED
    if result.unreadable:
        print(f"PACOTE ILEGÍVEL: {path}", file=sys.stderr)
        for problem in result.unreadable:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_UNREADABLE
    return EXIT_INTACT


def run(args: argparse.Namespace) -> int:
    try:
        archive = open_archive(args.arquivo)
        result = verify(archive, args.selo)
    except ArchiveError as exc:
        raise UsageError(str(exc)) from None
    code = report_problems(args.arquivo, result)
    if code:
        return code
    manifest = archive.manifest
    print(f"pacote íntegro: {args.arquivo}")
    print(f"  {len(manifest['arquivos'])} arquivos conferidos; veredito: {manifest.get('veredito')}")
    run = manifest.get("execucao")
    if isinstance(run, dict) and run.get("id"):
        print(f"  execução: {run.get('id')}; alvo: {manifest.get('alvo')}")
    if manifest.get("demonstracao"):
        print("  DEMONSTRAÇÃO: execução contra o distribuidor embutido do homologa; não homologa nenhum ERP")
    print(f"  selo: {manifest.get('selo')}")
    print("  (evidência de adulteração: confira o selo com o recebido por outro canal; não é assinatura)")
    return 0
