"""What a load run's ``resultado.json`` says about itself, so a report attaches it only to the same target.

Target identity (:func:`homologa.target.target_identity`, secret-free), the plan (CEP ranges, customers, re-sends,
seed), the contract pack and the times. Pure: no locust, no gevent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from homologa import __version__
from homologa.contract import load_pack
from homologa.load.settings import LoadSettings
from homologa.secrets import mask_url
from homologa.target import target_identity


def now_iso() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="seconds")


def identity(host: str, settings: LoadSettings, started: str | None) -> dict[str, Any]:
    pack = load_pack(settings.contract)
    return {
        "alvo": mask_url(host),
        "alvo_id": target_identity(host),
        "plano": {
            "faixas_cep": list(settings.cep_ranges),
            "clientes": settings.customers,
            "reenvios": settings.resend_share,
            "semente": settings.seed,
            "primeiro_indice": settings.first_index,
            "repeticao": settings.replay,
        },
        "contrato": {"versao": pack.version, "nome": pack.name, "sha256": pack.sha256},
        "homologa": __version__,
        "inicio": started,
        "fim": now_iso(),
    }
