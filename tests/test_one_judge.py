"""One judge for an answer: the contract suite and the go-live burst give the same category to the same answer.

The suite judges an answer with its named checks (R5, R4 on every answer, then the scenario's status rule); the
burst judges it with ``homologa.load.checks`` (Locust-friendly, low-cardinality). Both are run here over one table of
answers, served by a real loopback server and read by the suite's real client, so the two can never drift apart.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from homologa import categories
from homologa.contract import load_pack
from homologa.load import checks as load_checks
from homologa.messages import render_answer
from homologa.model import CadastroCliente, Retorno
from homologa.suite import checks as suite_checks
from homologa.suite.client import ContractClient
from homologa.suite.scenarios import base_customer

ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
CNPJ = "11222333000181"
PACK = load_pack()
XML = "application/xml; charset=UTF-8"


def answer(**kw: str) -> bytes:
    return render_answer(Retorno(**{"id_mensagem": ID, "cnpj": CNPJ, "status": "PEN", **kw}))  # type: ignore[arg-type]


# (name, HTTP status, Content-Type, body, re-send?, category or None)
TABLE = [
    ("pen-para-novo", 200, XML, answer(), False, None),
    ("apv-para-reenvio", 200, XML, answer(status="APV"), True, None),
    ("apv-para-novo", 200, XML, answer(status="APV"), False, categories.STATUS_DIVERGENTE),
    ("pen-para-reenvio", 200, XML, answer(), True, categories.STATUS_DIVERGENTE),
    ("http500", 500, XML, answer(), False, categories.ERRO_RETORNADO),
    ("http503", 503, XML, answer(), False, categories.ERRO_RETORNADO),
    ("html", 200, "text/html", answer(), False, categories.RESPOSTA_INVALIDA),
    ("sem-content-type", 200, "", answer(), False, categories.RESPOSTA_INVALIDA),
    ("eco-id", 200, XML, answer(id_mensagem="00000000-0000-4000-8000-000000000000"), False, categories.ECO_DIVERGENTE),
    ("eco-cnpj", 200, XML, answer(cnpj="11444777000161"), False, categories.ECO_DIVERGENTE),
    ("erro", 200, XML, render_answer(Retorno(ID, CNPJ, erro_codigo="E42", erro_descricao="x")), False,
     categories.ERRO_RETORNADO),
    ("status-desconhecido", 200, XML, answer(status="OK"), False, categories.RESPOSTA_INVALIDA),
    ("malformado", 200, XML, b"<RetornoCadastroCliente", False, categories.RESPOSTA_INVALIDA),
    ("vazio", 200, XML, b"", False, categories.RESPOSTA_INVALIDA),
    ("doctype", 200, XML, b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', False,
     categories.RESPOSTA_INSEGURA),
    ("fora-do-schema", 200, XML, answer().replace(b"</RetornoCadastroCliente>", b"<Extra/></RetornoCadastroCliente>"),
     False, categories.RESPOSTA_INVALIDA),
]  # fmt: skip


@contextmanager
def answering(status: int, content_type: str, body: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/clientes"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "content_type", "body", "resend", "category"), [pytest.param(*row[1:], id=row[0]) for row in TABLE]
)
def test_suite_and_burst_judge_an_answer_alike(
    status: int, content_type: str, body: bytes, resend: bool, category: str | None
) -> None:
    message = CadastroCliente(ID, "2026-12-02T10:00:00-03:00", base_customer())
    with answering(status, content_type, body) as url, ContractClient(url, PACK, timeout=5) as client:
        exchange = client.send(message)
    rule = suite_checks.status_known() if resend else suite_checks.status_new()
    finding = suite_checks.first_finding(exchange, [*suite_checks.ON_EVERY_ANSWER, rule])
    outcome = load_checks.check_answer(
        http_status=exchange.status or 0,
        content_type=exchange.content_type,
        body=exchange.body,
        id_mensagem=ID,
        cnpj=CNPJ,
        resend=resend,
        schema=PACK.answer,
    )
    suite_says = finding.category if finding is not None else None
    assert (suite_says, outcome.category) == (category, category)
