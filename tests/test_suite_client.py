"""The suite's HTTP client layer (respx): every way an endpoint misbehaves lands in the right failure category."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import respx

from homologa.categories import (
    ECO_DIVERGENTE,
    ERRO_RETORNADO,
    FALHA_DE_TRANSPORTE,
    RESPOSTA_INSEGURA,
    RESPOSTA_INVALIDA,
    STATUS_DIVERGENTE,
)
from homologa.contract import load_pack
from homologa.model import CadastroCliente
from homologa.profile import Auth
from homologa.suite import checks
from homologa.suite.client import MAX_BODY, ContractClient, Exchange
from homologa.suite.curl import curl_command
from homologa.suite.scenarios import Customers, base_customer

URL = "http://erp.exemplo/clientes?apikey=segredo-da-query"
NS = "urn:b2b:homologacao:cliente:v1"
PACK = load_pack()


@pytest.fixture
def message() -> CadastroCliente:
    customers = Customers(7)
    return customers.message(customers.fresh(base_customer()))


def answer(msg: CadastroCliente, tail: str = "<Status>PEN</Status>", *, id_mensagem: str | None = None) -> bytes:
    ident = msg.id_mensagem if id_mensagem is None else id_mensagem
    return (
        f'<RetornoCadastroCliente xmlns="{NS}"><IdMensagem>{ident}</IdMensagem>'
        f"<CNPJ>{msg.cliente.cnpj}</CNPJ>{tail}</RetornoCadastroCliente>"
    ).encode()


def exchange_for(msg: CadastroCliente, response: httpx.Response | Exception, timeout: float = 2.0) -> Exchange:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL)
        if isinstance(response, Exception):
            route.mock(side_effect=response)
        else:
            route.mock(return_value=response)
        with ContractClient(URL, PACK, timeout) as client:
            return client.send(msg)


def category(ex: Exchange, *extra: checks.Check) -> str | None:
    found = checks.first_finding(ex, [*checks.ON_EVERY_ANSWER, *extra])
    return None if found is None else found.category


XML = {"Content-Type": "application/xml"}


def test_conforming_answer_spelled_differently_passes(message):
    body = (
        '\ufeff<?xml version="1.0"?>\r\n<!-- ERP v7 -->\n'
        f'<n:RetornoCadastroCliente xmlns:n="{NS}">\n  <n:IdMensagem>{message.id_mensagem}'
        f"</n:IdMensagem>\n  <n:CNPJ>{message.cliente.cnpj}</n:CNPJ>\n  <n:Status>PEN</n:Status>\n"
        "</n:RetornoCadastroCliente>\n"
    ).encode()
    ex = exchange_for(
        message, httpx.Response(200, headers={"Content-Type": "text/xml; charset=ISO-8859-1"}, content=body)
    )
    assert category(ex, checks.status_new()) is None
    assert ex.answer is not None and ex.answer.status == "PEN"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "não foi possível conectar"),
        (httpx.ConnectTimeout("timed out"), "tempo esgotado ao conectar"),
        (httpx.ReadTimeout("timed out"), "não respondeu em 2 s"),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), "fechou a conexão"),
        (httpx.ReadError("Connection reset by peer"), "conexão interrompida"),
    ],
)
def test_transport_failures(message, error, words):
    ex = exchange_for(message, error)
    assert category(ex) == FALHA_DE_TRANSPORTE
    assert words in (ex.transport_error or "")


def test_http_500_is_an_error_returned_even_with_an_html_body(message):
    ex = exchange_for(message, httpx.Response(500, headers={"Content-Type": "text/html"}, content=b"<html>oops"))
    found = checks.first_finding(ex, checks.ON_EVERY_ANSWER)
    assert found is not None and found.category == ERRO_RETORNADO and found.got == "HTTP 500"


def test_2xx_other_than_200_is_invalid(message):
    ex = exchange_for(message, httpx.Response(201, headers=XML, content=answer(message)))
    assert category(ex) == RESPOSTA_INVALIDA


def test_html_content_type_is_invalid(message):
    ex = exchange_for(message, httpx.Response(200, headers={"Content-Type": "text/html"}, content=answer(message)))
    found = checks.first_finding(ex, checks.ON_EVERY_ANSWER)
    assert found is not None and found.category == RESPOSTA_INVALIDA and "text/html" in found.got


def test_doctype_is_unsafe_and_never_expanded(message):
    body = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + answer(message)
    ex = exchange_for(message, httpx.Response(200, headers=XML, content=body))
    assert category(ex) == RESPOSTA_INSEGURA
    assert ex.answer is None


def test_malformed_body_is_invalid_with_its_line(message):
    ex = exchange_for(message, httpx.Response(200, headers=XML, content=b"<Retorno>\n<Status>PEN</Retorno>"))
    found = checks.first_finding(ex, checks.ON_EVERY_ANSWER)
    assert found is not None and found.category == RESPOSTA_INVALIDA and "linha 2" in found.got


def test_schema_invalid_answer_lists_reason_and_path(message):
    ex = exchange_for(message, httpx.Response(200, headers=XML, content=answer(message, "<Status>OK</Status>")))
    found = checks.first_finding(ex, checks.ON_EVERY_ANSWER)
    assert found is not None and found.category == RESPOSTA_INVALIDA
    assert "Motivo:" in found.details and "Caminho: /RetornoCadastroCliente/Status" in found.details


def test_erro_element_is_an_error_returned(message):
    tail = "<Erro><Codigo>E42</Codigo><Descricao>campo muito longo</Descricao></Erro>"
    ex = exchange_for(message, httpx.Response(200, headers=XML, content=answer(message, tail)))
    found = checks.first_finding(ex, checks.ON_EVERY_ANSWER)
    assert found is not None and found.category == ERRO_RETORNADO and "E42" in found.got


def test_wrong_echo(message):
    ex = exchange_for(message, httpx.Response(200, headers=XML, content=answer(message, id_mensagem="")))
    assert category(ex) == ECO_DIVERGENTE


def test_unexpected_status(message):
    ex = exchange_for(message, httpx.Response(200, headers=XML, content=answer(message, "<Status>APV</Status>")))
    assert category(ex) is None
    assert category(ex, checks.status_new()) == STATUS_DIVERGENTE


def test_declared_oversized_body_is_refused_unread(message):
    headers = {**XML, "Content-Length": str(MAX_BODY + 1)}
    response = httpx.Response(200, headers=headers, content=b"x" * (MAX_BODY + 1))
    ex = exchange_for(message, response)
    assert category(ex) == RESPOSTA_INVALIDA
    assert ex.body == b""


def test_streamed_oversized_body_is_cut_at_the_cap(message):
    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MiB, no Content-Length
            yield b"<a>" + b"x" * (64 * 1024) + b"</a>"

    ex = exchange_for(message, httpx.Response(200, headers=XML, content=chunks()))
    assert category(ex) == RESPOSTA_INVALIDA
    assert ex.body_problem is not None and "maior que" in ex.body_problem.reason


def test_trickling_body_is_cut_at_the_deadline(message):
    body = answer(message)

    def trickle() -> Iterator[bytes]:
        for i in range(len(body)):
            time.sleep(0.05)
            yield body[i : i + 1]

    start = time.monotonic()
    ex = exchange_for(message, httpx.Response(200, headers=XML, content=trickle()), timeout=0.4)
    assert time.monotonic() - start < 1.5  # not len(body) x 0.05 s
    assert category(ex) == FALHA_DE_TRANSPORTE
    assert "não terminou em 0.4 s" in (ex.transport_error or "")


def test_auth_headers_are_sent_and_masked_everywhere(message):
    auth = Auth(bearer="tok-secreto-123", headers={"X-Api-Key": "chave-secreta-456", "X-Filial": "12"})
    with respx.mock() as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(200, headers=XML, content=answer(message)))
        with ContractClient(URL, PACK, 2.0, auth) as client:
            ex = client.send(message)
            curl = curl_command(client.url, client.headers, ex.request, client.auth, client.timeout)
    sent = route.calls.last.request.headers
    assert sent["Authorization"] == "Bearer tok-secreto-123"
    assert sent["X-Api-Key"] == "chave-secreta-456"
    shown = repr(ex) + curl + str(ex.request_headers) + ex.url
    for secret in ("tok-secreto-123", "chave-secreta-456", "segredo-da-query"):
        assert secret not in shown
    assert "Authorization: Bearer ***" in curl and "apikey=***" in curl and "X-Filial: 12" in curl


def test_basic_auth_is_masked_in_curl(message):
    auth = Auth(basic="erp:senha-forte")
    with respx.mock() as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(200, headers=XML, content=answer(message)))
        with ContractClient(URL, PACK, 2.0, auth) as client:
            ex = client.send(message)
            curl = curl_command(client.url, client.headers, ex.request, client.auth, client.timeout)
    assert route.calls.last.request.headers["Authorization"].startswith("Basic ")
    assert "senha-forte" not in curl and "-u 'erp:***'" in curl
    assert ex.request_headers["Authorization"] == "Basic ***"


def test_body_excerpt_cannot_drive_the_terminal(message):
    body = b"\x1b[2J\x1b]0;pwned\x07<html>erro interno\r\n" + b"x" * 2000
    ex = exchange_for(message, httpx.Response(500, headers={"Content-Type": "text/html"}, content=body))
    text = ex.excerpt()
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert (
        text.startswith("\\x1b[2J") and "erro interno\nxxx" in text and text.endswith(f"({len(body)} bytes no total)")
    )
