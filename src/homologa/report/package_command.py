"""``homologa pacote``: the tamper-evident homologation package of one run (report, summary, results, manifest)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from homologa.cli import UsageError
from homologa.report.build import EMBEDDED_BANNER, is_embedded
from homologa.report.command import add_common, describe, make_report, selected_run
from homologa.report.package import PackageError, write_package


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pacote",
        help="gera o pacote de homologação de uma execução (zip com relatório, resumo, resultados e manifesto)",
        description=(
            "Gera o relatório e o resumo de uma execução e empacota tudo em reports/homologacao-<CNPJ ou nome>-"
            "<AAAAMMDD>-<HHMMSS>-<selo8>.zip (nunca sobrescreve) com manifesto.json (SHA-256 de cada arquivo, do "
            "contrato e das mensagens golden, o registro da execução, alvo mascarado, horários e veredito). É "
            "evidência de adulteração, não uma assinatura da plataforma."
        ),
    )
    add_common(parser)
    parser.add_argument("--saida", metavar="PASTA", default="reports", help="pasta do pacote (padrão: reports)")
    parser.add_argument(
        "--demonstracao",
        action="store_true",
        help="permite empacotar uma execução contra o distribuidor embutido (marcada como DEMONSTRAÇÃO)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    chosen = selected_run(args)
    if is_embedded(chosen.record) and not args.demonstracao:
        raise UsageError(
            f"a execução {chosen.id} foi contra o distribuidor embutido, não contra um ERP: não é uma homologação. "
            "Rode `pytest suites --target URL-do-ERP` (ou use --demonstracao para um pacote de demonstração)"
        )
    with tempfile.TemporaryDirectory(prefix="homologa-pacote-") as tmp:
        report = make_report(args, chosen, Path(tmp) / "relatorio", Path(tmp))
        try:
            outcome = write_package(report, Path(args.saida))
        except PackageError as exc:
            raise UsageError(str(exc)) from None
    manifest = outcome.manifest
    print(f"pacote: {outcome.path} ({len(manifest['arquivos'])} arquivos)")
    if is_embedded(chosen.record):
        print(EMBEDDED_BANNER)
    describe(report)
    for line in manifest.get("carga_fora_do_pacote") or []:
        print(f"carga: fora do pacote, de outra rajada: {line}")
    print(f"selo (SHA-256 do manifesto): {manifest['selo']}")
    print(f"confira com: homologa verificar {outcome.path}")
    return 0
