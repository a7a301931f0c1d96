"""Connection guard with real sockets: slow headers, missing bodies and idle keep-alive connections are closed on
time; over the connection cap idle and slow peers are evicted first, else the newcomer gets 503 + Retry-After; the
``Server`` header names no software version."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from server_support import body, make_cliente, post, running, valid_answer

from homologa.server import ReferenceServer
from homologa.server.guard import GRACE

VALID = body(make_cliente(1))


def _connect(srv: ReferenceServer) -> socket.socket:
    parts = urlsplit(srv.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def _read_all(sock: socket.socket, deadline: float = 8.0) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    started = time.monotonic()
    sock.settimeout(deadline)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except TimeoutError:
        raise AssertionError(f"o servidor não fechou a conexão em {deadline} s") from None
    except ConnectionResetError:
        pass
    return b"".join(chunks), time.monotonic() - started


@contextmanager
def _sockets(srv: ReferenceServer, n: int, first_bytes: bytes = b"") -> Iterator[list[socket.socket]]:
    with ExitStack() as stack:
        socks = []
        for _ in range(n):
            sock = stack.enter_context(_connect(srv))
            if first_bytes:
                sock.sendall(first_bytes)
            socks.append(sock)
        yield socks


def test_headers_that_never_end_are_cut_at_the_header_timeout(tmp_path: Path) -> None:
    with running(tmp_path, header_timeout=0.5) as srv, _connect(srv) as sock:
        sock.sendall(b"POST /clientes HTTP/1.1\r\nHost: x\r\n")
        _, took = _read_all(sock)
        assert took < 3


def test_body_promised_and_never_sent_is_408_at_the_body_timeout(tmp_path: Path) -> None:
    with running(tmp_path, body_timeout=0.5) as srv, _connect(srv) as sock:
        sock.sendall(b"POST /clientes HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n<")
        answer, took = _read_all(sock)
        assert answer.startswith(b"HTTP/1.1 408") and b"CORPO-LENTO" in answer
        assert took < 3


def test_endless_chunk_is_cut_at_the_body_timeout(tmp_path: Path) -> None:
    with running(tmp_path, body_timeout=0.5) as srv, _connect(srv) as sock:
        sock.sendall(b"POST /clientes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\n<<<")
        answer, took = _read_all(sock)
        assert answer[:12] in {b"HTTP/1.1 408", b"HTTP/1.1 413", b"HTTP/1.1 400"}, answer[:200]
        assert took < 3


def test_idle_keep_alive_connection_is_closed_at_the_idle_timeout(tmp_path: Path) -> None:
    with running(tmp_path, idle_timeout=0.5) as srv, _connect(srv) as sock:
        request = (
            b"POST /clientes HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml; charset=UTF-8\r\n"
            b"Content-Length: " + str(len(VALID)).encode() + b"\r\n\r\n" + VALID
        )
        sock.sendall(request)
        answer, took = _read_all(sock)
        assert answer.startswith(b"HTTP/1.1 200")
        assert 0.3 < took < 3


def test_over_the_cap_idle_then_slow_connections_are_evicted_for_a_normal_client(tmp_path: Path) -> None:
    with running(tmp_path, max_connections=8) as srv, httpx.Client(timeout=10) as client:
        with _sockets(srv, 20):  # idle: connected, nothing sent (those over the cap get a 503 at once)
            time.sleep(GRACE + 0.3)
            assert srv.guard is not None and srv.guard.open_connections <= 8
            assert valid_answer(post(client, srv.url, VALID)).status == "PEN"
        client.close()
    with running(tmp_path, max_connections=8) as srv, _sockets(srv, 20, b"POST /clientes HTTP/1.1\r\nHost: x\r\n"):
        time.sleep(GRACE + 0.3)
        for i in range(5):
            with httpx.Client(timeout=10) as fresh:  # a new connection each time
                assert valid_answer(post(fresh, srv.url, body(make_cliente(100 + i)))).status == "PEN"
        assert srv.guard is not None and srv.guard.evicted >= 1  # a slow peer made room for the first one


def test_over_the_cap_with_only_busy_connections_is_503_with_retry_after(tmp_path: Path) -> None:
    with running(tmp_path, max_connections=3, faults=("trava",)) as srv:
        hung = [threading.Thread(target=lambda: _post_ignoring_errors(srv.url), daemon=True) for _ in range(3)]
        for thread in hung:
            thread.start()
        time.sleep(0.5)
        with httpx.Client(timeout=10) as client:
            response = post(client, srv.url, VALID)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert valid_answer(response).erro_codigo == "INDISPONIVEL"
        assert response.headers["Server"] == "homologa"
    for thread in hung:
        thread.join(10)


def _post_ignoring_errors(url: str) -> None:
    try:
        with httpx.Client(timeout=20) as client:
            post(client, url, VALID)
    except httpx.HTTPError:
        pass


def test_server_header_names_no_software_version(tmp_path: Path) -> None:
    with running(tmp_path) as srv, httpx.Client(timeout=10) as client:
        ok = post(client, srv.url, VALID)
        health = client.get(srv.base_url + "/saude")
        missing = client.get(srv.base_url + "/nada")
        assert {ok.headers["Server"], health.headers["Server"], missing.headers["Server"]} == {"homologa"}
        with _connect(srv) as sock:
            sock.sendall(b"NAO E HTTP\r\n\r\n")
            answer, _ = _read_all(sock)
        head = answer.split(b"\r\n\r\n")[0].lower()
        assert b"server: homologa\r\n" in head + b"\r\n" and b"python" not in head and b"aiohttp" not in head
