"""Every fault switch of the reference server does what FAULTS.md says. A fault without a scenario here fails."""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from server_support import PACK, body, make_cliente, make_cnpj, post, running, valid_answer

from homologa import cnpj as cnpj_module
from homologa import xmlsafe
from homologa.model import Cliente
from homologa.server import FAULTS, ReferenceServer
from homologa.server.faults import check_names, describe

ID = "5d0c3a1e-9b7f-4e2d-8c6a-112233445566"
Scenario = Callable[[httpx.Client, ReferenceServer], None]


def _new_then(client: httpx.Client, srv: ReferenceServer, i: int = 10, **changes: object) -> httpx.Response:
    cliente = make_cliente(i)
    assert valid_answer(post(client, srv.url, body(cliente))).status == "PEN"
    return post(client, srv.url, body(cliente.replace(**changes)))


def _address_changed(client: httpx.Client, srv: ReferenceServer) -> httpx.Response:
    cliente = make_cliente(10)
    assert valid_answer(post(client, srv.url, body(cliente))).status == "PEN"
    assert valid_answer(post(client, srv.url, body(cliente))).status == "APV"  # unchanged address: fine
    return post(client, srv.url, body(cliente.with_address(logradouro="Avenida Mudou")))


def _is_erro(response: httpx.Response) -> None:
    assert response.status_code == 200
    assert valid_answer(response).is_error


def _rejects(good: object, bad: object) -> Scenario:
    """The message built with ``bad`` gets Erro; the one with ``good`` is accepted (so the switch is selective)."""

    def scenario(client: httpx.Client, srv: ReferenceServer) -> None:
        assert callable(good) and callable(bad)
        _is_erro(post(client, srv.url, body(bad())))
        assert valid_answer(post(client, srv.url, body(good()))).status == "PEN"

    return scenario


def apv_para_novo(client: httpx.Client, srv: ReferenceServer) -> None:
    assert valid_answer(post(client, srv.url, body(make_cliente(1)))).status == "APV"


def pen_para_reenvio(client: httpx.Client, srv: ReferenceServer) -> None:
    assert valid_answer(_new_then(client, srv)).status == "PEN"


def erro_ao_mudar_endereco(client: httpx.Client, srv: ReferenceServer) -> None:
    _is_erro(_address_changed(client, srv))


def http500_ao_mudar_telefone(client: httpx.Client, srv: ReferenceServer) -> None:
    assert _new_then(client, srv, telefone="2122223333").status_code == 500
    assert _new_then(client, srv, 11, telefone_celular=None).status_code == 500


def erro_ao_mudar_email(client: httpx.Client, srv: ReferenceServer) -> None:
    _is_erro(_new_then(client, srv, email="novo@exemplo.com.br"))


def erro_em_campo_protegido(client: httpx.Client, srv: ReferenceServer) -> None:
    assert srv.cfg.protected_fields == ("telefone",)
    assert valid_answer(_new_then(client, srv, nome="Nome Livre")).status == "APV"  # unprotected change: fine
    _is_erro(_new_then(client, srv, 11, telefone="2122223333"))


def sem_eco_idmensagem(client: httpx.Client, srv: ReferenceServer) -> None:
    answer = valid_answer(post(client, srv.url, body(make_cliente(1), ID)))
    assert answer.id_mensagem == "" and answer.status == "PEN"


def eco_cnpj_errado(client: httpx.Client, srv: ReferenceServer) -> None:
    cliente = make_cliente(1)
    answer = valid_answer(post(client, srv.url, body(cliente, ID)))
    assert answer.cnpj != cliente.cnpj and answer.id_mensagem == ID


def resposta_fora_do_schema(client: httpx.Client, srv: ReferenceServer) -> None:
    for response in (post(client, srv.url, body(make_cliente(1))), post(client, srv.url, b"<x/>")):
        xmlsafe.parse(response.content)  # well-formed
        assert PACK.answer.validate(response.content)


def resposta_malformada(client: httpx.Client, srv: ReferenceServer) -> None:
    response = post(client, srv.url, body(make_cliente(1)))
    assert response.status_code == 200
    with pytest.raises(xmlsafe.MalformedXML):
        xmlsafe.parse(response.content)


def content_type_errado(client: httpx.Client, srv: ReferenceServer) -> None:
    response = post(client, srv.url, body(make_cliente(1)))
    assert response.headers["content-type"].startswith("text/html")
    assert not PACK.answer.validate(response.content)


def http500(client: httpx.Client, srv: ReferenceServer) -> None:
    assert post(client, srv.url, body(make_cliente(1))).status_code == 500
    assert post(client, srv.url, body(make_cliente(2))).status_code == 500


