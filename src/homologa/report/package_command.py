"""``homologa pacote``: the tamper-evident homologation package (zip with report, summary, results, manifest)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from homologa.cli import UsageError
from homologa.report.command import add_common, make_report, optional_profile
from homologa.report.package import PackageError, write_package


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pacote",
        help="gera o pacote de homologação (zip com relatório, resumo, resultados e manifesto com SHA-256)",
        description=(
            "Gera o relatório e o resumo a partir dos resultados e empacota tudo em "
            "reports/homologacao-<CNPJ ou nome>-<AAAAMMDD>-<HHMMSS>-<selo8>.zip (nunca sobrescreve) com "
            "manifesto.json (SHA-256 de cada arquivo, do "
            "contrato e das mensagens golden, alvo e perfil com segredos mascarados, horários e veredito). "
            "É evidência de adulteração, não uma assinatura da plataforma."
        ),
    )
    add_common(parser)
    parser.add_argument("--saida", metavar="PASTA", default="reports", help="pasta do pacote (padrão: reports)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    profile = optional_profile(args.perfil)
    with tempfile.TemporaryDirectory(prefix="homologa-pacote-") as tmp:
        report = make_report(args, Path(tmp) / "relatorio", Path(tmp))
        load_dir = Path(args.carga)
        try:
            outcome = write_package(report, profile, load_dir if load_dir.is_dir() else None, Path(args.saida))
        except PackageError as exc:
            raise UsageError(str(exc)) from None
    manifest = outcome.manifest
    print(f"pacote: {outcome.path} ({len(manifest['arquivos'])} arquivos)")
    print(f"veredito: {manifest['veredito']}")
    print(f"selo (SHA-256 do manifesto): {manifest['selo']}")
    print(f"confira com: homologa verificar {outcome.path}")
    return 0
