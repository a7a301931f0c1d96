"""The load run's tally: how many customers the go-live burst sent, at what rate, its p95 and failures by category.

The load run writes it as ``reports/carga/resultado.json`` and its pytest test attaches the same JSON to the Allure
results (as ``resultado.json`` or ``tally.json``). Accepted keys (only ``enviados`` — or ``clientes`` — is
required)::

    {"planejados": 10000, "enviados": 10000, "falhas": {"falha de transporte": 3}, "p50_ms": 120.0,
     "p95_ms": 420.0, "p99_ms": 800.0, "clientes_por_segundo": 198.4, "duracao_s": 50.4, "aprovado": true,
     "motivos": ["p95 de 2100 ms acima do orçamento de 2000 ms"]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homologa.burst_files import RESULT
from homologa.report.results import Results

TALLY_NAMES = (RESULT, "tally.json")


class TallyError(Exception):
    """The tally exists but is not in the agreed format; the message is pt-BR."""


@dataclass(frozen=True)
class LoadTally:
    customers: int
    planned: int | None = None
    customers_per_s: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    failures: dict[str, int] = field(default_factory=dict)
    duration_s: float | None = None
    passed: bool | None = None
    reasons: tuple[str, ...] = ()

    @property
    def failure_total(self) -> int:
        return sum(self.failures.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "planejados": self.planned,
            "enviados": self.customers,
            "clientes_por_segundo": self.customers_per_s,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "falhas": dict(self.failures),
            "duracao_s": self.duration_s,
            "aprovado": self.passed,
            "motivos": list(self.reasons),
        }


def _number(data: dict[str, Any], key: str, where: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise TallyError(f"{where}: {key} deve ser um número não negativo, recebeu {value!r}")
    return float(value)


def _count(data: dict[str, Any], key: str, where: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TallyError(f"{where}: {key} deve ser um inteiro não negativo, recebeu {value!r}")
    return value


def parse_tally(data: Any, where: str = "resultado.json") -> LoadTally:
    if not isinstance(data, dict):
        raise TallyError(f"{where}: esperado um objeto JSON")
    key = "enviados" if "enviados" in data else "clientes"
    customers = _count(data, key, where)
    if customers is None:
        raise TallyError(f"{where}: enviados deve ser um inteiro não negativo, recebeu {data.get(key)!r}")
    failures = data.get("falhas") or {}
    if not isinstance(failures, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in failures.items()
    ):
        raise TallyError(f"{where}: falhas deve mapear categoria a contagem, recebeu {failures!r}")
    passed = data.get("aprovado")
    if passed is not None and not isinstance(passed, bool):
        raise TallyError(f"{where}: aprovado deve ser true ou false, recebeu {passed!r}")
    reasons = data.get("motivos") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise TallyError(f"{where}: motivos deve ser uma lista de textos, recebeu {reasons!r}")
    return LoadTally(
        customers=customers,
        planned=_count(data, "planejados", where),
        customers_per_s=_number(data, "clientes_por_segundo", where),
        p50_ms=_number(data, "p50_ms", where),
        p95_ms=_number(data, "p95_ms", where),
        p99_ms=_number(data, "p99_ms", where),
        failures=dict(sorted(failures.items())),
        duration_s=_number(data, "duracao_s", where),
        passed=passed,
        reasons=tuple(reasons),
    )


def read_tally_file(path: Path, where: str | None = None) -> LoadTally:
    where = where or path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TallyError(f"{where}: contagem da carga ilegível: {exc}") from None
    return parse_tally(data, where)


def attached_tally(results: Results) -> LoadTally | None:
    """The tally a test attached to the results (the last one, if the load test ran more than once)."""
    for name in TALLY_NAMES:
        attached = [p for p in results.attachments_named(name) if p.is_file()]
        if attached:
            return read_tally_file(attached[-1], f"anexo {name}")
    return None


def file_tally(load_dir: Path | None) -> LoadTally | None:
    """The tally the load run wrote in ``load_dir`` (``reports/carga/resultado.json``)."""
    for name in TALLY_NAMES:
        if load_dir is not None and (load_dir / name).is_file():
            return read_tally_file(load_dir / name)
    return None


def find_tally(results: Results, load_dir: Path | None = None) -> LoadTally | None:
    """The tally attached to the results, else the file in ``load_dir``, else ``None`` (no load run)."""
    return attached_tally(results) or file_tally(load_dir)
