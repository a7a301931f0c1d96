"""The reference server over real HTTP: contract v1 behaviours (R1..R5, B1), answers checked against the pack."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from server_support import body, make_cliente, post, running, valid_answer

from homologa.server.business import REJECTED_EMAIL_DOMAIN
from homologa.server.store import count_customers, fetch_customer

ID = "0b7c9f8e-1a2b-4c3d-8e9f-0123456789ab"


def test_first_receipt_is_pen_and_resend_is_apv(tmp_path: Path) -> None:
    cliente = make_cliente(1)
    with running(tmp_path) as srv, httpx.Client() as client:
        first = post(client, srv.url, body(cliente, ID))
        second = post(client, srv.url, body(cliente.replace(nome="Comercial Renomeado Ltda")))
    assert first.status_code == 200 and first.headers["content-type"].startswith("application/xml")
    a1, a2 = valid_answer(first), valid_answer(second)
    assert (a1.status, a1.id_mensagem, a1.cnpj) == ("PEN", ID, cliente.cnpj)
    assert a2.status == "APV" and a2.cnpj == cliente.cnpj
    stored = fetch_customer(tmp_path / "ref.db", cliente.cnpj)
    assert stored is not None and stored["nome"] == "Comercial Renomeado Ltda" and stored["recebimentos"] == 2
    assert count_customers(tmp_path / "ref.db") == 1


def test_resend_with_rejected_email_domain_is_rpv(tmp_path: Path) -> None:
    cliente = make_cliente(2)
    with running(tmp_path) as srv, httpx.Client() as client:
        first = valid_answer(post(client, srv.url, body(cliente.replace(email=f"x@{REJECTED_EMAIL_DOMAIN}"))))
        again = valid_answer(post(client, srv.url, body(cliente.replace(email=f"x@{REJECTED_EMAIL_DOMAIN}"))))
        fixed = valid_answer(post(client, srv.url, body(cliente)))
    assert (first.status, again.status, fixed.status) == ("PEN", "RPV", "APV")


def test_protected_fields_are_kept_without_error(tmp_path: Path) -> None:
    cliente = make_cliente(3)
    changed = cliente.replace(telefone="2122223333", nome="Nome Novo").with_address(logradouro="Avenida Nova")
    with running(tmp_path, protected_fields=("telefone", "endereco")) as srv, httpx.Client() as client:
        valid_answer(post(client, srv.url, body(cliente)))
        answer = valid_answer(post(client, srv.url, body(changed)))
    assert answer.status == "APV" and not answer.is_error
    assert "telefone" in (answer.mensagem or "") and "endereco" in (answer.mensagem or "")
    stored = fetch_customer(tmp_path / "ref.db", cliente.cnpj)
    assert stored is not None
    assert stored["telefone"] == cliente.telefone
    assert stored["endereco"]["logradouro"] == cliente.endereco.logradouro
    assert stored["nome"] == "Nome Novo"


def test_retry_of_same_idmensagem_returns_first_answer_without_processing(tmp_path: Path) -> None:
    cliente = make_cliente(4)
    with running(tmp_path) as srv, httpx.Client() as client:
        first = post(client, srv.url, body(cliente, ID))
        retry = post(client, srv.url, body(cliente.replace(nome="Outro Nome"), ID))
    assert retry.content == first.content
    assert valid_answer(retry).status == "PEN"
    stored = fetch_customer(tmp_path / "ref.db", cliente.cnpj)
    assert stored is not None and stored["recebimentos"] == 1 and stored["nome"] == cliente.nome


def test_idempotency_survives_a_restart(tmp_path: Path) -> None:
    cliente = make_cliente(5)
    with running(tmp_path) as srv, httpx.Client() as client:
        first = post(client, srv.url, body(cliente, ID))
    with running(tmp_path) as srv, httpx.Client() as client:
        retry = post(client, srv.url, body(cliente, ID))
        resend = post(client, srv.url, body(cliente))
    assert retry.content == first.content
    assert valid_answer(resend).status == "APV"


def test_schema_invalid_request_is_400_with_erro_naming_element(tmp_path: Path) -> None:
    cliente = make_cliente(6)
    data = body(cliente, ID).replace(b"<CEP>01001000</CEP>", b"<CEP>0100-100</CEP>")
    with running(tmp_path) as srv, httpx.Client() as client:
        response = post(client, srv.url, data)
    assert response.status_code == 400
    answer = valid_answer(response)
    assert answer.is_error and answer.erro_codigo == "FORA-DO-CONTRATO"
    assert "CEP" in (answer.erro_descricao or "") and "contrato v1" in (answer.erro_descricao or "")
    assert (answer.id_mensagem, answer.cnpj) == (ID, cliente.cnpj)
    assert count_customers(tmp_path / "ref.db") == 0


def test_wrong_check_digits_are_refused(tmp_path: Path) -> None:
    cliente = make_cliente(7)
    bad = cliente.cnpj[:12] + ("00" if cliente.cnpj[12:] != "00" else "11")
    with running(tmp_path) as srv, httpx.Client() as client:
        response = post(client, srv.url, body(cliente.replace(cnpj=bad)))
    assert response.status_code == 400
    assert "dígitos verificadores" in (valid_answer(response).erro_descricao or "")


def test_malformed_request_gets_empty_echoes(tmp_path: Path) -> None:
    with running(tmp_path) as srv, httpx.Client() as client:
        response = post(client, srv.url, b"<CadastroCliente><IdMensagem>")
    assert response.status_code == 400
    answer = valid_answer(response)
    assert (answer.id_mensagem, answer.cnpj, answer.erro_codigo) == ("", "", "XML-MALFORMADO")


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [("GET", "/clientes", 405), ("PUT", "/clientes", 405), ("POST", "/outra", 404), ("GET", "/", 404)],
)
def test_wrong_method_or_path(tmp_path: Path, method: str, path: str, expected: int) -> None:
    with running(tmp_path) as srv, httpx.Client() as client:
        assert client.request(method, srv.base_url + path, content=b"x").status_code == expected


def test_health_and_access_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cliente = make_cliente(8)
    with (
        caplog.at_level(logging.INFO, logger="homologa.server.acesso"),
        running(tmp_path) as srv,
        httpx.Client() as client,
    ):
        health = client.get(srv.base_url + "/saude")
        post(client, srv.url, body(cliente))
    assert health.status_code == 200 and health.json()["status"] == "ok"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "homologa.server.acesso"]
    assert [line["caminho"] for line in lines] == ["/saude", "/clientes"]
    assert lines[1] | {"ms": 0, "quando": ""} == {
        "quando": "",
        "metodo": "POST",
        "caminho": "/clientes",
        "http": 200,
        "ms": 0,
        "cnpj": cliente.cnpj,
        "status": "PEN",
    }
    assert cliente.nome not in caplog.text and cliente.email not in caplog.text


def test_in_memory_mode_behaves_the_same_without_a_file(tmp_path: Path) -> None:
    cliente = make_cliente(9)
    with running(tmp_path, persist=False) as srv, httpx.Client() as client:
        statuses = [valid_answer(post(client, srv.url, body(cliente))).status for _ in range(2)]
    assert statuses == ["PEN", "APV"]
    assert not (tmp_path / "ref.db").exists()


def test_stored_form_round_trips() -> None:
    import dataclasses

    from homologa.server.business import cliente_from_dict, cliente_to_dict

    cliente = make_cliente(10).with_address(complemento=None)
    assert cliente_to_dict(cliente) == dataclasses.asdict(cliente)
    assert cliente_from_dict(cliente_to_dict(cliente)) == cliente


def test_server_can_be_stopped_and_started_again(tmp_path: Path) -> None:
    from homologa.server import ReferenceServer, ServerConfig

    srv = ReferenceServer(ServerConfig(db_path=tmp_path / "ref.db"))
    statuses = []
    for _ in range(2):
        srv.start()
        with httpx.Client() as client:
            statuses.append(valid_answer(post(client, srv.url, body(make_cliente(11)))).status)
        srv.stop()
    srv.stop()  # idempotent
    assert statuses == ["PEN", "APV"]


def test_memory_store_keeps_every_field() -> None:
    from homologa.server.business import Stored
    from homologa.server.store import MemoryStore

    store = MemoryStore()
    for cliente in (make_cliente(12), make_cliente(13, telefone_celular=None).with_address(complemento=None)):
        store.put_customer(Stored(cliente, "PEN", 1))
        assert store.customer(cliente.cnpj) == Stored(cliente, "PEN", 1)
