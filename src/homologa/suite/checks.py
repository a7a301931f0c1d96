"""Small named checks on an :class:`~homologa.suite.client.Exchange`, schemathesis-style.

A check returns ``None`` when the exchange passes it, or a :class:`~homologa.suite.errors.Finding` (rule,
category, expected, got). :data:`ON_EVERY_ANSWER` is the ordered list run on every answer of every scenario (R5 then
R4): the first finding wins, since later checks assume the earlier ones held (no echo without an answer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homologa.categories import (
    ECO_DIVERGENTE,
    ERRO_RETORNADO,
    FALHA_DE_TRANSPORTE,
    RESPOSTA_INVALIDA,
    STATUS_DIVERGENTE,
)
from homologa.contract import format_violations
from homologa.model import STATUS_KNOWN, STATUS_NEW
from homologa.suite.client import MAX_BODY, Exchange
from homologa.suite.errors import Finding

Check = Callable[[Exchange], Finding | None]
CHECKS: dict[str, Check] = {}
XML_CONTENT_TYPES = frozenset({"application/xml", "text/xml"})


def register(name: str) -> Callable[[Check], Check]:
    def deco(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return deco


@register("transport_ok")
def transport_ok(ex: Exchange) -> Finding | None:
    if ex.transport_error is None:
        return None
    return Finding("R5", FALHA_DE_TRANSPORTE, "uma resposta HTTP completa dentro do tempo limite", ex.transport_error)


@register("http_2xx")
def http_2xx(ex: Exchange) -> Finding | None:
    if ex.status is not None and 200 <= ex.status < 300:
        return None
    got = f"HTTP {ex.status}"
    if ex.answer is not None and ex.answer.is_error:  # an Erro element or a SOAP Fault: what the ERP said
        got += f" com Erro Codigo={ex.answer.erro_codigo!r} Descricao={ex.answer.erro_descricao!r}"
    return Finding("R5", ERRO_RETORNADO, "HTTP 200", got)


@register("status_200")
def status_200(ex: Exchange) -> Finding | None:
    if ex.status == 200:
        return None
    return Finding("R5", RESPOSTA_INVALIDA, "HTTP 200", f"HTTP {ex.status}")


@register("xml_content_type")
def xml_content_type(ex: Exchange) -> Finding | None:
    media = (ex.content_type or "").split(";", 1)[0].strip().lower()
    if media in ex.accepted_types:
        return None
    return Finding(
        "R5",
        RESPOSTA_INVALIDA,
        f"Content-Type {' ou '.join(sorted(ex.accepted_types))}",
        f"Content-Type {ex.content_type or '(ausente)'}",
    )


@register("answer_readable")
def answer_readable(ex: Exchange) -> Finding | None:
    if ex.body_problem is None:
        return None
    problem = ex.body_problem
    where = f" (linha {problem.line})" if problem.line else ""
    return Finding(
        "R5",
        problem.category,
        f"um RetornoCadastroCliente em XML bem-formado, sem DOCTYPE, de até {MAX_BODY // 1024} KiB",
        problem.reason + where,
    )


@register("answer_schema_valid")
def answer_schema_valid(ex: Exchange) -> Finding | None:
    if not ex.violations and ex.answer is not None:
        return None
    count = len(ex.violations)
    return Finding(
        "R5",
        RESPOSTA_INVALIDA,
        "resposta válida contra o XSD RetornoCadastroCliente do contrato",
        f"{count} violação(ões) do XSD",
        format_violations(ex.violations),
    )


@register("not_error")
def not_error(ex: Exchange) -> Finding | None:
    answer = ex.answer
    if answer is None or not answer.is_error:
        return None
    return Finding(
        "R5",
        ERRO_RETORNADO,
        "um Status (PEN para cliente novo, APV ou RPV para reenvio), nunca um elemento Erro",
        f"Erro Codigo={answer.erro_codigo!r} Descricao={answer.erro_descricao!r}",
    )


@register("echo_id_mensagem")
def echo_id_mensagem(ex: Exchange) -> Finding | None:
    got = ex.answer.id_mensagem if ex.answer else ""
    if got == ex.message.id_mensagem:
        return None
    return Finding("R4", ECO_DIVERGENTE, f"IdMensagem {ex.message.id_mensagem}", f"IdMensagem {got or '(vazio)'}")


@register("echo_cnpj")
def echo_cnpj(ex: Exchange) -> Finding | None:
    got = ex.answer.cnpj if ex.answer else ""
    if got == ex.message.cliente.cnpj:
        return None
    return Finding("R4", ECO_DIVERGENTE, f"CNPJ {ex.message.cliente.cnpj}", f"CNPJ {got or '(vazio)'}")


def status_is(*expected: str, rule: str) -> Check:
    """A check that the answer's Status is one of ``expected`` (the scenario's rule: R1, R2, R3, B1...)."""
    allowed = frozenset(expected)
    shown = "/".join(expected)

    def check(ex: Exchange) -> Finding | None:
        got = ex.answer.status if ex.answer else None
        if got in allowed:
            return None
        return Finding(rule, STATUS_DIVERGENTE, f"Status {shown}", f"Status {got or '(ausente)'}")

    return check


def status_new(rule: str = "R1") -> Check:
    """A never-seen CNPJ gets PEN."""
    return status_is(STATUS_NEW, rule=rule)


def status_known(rule: str = "R2") -> Check:
    """A known CNPJ gets APV or RPV."""
    return status_is(*sorted(STATUS_KNOWN), rule=rule)


# Run, in this order, on every answer of every scenario.
ON_EVERY_ANSWER: tuple[str, ...] = (
    "transport_ok",
    "http_2xx",
    "status_200",
    "xml_content_type",
    "answer_readable",
    "answer_schema_valid",
    "not_error",
    "echo_id_mensagem",
    "echo_cnpj",
)


def first_finding(ex: Exchange, checks: Iterable[str | Check]) -> Finding | None:
    """The first check (by name or function) that ``ex`` fails, or None."""
    for check in checks:
        func = CHECKS[check] if isinstance(check, str) else check
        found = func(ex)
        if found is not None:
            return found
    return None