def resposta_com_doctype(client: httpx.Client, srv: ReferenceServer) -> None:
    response = post(client, srv.url, body(make_cliente(1)))
    assert b"<!ENTITY" in response.content
    with pytest.raises(xmlsafe.UnsafeXML):
        xmlsafe.parse(response.content)


def resposta_gigante(client: httpx.Client, srv: ReferenceServer) -> None:
    response = post(client, srv.url, body(make_cliente(1)))
    assert len(response.content) > 4 << 20


def sem_idempotencia(client: httpx.Client, srv: ReferenceServer) -> None:
    cliente = make_cliente(1)
    first = valid_answer(post(client, srv.url, body(cliente, ID)))
    retry = valid_answer(post(client, srv.url, body(cliente, ID)))
    assert (first.status, retry.status) == ("PEN", "APV")


def lento(client: httpx.Client, srv: ReferenceServer) -> None:
    with pytest.raises(httpx.ReadTimeout):
        client.post(srv.url, content=body(make_cliente(1)), timeout=0.1)
    assert valid_answer(client.post(srv.url, content=body(make_cliente(2)), timeout=10)).status == "PEN"


def colapsa(client: httpx.Client, srv: ReferenceServer) -> None:
    """One at a time, answer n waits 10 ms × (1 + n/10): the last 10 of 60 wait at least 0.645 s together, 0.5 s
    more than the first 10 (timing noise of a loaded machine is far below that margin); answers stay correct."""
    took = []
    for i in range(1, 61):
        started = time.perf_counter()
        assert valid_answer(post(client, srv.url, body(make_cliente(i)))).status == "PEN"
        took.append(time.perf_counter() - started)
    first, last = sum(took[:10]), sum(took[-10:])
    assert last >= 0.6 and last - first > 0.3, took


def trava(client: httpx.Client, srv: ReferenceServer) -> None:
    with pytest.raises(httpx.ReadTimeout):
        client.post(srv.url, content=body(make_cliente(1)), timeout=0.5)
    started = time.monotonic()
    stopper = threading.Timer(0.3, srv.stop)
    stopper.start()
    with pytest.raises(httpx.TransportError):  # stopping releases a hung request instead of waiting for it
        client.post(srv.url, content=body(make_cliente(2)), timeout=30)
    stopper.join()
    assert time.monotonic() - started < 10


def goteja(client: httpx.Client, srv: ReferenceServer) -> None:
    received = b""
    with client.stream("POST", srv.url, content=body(make_cliente(1)), timeout=0.3) as response:
        assert response.status_code == 200
        assert int(response.headers["content-length"]) > 100
        with pytest.raises(httpx.ReadTimeout):  # the next byte is 0.5 s away
            for chunk in response.iter_raw():
                received += chunk
    assert 0 < len(received) <= 2 and b"<?xml".startswith(received)


def derruba_conexao(client: httpx.Client, srv: ReferenceServer) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        post(client, srv.url, body(make_cliente(1)))


def http503_as_vezes(client: httpx.Client, srv: ReferenceServer) -> None:
    cnpjs = [make_cnpj(i) for i in range(1, 61)]
    expected = {c for c in cnpjs if zlib.crc32(c.encode()) % 10 == 0}
    assert 0 < len(expected) < 20
    got = set()
    for i, cnpj in enumerate(cnpjs, start=1):
        response = post(client, srv.url, body(make_cliente(i)))
        if response.status_code == 503:
            got.add(cnpj)
        else:
            assert valid_answer(response).status == "PEN"
    assert got == expected


def _stranger(i: int) -> Cliente:
    """A customer sharing nothing with make_cliente(1) (whose IE, phones and address every make_cliente shares)."""
    return make_cliente(i, inscricao_estadual=f"77{i:07d}", telefone=f"21{i:08d}").with_address(
        logradouro=f"Avenida Outra {i}", numero=str(i), cep=f"2{i:07d}", estado="RJ", cidade="Rio de Janeiro"
    )


def _identifies_by(field: str) -> Scenario:
    """A new CNPJ sharing only ``field`` with a known customer gets APV (and one sharing nothing still gets PEN);
    unless ``field`` is the raiz, the known CNPJ with another ``field`` value gets PEN."""

    def scenario(client: httpx.Client, srv: ReferenceServer) -> None:
        known = make_cliente(1)
        assert valid_answer(post(client, srv.url, body(known))).status == "PEN"
        if field == "raiz":
            twin = _stranger(2).replace(cnpj=cnpj_module.complete(known.cnpj[:8] + "0002"))
        elif field == "endereco":
            twin = _stranger(2).replace(endereco=known.endereco)
        else:
            twin = _stranger(2).replace(**{field: getattr(known, field)})
        assert valid_answer(post(client, srv.url, body(twin))).status == "APV"  # taken for the known customer
        assert valid_answer(post(client, srv.url, body(_stranger(3)))).status == "PEN"  # selective
        moved = _stranger(4).replace(cnpj=known.cnpj)
        assert valid_answer(post(client, srv.url, body(moved))).status == ("APV" if field == "raiz" else "PEN")

    return scenario


