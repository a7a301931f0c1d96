"""Counting a burst: sent, PEN, APV/RPV, failures by category, latency percentiles, customers/s, and the verdict.

A :class:`Tally` is mergeable (workers send deltas to the master as plain dicts) and its latency histogram is
bounded (buckets rounded like Locust's own: 1 ms below 100 ms, 10 ms below 1 s, 100 ms above), so memory stays
flat over millions of customers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from homologa.load.checks import CATEGORIES


def bucket(ms: float) -> int:
    """The histogram bucket (ms) of a latency."""
    value = round(ms)
    if value < 100:
        return value
    if value < 1000:
        return round(value, -1)
    return round(value, -2)


@dataclass
class Tally:
    """What happened to the customers of a burst (or of one worker's share of it)."""

    sent: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # PEN/APV/RPV of the answers that passed
    failures: Counter[str] = field(default_factory=Counter)  # category -> count
    latency: Counter[int] = field(default_factory=Counter)  # bucket (ms) -> count
    first_sent: float | None = None  # wall clock (time.time()), comparable across processes
    last_answer: float | None = None

    def record(self, category: str | None, status: str | None, latency_ms: float, started: float, ended: float) -> None:
        self.sent += 1
        if category is None:
            self.statuses[status or "?"] += 1
        else:
            self.failures[category] += 1
        value = round(latency_ms)  # bucket(latency_ms), inlined: a call per answer
        if value >= 100:
            value = round(value, -1) if value < 1000 else round(value, -2)
        self.latency[value] += 1
        first = self.first_sent
        if first is None or started < first:
            self.first_sent = started
        last = self.last_answer
        if last is None or ended > last:
            self.last_answer = ended

    def merge(self, other: Tally) -> None:
        self.sent += other.sent
        self.statuses.update(other.statuses)
        self.failures.update(other.failures)
        self.latency.update(other.latency)
        if other.first_sent is not None and (self.first_sent is None or other.first_sent < self.first_sent):
            self.first_sent = other.first_sent
        if other.last_answer is not None and (self.last_answer is None or other.last_answer > self.last_answer):
            self.last_answer = other.last_answer

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def pen(self) -> int:
        return self.statuses["PEN"]

    @property
    def apv_rpv(self) -> int:
        return self.statuses["APV"] + self.statuses["RPV"]

    @property
    def failure_ratio(self) -> float:
        return self.failed / self.sent if self.sent else 0.0

    @property
    def duration(self) -> float:
        if self.first_sent is None or self.last_answer is None:
            return 0.0
        return max(self.last_answer - self.first_sent, 0.0)

    @property
    def rate(self) -> float:
        """Customers answered per second, from the first send to the last answer."""
        return self.sent / self.duration if self.duration > 0 else 0.0

    def percentile(self, fraction: float) -> float | None:
        """The latency (ms) below which ``fraction`` of the answers fall, from the histogram."""
        total = sum(self.latency.values())
        if total == 0:
            return None
        wanted = fraction * total
        seen = 0
        for ms in sorted(self.latency):
            seen += self.latency[ms]
            if seen >= wanted:
                return float(ms)
        return float(max(self.latency))

    def to_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "statuses": dict(self.statuses),
            "failures": dict(self.failures),
            "latency": {str(k): v for k, v in self.latency.items()},
            "first_sent": self.first_sent,
            "last_answer": self.last_answer,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tally:
        return cls(
            sent=int(data.get("sent", 0)),
            statuses=Counter({str(k): int(v) for k, v in data.get("statuses", {}).items()}),
            failures=Counter({str(k): int(v) for k, v in data.get("failures", {}).items()}),
            latency=Counter({int(k): int(v) for k, v in data.get("latency", {}).items()}),
            first_sent=data.get("first_sent"),
            last_answer=data.get("last_answer"),
        )

    def take(self) -> Tally:
        """This tally's content, leaving it empty (a delta to report)."""
        delta = Tally(self.sent, self.statuses, self.failures, self.latency, self.first_sent, self.last_answer)
        self.sent, self.statuses, self.failures, self.latency = 0, Counter(), Counter(), Counter()
        self.first_sent = self.last_answer = None
        return delta


@dataclass(frozen=True)
class Verdict:
    """The burst's result: exit code 0 only when every customer was sent and answered within the limits."""

    planned: int
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def judge(
    tally: Tally, *, planned: int, accepted_failure_ratio: float, p95_budget_ms: float, require_all: bool = True
) -> Verdict:
    """Why the burst failed, if it did (pt-BR reasons). ``require_all=False``: sending some customers is enough."""
    reasons = []
    if tally.sent == 0 or (require_all and tally.sent < planned):
        reasons.append(f"nem todos os clientes foram enviados: {tally.sent} de {planned}")
    if tally.failure_ratio > accepted_failure_ratio:
        reasons.append(
            f"falhas acima do aceito: {tally.failed} de {tally.sent} "
            f"({tally.failure_ratio:.2%} > {accepted_failure_ratio:.2%})"
        )
    p95 = tally.percentile(0.95)
    if p95 is not None and p95 > p95_budget_ms:
        reasons.append(f"p95 de {p95:.0f} ms acima do orçamento de {p95_budget_ms:.0f} ms")
    return Verdict(planned, tuple(reasons))


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def render(tally: Tally, verdict: Verdict) -> str:
    """The tally as a person reads it at the end of a burst (pt-BR)."""
    lines = [
        "== homologa: carga de go-live ==",
        f"clientes planejados: {verdict.planned}",
        f"enviados e respondidos: {tally.sent}",
        f"PEN (novos): {tally.pen}",
        f"APV/RPV (reenvios): {tally.apv_rpv} (APV {tally.statuses['APV']}, RPV {tally.statuses['RPV']})",
        f"falhas: {tally.failed} ({tally.failure_ratio:.2%})",
    ]
    for category in CATEGORIES:
        if tally.failures[category]:
            lines.append(f"  {category}: {tally.failures[category]}")
    for category, count in sorted(tally.failures.items()):
        if category not in CATEGORIES:
            lines.append(f"  {category}: {count}")
    lines.append(
        f"latência: p50 {_ms(tally.percentile(0.5))}, p95 {_ms(tally.percentile(0.95))}, "
        f"p99 {_ms(tally.percentile(0.99))}"
    )
    lines.append(f"vazão: {tally.rate:.1f} clientes/s em {tally.duration:.1f} s")
    if verdict.ok:
        lines.append("resultado: APROVADO")
    else:
        lines.append("resultado: REPROVADO")
        lines.extend(f"  - {reason}" for reason in verdict.reasons)
    return "\n".join(lines)


def report_dict(tally: Tally, verdict: Verdict) -> dict[str, Any]:
    """The tally and the verdict as JSON-ready data (``reports/carga/resultado.json``)."""
    return {
        "planejados": verdict.planned,
        "enviados": tally.sent,
        "pen": tally.pen,
        "apv_rpv": tally.apv_rpv,
        "status": dict(tally.statuses),
        "falhas": dict(tally.failures),
        "p50_ms": tally.percentile(0.5),
        "p95_ms": tally.percentile(0.95),
        "p99_ms": tally.percentile(0.99),
        "clientes_por_segundo": round(tally.rate, 2),
        "duracao_s": round(tally.duration, 3),
        "aprovado": verdict.ok,
        "motivos": list(verdict.reasons),
    }


def live_rows(
    tally: Tally, *, planned: int, p95_budget_ms: float, situation: str, verdict: Verdict | None
) -> list[dict[str, str]]:
    """The tally as the web UI's "Homologação" tab shows it: (item, valor) rows, pt-BR."""
    share = f" ({tally.sent / planned:.1%})" if planned else ""
    rows = [
        ("Situação", situation),
        ("Clientes planejados", str(planned)),
        ("Enviados e respondidos", f"{tally.sent}{share}"),
        ("PEN (novos)", str(tally.pen)),
        ("APV/RPV (reenvios)", f"{tally.apv_rpv} (APV {tally.statuses['APV']}, RPV {tally.statuses['RPV']})"),
        ("Falhas", f"{tally.failed} ({tally.failure_ratio:.2%})"),
    ]
    rows += [(f"  {category}", str(count)) for category, count in sorted(tally.failures.items())]
    rows += [
        (
            "Latência",
            f"p50 {_ms(tally.percentile(0.5))} · p95 {_ms(tally.percentile(0.95))} (orçamento {p95_budget_ms:.0f} ms)",
        ),
        ("Vazão", f"{tally.rate:.1f} clientes/s"),
    ]
    if verdict is None:
        rows.append(("Veredito", "aguardando o fim da rajada"))
    elif verdict.ok:
        rows.append(("Veredito", "APROVADO"))
    else:
        rows.append(("Veredito", "REPROVADO"))
        rows += [("  motivo", reason) for reason in verdict.reasons]
    return [{"item": item, "valor": value} for item, value in rows]
