"""The burst's options in Locust's parser (CLI and the web UI's start form), defaults from ``homologacao.toml``.

Locust-bound (its parser takes ``include_in_web_ui``): only ``loadtests/locustfile.py`` and the other
``locust_*`` modules import this module.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from homologa.load.settings import OPTIONS, defaults_from, profile_path_from_argv, read_profile
from homologa.profile import ProfileError

# the master's draw of a fresh --first-index, an extra attribute of the parsed options: Locust hands the master's
# custom options to every worker with each spawn message, so every process renders the same customers
FRESH_FIRST_INDEX = "homologa_fresh_first_index"


def chose_customers(options: Any) -> bool:
    """Did the person fix the customers (``--seed`` or ``--first-index``)? If not, every burst draws fresh ones."""
    return any(str(getattr(options, name, "") or "").strip() for name in ("semente", "índice_inicial"))


class _CepRanges(argparse.Action):
    """``--cep-range`` is repeatable and takes comma lists; the first one given replaces the profile's default."""

    def __call__(
        self, parser: argparse.ArgumentParser, ns: argparse.Namespace, values: Any, option: str | None = None
    ) -> None:
        seen = getattr(ns, "_cep_range_given", False)
        current = getattr(ns, self.dest, "") if seen else ""
        setattr(ns, self.dest, f"{current},{values}" if current else str(values))
        ns._cep_range_given = True


def add_arguments(parser: Any) -> None:
    """The profile's own options, in the CLI and in the web UI's start form (defaults from homologacao.toml)."""
    try:
        profile = read_profile(profile_path_from_argv())
    except ProfileError as exc:
        sys.stderr.write(f"homologa carga: erro: {exc}\n")
        raise SystemExit(2) from None
    d = defaults_from(profile)
    # the web UI listens on loopback unless --web-host says otherwise
    parser.set_defaults(web_host="127.0.0.1")
    # a stop (time limit, step search, the stop button) lets requests in flight get their answer and be counted
    parser.set_defaults(stop_timeout=d.timeout)
    if profile is not None and profile.target:
        parser.set_defaults(host=profile.target)
    # Locust's own add_argument takes include_in_web_ui (its argument groups do not): no group here. The web UI lists
    # the parameters in this order (see install_web_ui) under their Portuguese dest (settings.OPTIONS); the help
    # text starts with the group, so the essentials come first and the fine-tuning last.
    parser.add_argument(
        "--homologa-profile",
        default=str(profile.path) if profile and profile.path else "",
        help="homologacao.toml com os padrões (faixas de CEP, clientes, taxa, orçamento)",
        include_in_web_ui=False,
    )
    seed_help = "vazio = clientes novos, nunca enviados; um número repete os clientes dessa semente"
    specs: dict[str, tuple[dict[str, Any], str, bool]] = {
        "--customers": ({"type": int, "default": d.customers}, "essencial: quantos clientes a rajada envia", True),
        "--cep-range": (
            {"action": _CepRanges, "default": ",".join(d.cep_ranges)},
            "essencial: faixa(s) de CEP dos clientes, ex.: 01000000-19999999 (lista com vírgulas)",
            True,
        ),
        "--rate": (
            {"type": float, "default": d.rate},
            "essencial: clientes por segundo no patamar; 0 = sem limite",
            True,
        ),
        "--p95-budget-ms": ({"type": float, "default": d.p95_budget_ms}, "essencial: latência p95 aceita, em ms", True),
        "--accepted-failure-ratio": (
            {"type": float, "default": d.accepted_failure_ratio},
            "essencial: fração de falhas aceita, de 0 a 1 (0 = nenhuma)",
            True,
        ),
        "--seed": ({"default": ""}, f"clientes: {seed_help}", True),
        "--first-index": (
            {"default": ""},
            "clientes: índice do primeiro cliente no gerador (com a semente, repete exatamente uma rajada)",
            True,
        ),
        "--replay": (
            {"action": "store_true", "default": False},
            "clientes: já foram enviados a este ERP, esperar APV/RPV em vez de PEN",
            True,
        ),
        "--resume": (
            {"action": "store_true", "default": False},
            "clientes: continuar a rajada interrompida do diário na pasta do resultado (mesmo comando)",
            True,
        ),
        "--resend-share": (
            {"type": float, "default": d.resend_share},
            "clientes: fração de reenvios (mesmo CNPJ, dados alterados), de 0 a 1",
            True,
        ),
        "--shape": (
            {"choices": ("golive", "degraus"), "default": d.shape},
            "forma: golive = rampa até a taxa e mantém até enviar todos; degraus = sobe a taxa até quebrar",
            True,
        ),
        "--concurrency": (
            {"type": int, "default": 0},
            "forma: usuários virtuais no patamar; 0 = taxa × orçamento (os campos de usuários do Locust não valem)",
            True,
        ),
        "--max-users": ({"type": int, "default": d.max_users}, "forma: limite de usuários virtuais", True),
        "--ramp": ({"type": float, "default": d.ramp_seconds}, "forma: segundos da rampa até o patamar", True),
        "--step-seconds": ({"type": float, "default": d.step_seconds}, "degraus: duração de cada degrau (s)", True),
        "--steps": ({"type": int, "default": d.steps}, "degraus: número máximo de degraus", True),
        "--max-seconds": (
            {"type": float, "default": 0.0},
            "limites: tempo máximo da rajada em s (0 = até enviar todos)",
            True,
        ),
        "--timeout": ({"type": float, "default": d.timeout}, "limites: segundos por requisição", True),
        "--collapse-p95-factor": (
            {"type": float, "default": d.collapse_p95_factor},
            "colapso: parar se o p95 recente passar deste múltiplo do orçamento pela janela toda (0 = nunca)",
            True,
        ),
        "--collapse-failure-ratio": (
            {"type": float, "default": d.collapse_failure_ratio},
            "colapso: parar se mais que esta fração das respostas da janela falhar (0 = nunca)",
            True,
        ),
        "--collapse-window": (
            {"type": float, "default": d.collapse_window},
            "colapso: segundos que a condição precisa durar para parar a rajada",
            True,
        ),
        "--validate-share": (
            {"type": float, "default": d.validate_share},
            "ajuste fino: fração das respostas validadas no XSD (status e eco: todas)",
            True,
        ),
        "--chunk": ({"type": int, "default": d.chunk}, "tamanho máximo da fatia de índices por pedido", False),
        "--report-dir": ({"default": d.report_dir}, "pasta do resultado (resultado.json, resultado.txt)", False),
        "--contract": ({"default": d.contract}, "contrato: pacote de contrato do alvo (1, v1-soap ou uma pasta)", True),
    }
    for dest, flag, _ in OPTIONS:
        kwargs, text, in_ui = specs[flag]
        parser.add_argument(flag, dest=dest, help=text, include_in_web_ui=in_ui, **kwargs)
