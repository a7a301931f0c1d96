"""``homologa relatorio``: the offline single-file Allure report and the one-page summary."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from homologa.cli import UsageError
from homologa.profile import Profile, ProfileError, load_profile
from homologa.report import allure_cli
from homologa.report.build import ReportError, ReportInputs, build_report
from homologa.report.results import ResultsError
from homologa.report.tally import TallyError

DEFAULT_PROFILE = "homologacao.toml"
DEFAULT_RESULTS = "reports/allure-results"
DEFAULT_REPORT = "reports/allure-report"
DEFAULT_LOAD = "reports/carga"


def optional_profile(value: str | None) -> Profile | None:
    """The profile named on the command line (must exist), else ``homologacao.toml`` if present, else none."""
    if value is None:
        if not Path(DEFAULT_PROFILE).is_file():
            return None
        value = DEFAULT_PROFILE
    try:
        return load_profile(value)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--perfil", metavar="ARQUIVO", help=f"perfil do distribuidor (padrão: {DEFAULT_PROFILE}, se existir)"
    )
    parser.add_argument(
        "--resultados", metavar="PASTA", default=DEFAULT_RESULTS, help=f"resultados Allure (padrão: {DEFAULT_RESULTS})"
    )
    parser.add_argument(
        "--carga", metavar="PASTA", default=DEFAULT_LOAD, help=f"saída da carga Locust (padrão: {DEFAULT_LOAD})"
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "relatorio",
        help="gera o relatório Allure offline (um único HTML) e o resumo da homologação",
        description=(
            "Gera reports/allure-report/index.html (um único arquivo que abre sem rede) a partir dos resultados "
            "Allure, e o resumo de uma página reports/resumo.html e reports/resumo.md."
        ),
    )
    add_common(parser)
    parser.add_argument(
        "--saida", metavar="PASTA", default=DEFAULT_REPORT, help=f"pasta do relatório (padrão: {DEFAULT_REPORT})"
    )
    parser.add_argument("--resumo", metavar="PASTA", help="pasta do resumo (padrão: a pasta acima de --saida)")
    parser.set_defaults(func=run)


def make_report(args: argparse.Namespace, output: Path, summary_dir: Path) -> Any:
    profile = optional_profile(args.perfil)
    inputs = ReportInputs(
        results_dir=Path(args.resultados),
        output_dir=output,
        summary_dir=summary_dir,
        load_dir=Path(args.carga),
        profile=profile,
    )
    try:
        return build_report(inputs)
    except (ResultsError, TallyError, allure_cli.AllureError, ReportError) as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    output = Path(args.saida)
    summary_dir = Path(args.resumo) if args.resumo else output.parent
    outcome = make_report(args, output, summary_dir)
    tests = outcome.results.tests
    print(f"relatório: {outcome.index} ({len(tests)} cenários; abre direto do disco, sem rede)")
    print(f"resumo: {outcome.summary_html} e {outcome.summary_md}")
    if outcome.tally is None:
        print("carga: não fez parte desta sessão")
    print(f"veredito: {outcome.verdict}")
    return 0
