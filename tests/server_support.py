"""Shared helpers for the reference-server tests: hand-made customers and messages, and answer checks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from homologa import cnpj, xmlsafe
from homologa.contract import load_pack
from homologa.messages import CONTENT_TYPE, read_answer, render_request
from homologa.model import CadastroCliente, Cliente, Endereco, Retorno
from homologa.server import ReferenceServer, ServerConfig

PACK = load_pack()
HEADERS = {"Content-Type": CONTENT_TYPE}


def make_cnpj(i: int, alpha: bool = False) -> str:
    body = f"{i:08d}0001" if not alpha else f"A{i:07d}B001"
    return cnpj.complete(body)


def make_cliente(i: int, **changes: object) -> Cliente:
    cliente = Cliente(
        cnpj=make_cnpj(i),
        inscricao_estadual="123456789",
        nome=f"Comercial Exemplo {i} Ltda",
        email=f"compras{i}@exemplo.com.br",
        telefone="1133334444",
        telefone_celular="11999998888",
        endereco=Endereco(
            logradouro="Rua das Flores",
            numero="100",
            complemento="Sala 2",
            bairro="Centro",
            cidade="Sao Paulo",
            estado="SP",
            cep="01001000",
        ),
    )
    return cliente.replace(**changes) if changes else cliente


def message(cliente: Cliente, id_mensagem: str | None = None) -> CadastroCliente:
    return CadastroCliente(id_mensagem or str(uuid.uuid4()), "2026-11-27T10:00:00-03:00", cliente)


def body(cliente: Cliente, id_mensagem: str | None = None) -> bytes:
    return render_request(message(cliente, id_mensagem))


def valid_answer(response: httpx.Response) -> Retorno:
    """The answer as data, after checking it is schema-valid (fails the test otherwise)."""
    violations = PACK.answer.validate(response.content)
    assert not violations, f"resposta fora do schema: {violations}\n{response.text[:500]}"
    return read_answer(xmlsafe.parse(response.content))


def post(client: httpx.Client, url: str, data: bytes) -> httpx.Response:
    return client.post(url, content=data, headers=HEADERS)


@contextmanager
def running(tmp_path: Path, **options: object) -> Iterator[ReferenceServer]:
    cfg = ServerConfig(db_path=tmp_path / "ref.db", **options)  # type: ignore[arg-type]
    with ReferenceServer(cfg) as srv:
        yield srv
