"""``homologa comparar``: what changed between two homologation packages.

Both packages are verified first (as ``homologa verificar`` does): an altered package is refused (exit 1), an
unreadable or hostile one too (exit 2), since a comparison with a forged side would be worse than none. When the
verdict got worse from A to B (order of :data:`homologa.judgement.ORDER`), the exit code is 3, so a CI job that
re-homologates after an ERP change can stop on it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from homologa.cli import UsageError
from homologa.judgement import worse
from homologa.report.archive import Archive, ArchiveError, open_archive
from homologa.report.compare import compare
from homologa.report.verify import verify
from homologa.report.verify_command import EXIT_INTACT, EXIT_TAMPERED, report_problems

EXIT_WORSE = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "comparar",
        help="mostra o que mudou entre dois pacotes de homologação (regras e carga)",
        description="Confere os dois pacotes (como homologa verificar) e compara (antes e depois de uma mudança "
        "no ERP): regras que passaram a falhar ou deixaram de falhar, números da carga e veredito. "
        "Saída: 0 sem piora, 3 veredito piorou, 1 pacote alterado, 2 pacote ilegível ou recusado.",
    )
    parser.add_argument("antes", metavar="A.zip", help="pacote anterior")
    parser.add_argument("depois", metavar="B.zip", help="pacote novo")
    parser.set_defaults(func=run)


def _checked(path: str) -> tuple[Archive, int]:
    try:
        archive = open_archive(path)
    except ArchiveError as exc:
        raise UsageError(str(exc)) from None
    return archive, report_problems(path, verify(archive))


def run(args: argparse.Namespace) -> int:
    before, code_a = _checked(args.antes)
    after, code_b = _checked(args.depois)
    if code_a or code_b:
        print("comparação recusada: um pacote alterado ou ilegível não se compara", file=sys.stderr)
        return EXIT_TAMPERED if EXIT_TAMPERED in (code_a, code_b) else max(code_a, code_b)
    print(f"de {before.path.name} para {after.path.name}:")
    for line in compare(before, after):
        print(line)
    va, vb = str(before.manifest.get("veredito")), str(after.manifest.get("veredito"))
    if worse(va, vb):
        print(f"o veredito piorou: {va} → {vb}")
        return EXIT_WORSE
    return EXIT_INTACT
