"""``homologa relatorio``: the offline single-file Allure report and the one-page summary of one run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from homologa.cli import UsageError
from homologa.profile import ProfileError, load_profile
from homologa.report import allure_cli, secretscan
from homologa.report.build import ReportError, ReportInputs, ReportOutcome, build_report
from homologa.report.results import ResultsError
from homologa.report.run_evidence import EvidenceError, choose_run
from homologa.report.tally import TallyError
from homologa.runs import Run

DEFAULT_PROFILE = "homologacao.toml"
DEFAULT_REPORT = "reports/allure-report"
DEFAULT_LOAD = "reports/carga"


def profile_secrets(value: str | None) -> tuple[str, ...]:
    """Secrets of the profile named with ``--perfil`` (else ``homologacao.toml`` if present): only scanned for.

    The run is described by its own record; the profile is read here only so that none of its secrets can ship.
    """
    if value is None:
        if not Path(DEFAULT_PROFILE).is_file():
            return ()
        value = DEFAULT_PROFILE
    try:
        return tuple(secretscan.profile_secrets(load_profile(value)))
    except ProfileError as exc:
        raise UsageError(str(exc)) from None


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--execucao",
        metavar="ID|PASTA",
        help="a execução da suíte a relatar: id (ou começo do id), ou a pasta; padrão: a última concluída "
        "(veja: homologa execucoes)",
    )
    parser.add_argument(
        "--perfil",
        metavar="ARQUIVO",
        help=f"perfil cujos segredos não podem aparecer nas evidências (padrão: {DEFAULT_PROFILE}, se existir); "
        "não muda o que a execução registrou",
    )
    parser.add_argument(
        "--carga",
        metavar="PASTA",
        help="saída de uma carga Locust a anexar (precisa ser do mesmo alvo); padrão: a carga da própria "
        f"execução, senão {DEFAULT_LOAD} se for do mesmo alvo",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "relatorio",
        help="gera o relatório Allure offline (um único HTML) e o resumo de uma execução",
        description=(
            "Gera reports/allure-report/index.html (um único arquivo que abre sem rede) e o resumo de uma página "
            "reports/resumo.html e reports/resumo.md, a partir do registro e dos resultados de uma execução "
            "(reports/execucoes/<id>/)."
        ),
    )
    add_common(parser)
    parser.add_argument(
        "--saida", metavar="PASTA", default=DEFAULT_REPORT, help=f"pasta do relatório (padrão: {DEFAULT_REPORT})"
    )
    parser.add_argument("--resumo", metavar="PASTA", help="pasta do resumo (padrão: a pasta acima de --saida)")
    parser.set_defaults(func=run)


def selected_run(args: argparse.Namespace) -> Run:
    try:
        return choose_run(args.execucao)
    except EvidenceError as exc:
        raise UsageError(str(exc)) from None


def make_report(args: argparse.Namespace, run: Run, output: Path, summary_dir: Path) -> ReportOutcome:
    inputs = ReportInputs(
        run=run,
        output_dir=output,
        summary_dir=summary_dir,
        load_dir=Path(args.carga) if args.carga else None,
        shared_load_dir=Path(DEFAULT_LOAD),
        extra_secrets=profile_secrets(args.perfil),
    )
    try:
        return build_report(inputs)
    except (ResultsError, TallyError, allure_cli.AllureError, ReportError, EvidenceError) as exc:
        raise UsageError(str(exc)) from None


def describe(outcome: ReportOutcome) -> None:
    print(f"execução: {outcome.run.id} ({outcome.run.folder})")
    if outcome.ignored:
        print(f"resultados de outras execuções ignorados: {outcome.ignored}")
    print(f"carga: {outcome.load.note}")
    print(f"veredito: {outcome.judgement.line}")


def run(args: argparse.Namespace) -> int:
    output = Path(args.saida)
    summary_dir = Path(args.resumo) if args.resumo else output.parent
    chosen = selected_run(args)
    outcome = make_report(args, chosen, output, summary_dir)
    print(f"relatório: {outcome.index} ({len(outcome.results.tests)} cenários; abre direto do disco, sem rede)")
    print(f"resumo: {outcome.summary_html} e {outcome.summary_md}")
    describe(outcome)
    return 0
