"""The pt-BR failure message for one broken expectation: rule, what was sent, expected, received, how to fix, curl.

Shaped like pytest-httpx's messages: a person reads it top to bottom and can reproduce the request with the last
line. Secrets never appear (URL, headers and body go through :mod:`homologa.secrets`).
"""

from __future__ import annotations

import textwrap

from homologa.categories import (
    ECO_DIVERGENTE,
    ERRO_RETORNADO,
    FALHA_DE_TRANSPORTE,
    RESPOSTA_INSEGURA,
    RESPOSTA_INVALIDA,
    STATUS_DIVERGENTE,
)
from homologa.rules import rule
from homologa.suite import diagnosis
from homologa.suite.client import Exchange
from homologa.suite.errors import ContractViolation, Finding

HOW_TO_FIX: dict[str, str] = {
    STATUS_DIVERGENTE: "CNPJ nunca recebido -> Status PEN; CNPJ já cadastrado (reenvio, mudando ou não os dados) -> "
    "APV ou RPV.",
    ERRO_RETORNADO: "o ERP deve aceitar toda mensagem válida: reenvios atualizam o cadastro e campos protegidos são "
    "ignorados sem erro. Veja Codigo/Descricao e o log do ERP para este CNPJ.",
    RESPOSTA_INVALIDA: "responda HTTP 200, Content-Type application/xml ou text/xml, com um RetornoCadastroCliente "
    "válido contra contracts/v1/RetornoCadastroCliente.xsd.",
    ECO_DIVERGENTE: "devolva em IdMensagem e CNPJ exatamente os valores recebidos no pedido.",
    FALHA_DE_TRANSPORTE: "confira se o endpoint está no ar, aceita a conexão e devolve a resposta inteira dentro do "
    "tempo limite (--homologa-timeout).",
    RESPOSTA_INSEGURA: "não inclua DOCTYPE nem declarações de entidade na resposta (a plataforma as recusa).",
}


def _indent(text: str) -> str:
    return textwrap.indent(text, "    ")


SECOND_SEND = (
    "o curl abaixo reenvia o mesmo IdMensagem e CNPJ: depois de corrigir, um ERP correto devolve a resposta já dada "
    "a esse IdMensagem (B1) ou APV/RPV (o CNPJ já está cadastrado) — não é o defeito de volta"
)


def failure_message(
    title: str,
    scenario_rule: str,
    step: str,
    *,
    exchange: Exchange,
    finding: Finding,
    curl: str,
    rerun: str = "",
) -> str:
    """The whole message (first line: ``[categoria] Rn — título``)."""
    rules = [scenario_rule] if finding.rule == scenario_rule else [scenario_rule, finding.rule]
    msg = exchange.message
    lines = [
        f"[{finding.category}] {scenario_rule} — {title}",
        *(f"Regra {code}: {rule(code).statement}." for code in rules),
        f"Passo: {step}",
        f"Enviado: POST {exchange.url} — CadastroCliente IdMensagem={msg.id_mensagem} CNPJ={msg.cliente.cnpj}",
        f"Esperado: {finding.expected}",
        f"Recebido: {finding.got}",
    ]
    if exchange.transport_error is None:
        lines.append(
            f"  HTTP {exchange.status} · Content-Type {exchange.content_type or '(ausente)'} · "
            f"{len(exchange.body)} bytes em {exchange.elapsed:.3f} s"
        )
        if exchange.location is not None:
            lines.append(f"  Location: {exchange.location} (redirecionamento: o homologa não segue)")
        if exchange.www_authenticate is not None:
            lines.append(f"  WWW-Authenticate: {exchange.www_authenticate}")
    else:
        lines.append(f"  após {exchange.elapsed:.3f} s")
    if finding.details:
        lines += ["  Erros de schema:", _indent(finding.details)]
    if exchange.body:
        lines += ["  Corpo da resposta (início):", _indent(exchange.excerpt())]
    lines.append(f"Como corrigir: {HOW_TO_FIX[finding.category]}")
    if rerun:
        lines.append(f"Reproduza com CNPJs novos: {rerun} ({SECOND_SEND})")
    lines.append(f"Reproduza: {curl}")
    return "\n".join(lines)


def violation(
    title: str,
    scenario_rule: str,
    step: str,
    *,
    exchange: Exchange,
    finding: Finding,
    curl: str,
    rerun: str = "",
) -> ContractViolation:
    message = failure_message(title, scenario_rule, step, exchange=exchange, finding=finding, curl=curl, rerun=rerun)
    return ContractViolation(
        scenario_rule, title, finding.category, message, violated=finding.rule, symptom=diagnosis.symptom(exchange)
    )
