"""What can go wrong in a suite run, in two separate trees.

* :class:`ContractViolation` — the distributor's endpoint broke a rule. It subclasses ``AssertionError`` so pytest
  and Allure show it as a *failed* test (a finding about the endpoint).
* :class:`HarnessError` — homologa itself could not do its job (the embedded distributor did not start, a golden
  message is missing). Not an assertion: Allure shows it as *broken*, never as the distributor's fault.
"""

from __future__ import annotations

from dataclasses import dataclass

# Failure categories, exactly as a distributor reads them (also the Allure categories).
STATUS_DIVERGENTE = "status divergente"
ERRO_RETORNADO = "erro retornado"
RESPOSTA_INVALIDA = "resposta inválida"
ECO_DIVERGENTE = "eco divergente"
FALHA_DE_TRANSPORTE = "falha de transporte"
RESPOSTA_INSEGURA = "resposta insegura"
LATENCIA = "latência acima do orçamento"  # best practice B2 only

CATEGORIES: dict[str, str] = {
    STATUS_DIVERGENTE: "o Status da resposta não é o que a regra exige (PEN para cliente novo, APV/RPV para reenvio)",
    ERRO_RETORNADO: "o ERP devolveu erro: HTTP fora de 2xx ou um elemento Erro",
    RESPOSTA_INVALIDA: "a resposta não é um RetornoCadastroCliente válido (Content-Type, XML, XSD, tamanho)",
    ECO_DIVERGENTE: "a resposta não ecoa o IdMensagem ou o CNPJ enviados",
    FALHA_DE_TRANSPORTE: "conexão recusada ou derrubada, tempo esgotado, resposta que não termina",
    RESPOSTA_INSEGURA: "a resposta declara DOCTYPE/ENTITY (risco de XXE): recusada sem ser interpretada",
    LATENCIA: "o p95 da latência passou do orçamento do perfil (boa prática B2)",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken expectation on one answer: which rule, which category, what was expected and what came back."""

    rule: str
    category: str
    expected: str
    got: str
    details: str = ""

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"categoria desconhecida: {self.category!r}")


class ContractViolation(AssertionError):
    """The endpoint broke a platform rule (or a best practice). ``str()`` is the whole pt-BR failure message."""

    def __init__(self, rule: str, title: str, category: str, message: str, violated: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule  # the scenario's rule
        self.violated = violated or rule  # the rule the answer broke (R4/R5 on any scenario)
        self.title = title
        self.category = category
        self.message = message


class HarnessError(Exception):
    """homologa itself failed (not the distributor): shown as *broken*, with a pt-BR message."""
