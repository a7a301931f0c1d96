"""The object a scenario drives (the ``homologa`` fixture): send a customer, judge the answer, explain a failure.

Every answer of every scenario goes through :data:`~homologa.suite.checks.ON_EVERY_ANSWER` (R5 and R4) before the
scenario's own expectation. A failure raises :class:`~homologa.suite.errors.ContractViolation` with the whole pt-BR
message; a transport failure also asks the session to stop (a dead or hanging target is not worth N timeouts).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from homologa.categories import FALHA_DE_TRANSPORTE, LATENCIA
from homologa.model import CadastroCliente, Cliente
from homologa.rules import RULES
from homologa.suite import checks, reporting
from homologa.suite.checks import Check
from homologa.suite.client import ContractClient, Exchange
from homologa.suite.curl import curl_command
from homologa.suite.errors import ContractViolation
from homologa.suite.failure import violation
from homologa.suite.options import Settings
from homologa.suite.scenarios import Customers, base_customer, regional_customers


class Scenario:
    """One test's view of the target: its title and rule, the run's client, customers and settings."""

    def __init__(
        self,
        *,
        title: str,
        rule: str,
        client: ContractClient,
        customers: Customers,
        settings: Settings,
        stop_session: Callable[[str], None],
        rerun: str = "",
    ) -> None:
        self.title = title
        self.rule = rule
        self.client = client
        self.customers = customers
        self.settings = settings
        self._stop_session = stop_session
        self.rerun = rerun  # the command that runs this scenario again with fresh CNPJs and IdMensagens
        self.exchanges: list[Exchange] = []
        self._titled = False

    def new_customer(self, base: Cliente | None = None) -> Cliente:
        """``base`` (default: a typical customer) with a CNPJ this endpoint has never seen."""
        return self.customers.fresh(base or base_customer())

    def regional_customers(self, count: int) -> list[Cliente]:
        """Realistic new customers from the distributor's CEP ranges (profile), or from all of Brazil; their CNPJs
        from the run's never-received space (the generator's own are the load burst's, order 0001)."""
        generated = regional_customers(self.settings.cep_ranges, self.customers.seed, count)
        return [self.customers.fresh(cliente) for cliente in generated]

    def message(self, cliente: Cliente, id_mensagem: str | None = None) -> CadastroCliente:
        return self.customers.message(cliente, id_mensagem)

    def send(
        self,
        cliente: Cliente | CadastroCliente,
        *,
        step: str,
        expect: Check | None = None,
        rule: str | None = None,
        body: bytes | None = None,
    ) -> Exchange:
        """Send ``cliente`` (a new IdMensagem) or a ready message (spelled as ``body`` when given); check every
        answer rule, then ``expect``."""
        __tracebackhide__ = True
        self._title_once()
        message = cliente if isinstance(cliente, CadastroCliente) else self.message(cliente)
        with reporting.step(f"{step} — CNPJ {message.cliente.cnpj}"):
            exchange = self.client.send(message, body)
            self.exchanges.append(exchange)
            curl = curl_command(
                self.client.url, self.client.headers, exchange.request, self.client.auth, self.client.timeout
            )
            reporting.attach_exchange(exchange, curl)
            if exchange.foreign is not None:  # another format: every scenario would fail alike, stop at the first
                self._stop_session(foreign_format_message(self.client.pack.name, self.settings, exchange.foreign))
            wanted: list[str | Check] = [*checks.ON_EVERY_ANSWER, *([expect] if expect else [])]
            finding = checks.first_finding(exchange, wanted)
            if finding is None:
                return exchange
            if finding.category == FALHA_DE_TRANSPORTE:
                self._stop_session(
                    f"homologa: sessão interrompida — falha de transporte com o alvo {self.settings.masked_target}: "
                    f"{exchange.transport_error}. Os cenários seguintes não foram executados; veredito: REPROVADO"
                )
            raise violation(
                self.title, rule or self.rule, step, exchange=exchange, finding=finding, curl=curl, rerun=self.rerun
            )

    def _title_once(self) -> None:
        if not self._titled:
            reporting.title_test(self.title, self.rule)
            self._titled = True

    def register(self, cliente: Cliente | CadastroCliente, step: str = "cadastro inicial (cliente novo)") -> Exchange:
        """First send of a new customer, as a precondition: every answer rule, any Status."""
        __tracebackhide__ = True
        return self.send(cliente, step=step)

    def check_latency(self) -> None:
        """B2: the p95 of every answer's latency in this run within the profile's budget."""
        __tracebackhide__ = True
        self._title_once()
        samples = sorted(self.client.latencies)
        if not samples:
            return
        p95 = percentile(samples, 95) * 1000
        budget = self.settings.p95_budget_ms
        reporting.attach_text(latency_summary(samples, budget), "latências")
        if p95 <= budget:
            return
        last = self.exchanges[-1] if self.exchanges else None
        curl = ""
        if last is not None:
            curl = curl_command(
                self.client.url, self.client.headers, last.request, self.client.auth, self.client.timeout
            )
            curl += " -o /dev/null -w '%{time_total}s\\n'"
        lines = [
            f"[{LATENCIA}] {self.rule} — {self.title}",
            f"Regra B2: {RULES['B2'].statement}.",
            f"Enviado: {len(samples)} pedidos CadastroCliente para {self.settings.masked_target}",
            f"Esperado: p95 <= {budget:g} ms (latencia.p95_ms do perfil)",
            f"Recebido: {latency_summary(samples, budget)}",
            "Como corrigir: meça o tempo do ERP por pedido (banco, integrações síncronas); responda antes de processar "
            "o que puder ser assíncrono.",
        ]
        if curl:
            lines.append(f"Reproduza: {curl}")
        raise ContractViolation(self.rule, self.title, LATENCIA, "\n".join(lines))


def foreign_format_message(pack: str, settings: Settings, problem: str) -> str:
    """The one line that stops a run whose target answers in another format than the chosen pack's."""
    return (
        f"homologa: sessão interrompida — o alvo {settings.masked_target} respondeu num formato que não é o do "
        f"pacote de contrato {pack} ({problem}). Confira o contrato do alvo (--contract, HOMOLOGA_CONTRACT ou "
        f"[alvo] contrato; escolhido: {settings.contract}, origem: {settings.contract_source}). Os cenários "
        "seguintes não foram executados; veredito: REPROVADO"
    )


def percentile(sorted_samples: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted samples."""
    rank = max(1, math.ceil(pct / 100 * len(sorted_samples)))
    return sorted_samples[rank - 1]


def latency_summary(samples: list[float], budget_ms: float) -> str:
    ordered = sorted(samples)
    p50, p95 = percentile(ordered, 50) * 1000, percentile(ordered, 95) * 1000
    return (
        f"p95 {p95:.0f} ms (orçamento {budget_ms:g} ms), mediana {p50:.0f} ms, máximo {ordered[-1] * 1000:.0f} ms "
        f"em {len(ordered)} respostas"
    )
