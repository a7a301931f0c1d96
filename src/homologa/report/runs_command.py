"""``homologa execucoes``: the runs kept under ``reports/execucoes`` (id, state, verdict, target), newest last."""

from __future__ import annotations

import argparse
from typing import Any

from homologa.runs import base_dir, list_runs


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "execucoes",
        help="lista as execuções da suíte guardadas (id, estado, veredito, alvo)",
        description=(
            "Lista as execuções de `pytest suites` guardadas em reports/execucoes (ou $HOMOLOGA_EXECUCOES), da "
            "mais antiga para a mais nova. Use o id com `homologa relatorio --execucao ID` ou `homologa pacote "
            "--execucao ID`; sem --execucao, vale a última concluída."
        ),
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    base = base_dir()
    runs = list_runs(base)
    if not runs:
        print(f"nenhuma execução em {base} (rode: pytest suites --target URL)")
        return 0
    print(f"execuções em {base}:")
    for item in runs:
        target = item.record.get("alvo") or {}
        shown = "distribuidor embutido (demonstração)" if item.embedded else target.get("url", "?")
        selection = item.record.get("selecao") or {}
        partial = " · parcial" if selection.get("desmarcados") else ""
        print(f"  {item.id}  {item.state:<12} {item.verdict:<22} {shown}{partial}")
    return 0
