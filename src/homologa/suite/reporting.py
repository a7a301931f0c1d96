"""Allure evidence for the homologation sign-off: labels, steps with the XML exchanged, and the run's metadata.

Everything goes through allure-pytest's public API (``allure.dynamic``, ``allure.step``, ``allure.attach``), which
does nothing when no results directory is set. The results directory gets ``environment.properties`` (target
masked), ``executor.json`` and ``categories.json`` (Allure 2); ``reports/allurerc.mjs`` carries the same categories
for Allure 3.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import allure

from homologa import __version__, allure3
from homologa.rules import rule
from homologa.runs import RUN_LABEL
from homologa.suite.client import Exchange
from homologa.suite.errors import CATEGORIES
from homologa.suite.options import Settings

EPIC = "Contrato v1 — cadastro de clientes"
BEST_PRACTICE_CATEGORY = "boa prática não atendida (consultiva)"


def label_test(code: str, story: str, settings: Settings, params: dict[str, str], run_id: str | None = None) -> None:
    """Epic/feature/story from the rule, severity (blocker for R*, minor for B*), suite parameters (at set-up), and
    the run's id (label ``execucao``: a report counts only the results of the run it describes)."""
    r = rule(code)
    dynamic: Any = allure.dynamic  # allure-pytest's API is untyped
    dynamic.epic(EPIC)
    dynamic.feature(f"{r.code} · {r.name}")
    dynamic.story(story)
    dynamic.severity(allure.severity_level.BLOCKER if r.blocking else allure.severity_level.MINOR)
    dynamic.tag(r.code)
    if run_id:
        dynamic.label(RUN_LABEL, run_id)
    for name, value in params.items():
        dynamic.parameter(name, value)
    dynamic.parameter("alvo", settings.masked_target)
    if settings.protected_fields:
        dynamic.parameter("campos protegidos", ", ".join(settings.protected_fields))


def title_test(title: str, code: str) -> None:
    """The pt-BR title and the rule's statement (during the call: allure-pytest sets both after set-up)."""
    dynamic: Any = allure.dynamic
    dynamic.title(title)
    dynamic.description(f"{title}.\n\nRegra {code}: {rule(code).statement}.")


@contextmanager
def step(title: str) -> Iterator[None]:
    with allure.step(title):
        yield


def attach_exchange(exchange: Exchange, curl: str) -> None:
    """The request and answer of one step, as XML attachments, plus a one-look summary and the curl line."""
    allure.attach(exchange.request, name="pedido CadastroCliente", attachment_type=allure.attachment_type.XML)
    if exchange.body:
        looks_xml = exchange.body.lstrip()[:1] == b"<"
        kind = allure.attachment_type.XML if looks_xml else allure.attachment_type.TEXT
        allure.attach(exchange.excerpt(64 * 1024), name="resposta", attachment_type=kind)
    summary = (
        f"POST {exchange.url}\n"
        + "".join(f"{k}: {v}\n" for k, v in exchange.request_headers.items())
        + f"\nHTTP {exchange.status} · Content-Type {exchange.content_type} · {exchange.elapsed:.3f} s\n"
        + (f"falha de transporte: {exchange.transport_error}\n" if exchange.transport_error else "")
        + f"\n{curl}\n"
    )
    allure.attach(summary, name="resumo e curl", attachment_type=allure.attachment_type.TEXT)


def attach_text(text: str, name: str) -> None:
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def categories() -> list[dict[str, Any]]:
    """Allure 2 categories (``categories.json``): one per failure category, plus best practice and harness faults."""
    found: list[dict[str, Any]] = [
        {
            "name": name,
            "description": description,
            "messageRegex": f"(?s).*\\[{name}\\].*",
            "matchedStatuses": ["failed"],
        }
        for name, description in CATEGORIES.items()
    ]
    found.append(
        {
            "name": BEST_PRACTICE_CATEGORY,
            "description": "B1/B2 não atendidas; só bloqueiam a homologação com --strict",
            "messageRegex": "(?s).*boa prática.*",
            "matchedStatuses": ["skipped"],
        }
    )
    found.append(
        {
            "name": "falha do próprio homologa",
            "description": "o harness não conseguiu rodar o cenário (não é defeito do distribuidor)",
            "matchedStatuses": ["broken"],
        }
    )
    return found


def write_run_metadata(
    results_dir: Path, settings: Settings, contract_version: str, pack_sha256: str, seed: int, *, pack_name: str = "v1"
) -> None:
    """``environment.properties``, ``executor.json`` and ``categories.json`` in the results directory."""
    results_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "alvo": settings.masked_target,
        "origem.do.alvo": settings.target_source,
        "contrato.versao": contract_version,
        "contrato.pacote": pack_name,
        "contrato.sha256": pack_sha256,
        "homologa.versao": __version__,
        "data": datetime.now(UTC).isoformat(timespec="seconds"),
        "semente.clientes": str(seed),
        "timeout.s": f"{settings.timeout:g}",
        "campos.protegidos": ", ".join(settings.protected_fields) or "(nenhum)",
        "estrito": "sim" if settings.strict else "não",
        "latencia.p95.orcamento.ms": f"{settings.p95_budget_ms:g}",
        "python": platform.python_version(),
    }
    lines = [f"{key}={_escape_property(value)}" for key, value in env.items()]
    (results_dir / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")
    executor = {
        "name": "homologa",
        "type": "homologa",
        "buildName": f"homologa {__version__} — contrato {pack_name}",
        "reportName": "Homologação do cadastro de clientes",
    }
    (results_dir / "executor.json").write_text(json.dumps(executor, ensure_ascii=False, indent=2), encoding="utf-8")
    (results_dir / "categories.json").write_text(
        json.dumps(categories(), ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _escape_property(value: str) -> str:
    """A Java .properties value: backslashes, line breaks and non-ASCII escaped."""
    out = value.replace("\\", "\\\\").replace("\n", " ")
    return "".join(c if ord(c) < 128 else f"\\u{ord(c):04x}" for c in out)


REPORT_NAME = "Homologação do cadastro de clientes — contrato v1"
ALLURERC_NOTE = (
    "Allure 3: configuração do relatório de homologação, com as mesmas categorias de reports/categories.json",
    "(que o Allure 2 lê da pasta de resultados). Gerado por: python -m homologa.suite.reporting reports",
    "Uso: homologa relatorio (escreve uma igual para cada execução, com as categorias dela; ver docs/suite.md)",
)


def allurerc_text() -> str:
    """``reports/allurerc.mjs``: the Allure 3 configuration with the same categories as ``categories.json``."""
    return allure3.config_text(REPORT_NAME, categories(), ALLURERC_NOTE)


def categories_json_text() -> str:
    return json.dumps(categories(), ensure_ascii=False, indent=2) + "\n"


def write_report_config(reports_dir: Path) -> None:
    """Write ``categories.json`` and ``allurerc.mjs`` (the report configuration kept in git)."""
    (reports_dir / "categories.json").write_text(categories_json_text(), encoding="utf-8")
    (reports_dir / "allurerc.mjs").write_text(allurerc_text(), encoding="utf-8")


if __name__ == "__main__":
    import sys

    write_report_config(Path(sys.argv[1] if len(sys.argv) > 1 else "reports"))
