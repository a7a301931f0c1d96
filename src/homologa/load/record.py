"""What a load run's ``resultado.json`` says about itself, so a report attaches it only to the same target.

Target identity (:func:`homologa.target.target_identity`, secret-free), the plan (CEP ranges, customers, re-sends,
seed), the shape (``golive`` or the ``degraus`` capacity search: only a go-live burst signs off R6), the limits the
burst was judged against, the contract pack and the times; :func:`plan_identity`, the short hash master and workers
compare before a slice changes hands. Pure: no locust, no gevent.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from homologa import __version__
from homologa.contract import load_pack
from homologa.load.settings import LoadSettings
from homologa.secrets import mask_url
from homologa.target import target_identity


def now_iso() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="seconds")


def plan_of(settings: LoadSettings) -> dict[str, Any]:
    """Which customers the burst sends: CEP ranges, customers, re-send share, seed, first index, replay."""
    return {
        "faixas_cep": list(settings.cep_ranges),
        "clientes": settings.customers,
        "reenvios": settings.resend_share,
        "semente": settings.seed,
        "primeiro_indice": settings.first_index,
        "repeticao": settings.replay,
    }


def identity(host: str, settings: LoadSettings, started: str | None) -> dict[str, Any]:
    pack = load_pack(settings.contract)
    return {
        "alvo": mask_url(host),
        "alvo_id": target_identity(host),
        "plano": plan_of(settings),
        "forma": settings.shape,
        "limites": {
            "p95_ms": settings.p95_budget_ms,
            "falhas_aceitas": settings.accepted_failure_ratio,
            "fracao_validada": settings.validate_share,
        },
        "contrato": {"versao": pack.version, "nome": pack.name, "sha256": pack.sha256},
        "homologa": __version__,
        "inicio": started,
        "fim": now_iso(),
    }


def plan_identity(host: str, settings: LoadSettings, pack_sha256: str) -> str:
    """A short hash of everything that decides which message each index is: target, CEP ranges, customers,
    re-send share, seed, first index, replay and the contract pack (by content). Two processes with different
    identities would send different customers for the same index, or indices the other's plan does not have."""
    plan = {"alvo_id": target_identity(host), **plan_of(settings), "contrato": pack_sha256}
    return hashlib.sha256(json.dumps(plan, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def plan_summary(settings: LoadSettings) -> str:
    """The plan in a few words (pt-BR), for the line that refuses a process of another plan."""
    return (
        f"{settings.customers} clientes, faixas {', '.join(settings.cep_ranges)}, semente {settings.seed},"
        f" índice inicial {settings.first_index}"
    )


def foreign_plan(theirs: object, ours: str, who: str, this: str, summary: str) -> str | None:
    """None when the other process's plan identity ``theirs`` is ``ours``; else why a slice must not change hands
    (pt-BR): ``who`` is the other process ("o trabalhador X", "o mestre"), ``this`` this one, ``summary`` its plan."""
    if theirs == ours:
        return None
    shown = theirs if isinstance(theirs, str) and theirs else "sem identificação: outra versão do homologa?"
    return (
        f"{who} é de outro plano ({shown}) que {this} ({ours}: {summary}); reinicie os trabalhadores depois do"
        " mestre, com a mesma versão do homologa e o mesmo pacote de contrato"
    )
