"""The load run's tally: how many customers the go-live burst sent, at what rate, its p95 and failures by category.

The load test attaches it to the Allure results as ``tally.json`` (and may write ``reports/carga/tally.json``).
Format (JSON object; only ``clientes`` is required, the rest may be absent)::

    {"clientes": 10000, "clientes_por_segundo": 198.4, "p95_ms": 420.0,
     "falhas": {"falha de transporte": 3, "status divergente": 0}, "duracao_s": 50.4, "aprovado": true}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from homologa.report.results import Results

TALLY_NAME = "tally.json"


class TallyError(Exception):
    """The tally exists but is not in the agreed format; the message is pt-BR."""


@dataclass(frozen=True)
class LoadTally:
    customers: int
    customers_per_s: float | None = None
    p95_ms: float | None = None
    failures: dict[str, int] = field(default_factory=dict)
    duration_s: float | None = None
    passed: bool | None = None

    @property
    def failure_total(self) -> int:
        return sum(self.failures.values())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            "clientes": data["customers"],
            "clientes_por_segundo": data["customers_per_s"],
            "p95_ms": data["p95_ms"],
            "falhas": data["failures"],
            "duracao_s": data["duration_s"],
            "aprovado": data["passed"],
        }


def _number(data: dict[str, Any], key: str, where: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise TallyError(f"{where}: {key} deve ser um número não negativo, recebeu {value!r}")
    return float(value)


def parse_tally(data: Any, where: str = TALLY_NAME) -> LoadTally:
    if not isinstance(data, dict):
        raise TallyError(f"{where}: esperado um objeto JSON")
    customers = data.get("clientes")
    if isinstance(customers, bool) or not isinstance(customers, int) or customers < 0:
        raise TallyError(f"{where}: clientes deve ser um inteiro não negativo, recebeu {customers!r}")
    failures = data.get("falhas") or {}
    if not isinstance(failures, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in failures.items()
    ):
        raise TallyError(f"{where}: falhas deve mapear categoria a contagem, recebeu {failures!r}")
    passed = data.get("aprovado")
    if passed is not None and not isinstance(passed, bool):
        raise TallyError(f"{where}: aprovado deve ser true ou false, recebeu {passed!r}")
    return LoadTally(
        customers=customers,
        customers_per_s=_number(data, "clientes_por_segundo", where),
        p95_ms=_number(data, "p95_ms", where),
        failures=dict(sorted(failures.items())),
        duration_s=_number(data, "duracao_s", where),
        passed=passed,
    )


def read_tally_file(path: Path) -> LoadTally:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TallyError(f"{path.name}: contagem da carga ilegível: {exc}") from None
    return parse_tally(data, path.name)


def find_tally(results: Results, load_dir: Path | None = None) -> LoadTally | None:
    """The tally attached to the results (the last one, if the load test ran more than once), else the file in
    ``load_dir``, else ``None`` (no load run in this session)."""
    attached = [p for p in results.attachments_named(TALLY_NAME) if p.is_file()]
    if attached:
        return read_tally_file(attached[-1])
    if load_dir is not None and (load_dir / TALLY_NAME).is_file():
        return read_tally_file(load_dir / TALLY_NAME)
    return None