SCENARIOS: dict[str, tuple[Scenario, dict[str, object]]] = {
    "apv-para-novo": (apv_para_novo, {}),
    "pen-para-reenvio": (pen_para_reenvio, {}),
    "erro-ao-mudar-endereco": (erro_ao_mudar_endereco, {}),
    "http500-ao-mudar-telefone": (http500_ao_mudar_telefone, {}),
    "erro-ao-mudar-email": (erro_ao_mudar_email, {}),
    "erro-em-campo-protegido": (erro_em_campo_protegido, {"protected_fields": ("telefone",)}),
    "rejeita-acentos": (_rejects(lambda: make_cliente(1), lambda: make_cliente(2, nome="Padaria São João")), {}),
    "rejeita-caracteres-especiais": (
        _rejects(lambda: make_cliente(1), lambda: make_cliente(2, nome="Irmãos D'Ávila & Cia")),
        {},
    ),
    "rejeita-isento": (_rejects(lambda: make_cliente(1), lambda: make_cliente(2, inscricao_estadual="ISENTO")), {}),
    "rejeita-cnpj-alfanumerico": (
        _rejects(lambda: make_cliente(1), lambda: make_cliente(2, cnpj=make_cnpj(2, alpha=True))),
        {},
    ),
    "exige-opcionais": (_rejects(lambda: make_cliente(1), lambda: make_cliente(2, telefone_celular=None)), {}),
    "rejeita-tamanho-maximo": (_rejects(lambda: make_cliente(1), lambda: make_cliente(2, nome="N" * 101)), {}),
    "rejeita-uf-rara": (_rejects(lambda: make_cliente(1), lambda: make_cliente(2).with_address(estado="AC")), {}),
    "sem-eco-idmensagem": (sem_eco_idmensagem, {}),
    "eco-cnpj-errado": (eco_cnpj_errado, {}),
    "resposta-fora-do-schema": (resposta_fora_do_schema, {}),
    "resposta-malformada": (resposta_malformada, {}),
    "content-type-errado": (content_type_errado, {}),
    "http500": (http500, {}),
    "resposta-com-doctype": (resposta_com_doctype, {}),
    "resposta-gigante": (resposta_gigante, {}),
    "sem-idempotencia": (sem_idempotencia, {}),
    "lento": (lento, {"fault_delay": 0.5}),
    "colapsa": (colapsa, {}),
    "trava": (trava, {}),
    "goteja": (goteja, {}),
    "derruba-conexao": (derruba_conexao, {}),
    "http503-as-vezes": (http503_as_vezes, {}),
    "identifica-pela-raiz": (_identifies_by("raiz"), {}),
    "identifica-pelo-email": (_identifies_by("email"), {}),
    "identifica-pela-ie": (_identifies_by("inscricao_estadual"), {}),
    "identifica-pelo-nome": (_identifies_by("nome"), {}),
    "identifica-pelo-endereco": (_identifies_by("endereco"), {}),
    "identifica-pelo-telefone": (_identifies_by("telefone"), {}),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_does_what_it_says(tmp_path: Path, name: str) -> None:
    assert name in SCENARIOS, f"falha {name!r} sem cenário de teste"
    scenario, options = SCENARIOS[name]
    with running(tmp_path, faults=(name,), **options) as srv, httpx.Client(timeout=10) as client:
        scenario(client, srv)
        if name != "trava":  # that scenario stops the server itself
            assert client.get(srv.base_url + "/saude").status_code == 200


def test_every_scenario_names_a_known_fault() -> None:
    assert set(SCENARIOS) == set(FAULTS)


def test_exige_opcionais_also_requires_complemento(tmp_path: Path) -> None:
    no_complemento = make_cliente(3).with_address(complemento=None)
    with running(tmp_path, faults=("exige-opcionais",)) as srv, httpx.Client() as client:
        _is_erro(post(client, srv.url, body(no_complemento)))


def test_catalogue_names_rules_and_is_listed() -> None:
    text = describe()
    for fault in FAULTS.values():
        assert fault.regra in {"R1", "R2", "R3", "R4", "R5", "R6", "B1", "B2"}
        assert fault.regras[0] == fault.regra
        assert fault.name in text and fault.descricao in text
    with pytest.raises(ValueError, match="falha desconhecida: nao-existe"):
        check_names(["lento", "nao-existe"])
