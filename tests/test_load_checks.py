"""The answer checks under load: each contract rule maps to the suite's pt-BR category."""

from __future__ import annotations

import pytest

from homologa.contract import load_pack
from homologa.load import checks
from homologa.messages import render_answer
from homologa.model import Retorno

ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
CNPJ = "11222333000181"
SCHEMA = load_pack().answer


def verdict(body: bytes, *, resend: bool = False, status: int = 200, ctype: str = "application/xml; charset=UTF-8",
            validate: bool = True) -> checks.Outcome:  # fmt: skip
    return checks.check_answer(http_status=status, content_type=ctype, body=body, id_mensagem=ID, cnpj=CNPJ,
                               resend=resend, schema=SCHEMA, validate=validate)  # fmt: skip


def answer(**kw: str) -> bytes:
    return render_answer(Retorno(**{"id_mensagem": ID, "cnpj": CNPJ, "status": "PEN", **kw}))  # type: ignore[arg-type]


def test_new_customer_answered_pen_passes() -> None:
    outcome = verdict(answer())
    assert outcome.ok and outcome.status == "PEN"


@pytest.mark.parametrize("status", ["APV", "RPV"])
def test_resend_answered_apv_or_rpv_passes(status: str) -> None:
    assert verdict(answer(status=status), resend=True).ok


@pytest.mark.parametrize(
    "body,kwargs,category",
    [
        (answer(status="APV"), {}, checks.STATUS_DIVERGENTE),
        (answer(), {"resend": True}, checks.STATUS_DIVERGENTE),
        (answer(), {"status": 503}, checks.ERRO_RETORNADO),
        (answer(), {"status": 500}, checks.ERRO_RETORNADO),
        (answer(), {"status": 204}, checks.RESPOSTA_INVALIDA),
        (answer(), {"ctype": "text/html"}, checks.RESPOSTA_INVALIDA),
        (answer(), {"ctype": ""}, checks.RESPOSTA_INVALIDA),
        (answer(id_mensagem="00000000-0000-4000-8000-000000000000"), {}, checks.ECO_DIVERGENTE),
        (answer(cnpj="11444777000161"), {}, checks.ECO_DIVERGENTE),
        (render_answer(Retorno(ID, CNPJ, erro_codigo="E42", erro_descricao="falhou")), {}, checks.ERRO_RETORNADO),
        (answer(status="OK"), {}, checks.RESPOSTA_INVALIDA),
        (b"<RetornoCadastroCliente", {}, checks.RESPOSTA_INVALIDA),
        (b"", {}, checks.RESPOSTA_INVALIDA),
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', {}, checks.RESPOSTA_INSEGURA),
        (b"<a>" + b" " * (checks.MAX_ANSWER_BYTES + 1) + b"</a>", {}, checks.RESPOSTA_INVALIDA),
    ],
)
def test_each_broken_rule_has_its_category(body: bytes, kwargs: dict[str, object], category: str) -> None:
    outcome = verdict(body, **kwargs)  # type: ignore[arg-type]
    assert outcome.category == category
    assert outcome.message.startswith(category)
    assert ID not in outcome.message and CNPJ not in outcome.message  # low cardinality: no ids in Locust's table


def test_sampled_out_answers_still_get_status_and_echo_checks() -> None:
    # schema-invalid but with the echo and status in place: only validation would catch it
    extra = answer().replace(b"</RetornoCadastroCliente>", b"<Extra/></RetornoCadastroCliente>")
    assert verdict(extra).category == checks.RESPOSTA_INVALIDA
    assert verdict(extra, validate=False).ok
    assert verdict(answer(status="APV"), validate=False).category == checks.STATUS_DIVERGENTE
    assert verdict(answer(cnpj="11444777000161"), validate=False).category == checks.ECO_DIVERGENTE


def test_transport_failure() -> None:
    outcome = checks.check_answer(http_status=0, content_type=None, body=None, id_mensagem=ID, cnpj=CNPJ,
                                  resend=False, schema=SCHEMA, transport_error="tempo esgotado")  # fmt: skip
    assert outcome.category == checks.FALHA_DE_TRANSPORTE and "tempo esgotado" in outcome.message


def test_media_type_ignores_parameters_and_case() -> None:
    assert checks.media_type("Text/XML; charset=utf-8") == "text/xml"
    assert checks.media_type(None) == ""


def test_an_erp_naming_every_error_differently_cannot_grow_the_failure_table() -> None:
    """Locust groups failures by message, at every worker and at the master: what the ERP chooses is bounded."""
    messages = {
        verdict(render_answer(Retorno(ID, CNPJ, erro_codigo=f"P{i:07d}", erro_descricao="falhou"))).message
        for i in range(checks.MAX_NAMED * 3)
    }
    messages |= {verdict(answer(), ctype=f"application/x-{i}").message for i in range(checks.MAX_NAMED * 3)}
    assert len(messages) <= 2 * (checks.MAX_NAMED + 1)
    assert any(m.endswith("Erro código (outro)") for m in messages)
    assert any(m.endswith("Content-Type (outro)") for m in messages)


def test_an_answer_the_check_cannot_read_counts_as_not_verified() -> None:
    """A harness bug while checking (an exception) neither passes the answer nor leaves it unrecorded."""
    outcome = checks.unverifiable(TypeError("unhashable type: 'list'"))
    assert not outcome.ok and outcome.category == checks.RESPOSTA_INVALIDA
    assert "TypeError" in outcome.detail and "unhashable" not in outcome.detail  # low cardinality: the type only
