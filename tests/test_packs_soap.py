"""The SOAP 1.1 binding on the wire (contracts/v1-soap): the reference distributor reads envelopes and answers
envelopes, Faults for what it cannot process; the compiled templates and the answer paths of every pack."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from server_support import make_cliente, message

from homologa import xmlsafe
from homologa.contract import load_pack
from homologa.model import Retorno
from homologa.packs import soap
from homologa.server import ReferenceServer, ServerConfig

SOAP = load_pack("v1-soap")
RENAMED = load_pack(Path(__file__).parent / "packs" / "renomeado")


def _post(url: str, data: bytes, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(timeout=10) as client:
        return client.post(url, content=data, headers=headers)


def test_soap_request_is_answered_in_an_envelope_and_a_resend_as_apv_or_rpv(tmp_path: Path) -> None:
    msg = message(make_cliente(1))
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.db", contract="v1-soap")) as server:
        first = _post(server.url, SOAP.shape.render_request(msg), SOAP.shape.request_headers())
        resent = message(msg.cliente)  # the same customer, a new IdMensagem
        again = _post(server.url, SOAP.shape.render_request(resent), SOAP.shape.request_headers())
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/xml")
    payload = SOAP.shape.payload(xmlsafe.parse(first.content))
    assert not isinstance(payload, soap.Fault) and SOAP.answer.validate(payload) == []
    answer = SOAP.shape.read_answer(payload)
    assert (answer.id_mensagem, answer.cnpj, answer.status) == (msg.id_mensagem, msg.cliente.cnpj, "PEN")
    assert SOAP.shape.read_answer(SOAP.shape.payload(xmlsafe.parse(again.content))).status in {"APV", "RPV"}


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("sem-soapaction", "SOAPACTION: Cabeçalho SOAPAction '(ausente)'"),
        ("sem-envelope", "esperado Envelope"),
        ("fora-do-xsd", "FORA-DO-CONTRATO"),
    ],
)
def test_what_the_server_cannot_process_is_a_soap_fault_with_http_500(tmp_path: Path, case: str, reason: str) -> None:
    msg = message(make_cliente(2))
    headers = SOAP.shape.request_headers()
    data = SOAP.shape.render_request(msg)
    if case == "sem-soapaction":
        headers = {"Content-Type": headers["Content-Type"]}
    elif case == "sem-envelope":
        data = load_pack().shape.render_request(msg)
    else:
        data = data.replace(b"<CEP>", b"<CEP>x")
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.db", contract="v1-soap")) as server:
        response = _post(server.url, data, headers)
    assert response.status_code == 500 and response.headers["content-type"].startswith("text/xml")
    fault = soap.payload(xmlsafe.parse(response.content))
    assert isinstance(fault, soap.Fault)
    assert fault.code == "soap:Client" and reason in fault.string, fault


def test_renamed_pack_maps_status_words_both_ways() -> None:
    rendered = RENAMED.shape.render_answer(Retorno("id-1", "11222333000181", status="PEN", mensagem="ok")).body
    assert b"<r:Codigo>EM_ANALISE</r:Codigo>" in rendered
    root = xmlsafe.parse(rendered)
    assert RENAMED.answer.validate(root) == []
    assert RENAMED.shape.read_answer(root) == Retorno("id-1", "11222333000181", status="PEN", mensagem="ok")
    error = RENAMED.shape.read_answer(xmlsafe.parse((RENAMED.folder / "exemplos" / "falha.xml").read_bytes()))
    assert (error.erro_codigo, error.erro_descricao, error.is_error) == ("77", "Cadastro bloqueado", True)


def test_a_golden_spelling_is_wrapped_in_the_envelope_or_rendered_when_the_pack_differs() -> None:
    from homologa.golden import load_golden

    golden = load_golden()[0]
    wrapped = SOAP.shape.request_body(golden.message, golden.data)
    payload = SOAP.shape.payload(xmlsafe.parse(wrapped))
    assert not isinstance(payload, soap.Fault) and SOAP.request.validate(payload) == []
    assert SOAP.shape.read_request(payload) == golden.message
    rendered = RENAMED.shape.request_body(golden.message, golden.data)
    assert RENAMED.request.validate(rendered) == []
    assert RENAMED.shape.read_request(xmlsafe.parse(rendered)) == golden.message
