"""--homologa-timeout bounds the whole exchange: a peer that stalls or trickles at any stage (after accept, mid-TLS,
in the status line or headers, in the body) fails the scenario as a transport failure within the deadline, and the run
ends.

Real loopback socket servers; each trickles one byte every 0.2 s, so no single socket operation ever waits as long
as the timeout: only a deadline over the whole exchange can end these exchanges in time.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from slow_peers import serve, stall_after_accept, stall_mid_tls, trickle_headers, trickle_status_line

from homologa.categories import FALHA_DE_TRANSPORTE
from homologa.contract import load_pack
from homologa.suite import checks
from homologa.suite.client import ContractClient
from homologa.suite.deadline import DeadlineBackend
from homologa.suite.scenarios import Customers, base_customer

pytest_plugins = ["pytester"]

SUITES = Path(__file__).resolve().parents[1] / "suites"
TIMEOUT = 1.0
MARGIN = 1.0  # scheduling slack on a loaded machine; a per-operation timeout would let these run for minutes


SLOW_PEERS = {
    "parado após aceitar": ("http", stall_after_accept),
    "linha de status aos poucos": ("http", trickle_status_line),
    "cabeçalhos aos poucos": ("http", trickle_headers),
    "TLS parado no meio": ("https", stall_mid_tls),
}


@pytest.fixture(params=sorted(SLOW_PEERS))
def slow_peer(request: pytest.FixtureRequest) -> Iterator[str]:
    scheme, behave = SLOW_PEERS[request.param]
    for address in serve(behave):
        yield f"{scheme}://{address}/clientes"


def test_slow_peer_is_a_transport_failure_within_the_deadline(slow_peer: str) -> None:
    customers = Customers(11)
    message = customers.message(customers.fresh(base_customer()))
    with ContractClient(slow_peer, load_pack(), TIMEOUT) as client:
        start = time.monotonic()
        exchange = client.send(message)
        elapsed = time.monotonic() - start
    assert elapsed < TIMEOUT + MARGIN, f"a troca levou {elapsed:.1f} s"
    assert exchange.transport_error is not None
    assert "o tempo limite vale para a troca inteira" in exchange.transport_error
    found = checks.first_finding(exchange, list(checks.ON_EVERY_ANSWER))
    assert found is not None and found.category == FALHA_DE_TRANSPORTE


def test_every_pool_of_the_client_is_bound_to_the_deadline() -> None:
    """The binding reaches into httpcore's pool: a change there must fail here, not silently drop the deadline."""
    client = ContractClient("http://127.0.0.1:9/clientes", load_pack(), TIMEOUT)
    try:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool._network_backend, DeadlineBackend)
    finally:
        client.close()


def test_deadline_does_not_cut_a_normal_exchange_on_a_reused_connection() -> None:
    """Between exchanges nothing is bounded: a pooled keep-alive connection serves the next request normally."""

    def answer_twice(conn: socket.socket, done: threading.Event) -> None:
        for _ in range(2):
            conn.settimeout(5)
            data = b""
            while b"</CadastroCliente>" not in data:
                data += conn.recv(65536)
            ident = data.split(b"<IdMensagem>")[1].split(b"</IdMensagem>")[0]
            cnpj = data.split(b"<CNPJ>")[1].split(b"</CNPJ>")[0]
            body = (
                b'<RetornoCadastroCliente xmlns="urn:b2b:homologacao:cliente:v1"><IdMensagem>' + ident
                + b"</IdMensagem><CNPJ>" + cnpj + b"</CNPJ><Status>PEN</Status></RetornoCadastroCliente>"
            )  # fmt: skip
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body
            )

    customers = Customers(12)
    for address in serve(answer_twice):
        with ContractClient(f"http://{address}/clientes", load_pack(), TIMEOUT) as client:
            first = client.send(customers.message(customers.fresh(base_customer())))
            time.sleep(TIMEOUT + 0.2)  # idle longer than the deadline: the next exchange has its own
            second = client.send(customers.message(customers.fresh(base_customer())))
    assert first.answer is not None and first.answer.status == "PEN"
    assert second.answer is not None and second.answer.status == "PEN", second.transport_error


@pytest.fixture
def trickling_target() -> Iterator[str]:
    for address in serve(trickle_headers):
        yield f"http://{address}/clientes"


def test_trickling_target_ends_the_run_as_a_transport_failure(pytester: pytest.Pytester, trickling_target: str) -> None:
    start = time.monotonic()
    result = pytester.runpytest(
        "-p", "no:locust", "-p", "no:faker", "-p", "no:cacheprovider", str(SUITES),
        "--alluredir", str(pytester.path / "allure-results"), "--target", trickling_target, "--homologa-timeout", "1",
    )  # fmt: skip
    assert time.monotonic() - start < 20
    assert result.ret == 1
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "[[]falha de transporte[]] *",
            "Recebido: o alvo não respondeu em 1 s (linha de status e cabeçalhos não chegaram completos)*",
            "*homologa: sessão interrompida — falha de transporte*",
        ]
    )


def test_httpx_timeout_messages_stay_distinct_before_the_deadline() -> None:
    """An immediate timeout error (not the deadline) keeps its own wording."""
    from homologa.suite.client import describe_transport_error

    assert "tempo esgotado ao conectar" in describe_transport_error(httpx.ConnectTimeout("x"), 2)
