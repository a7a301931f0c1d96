"""Loopback socket peers that stall or trickle (one byte every DRIP seconds) at a chosen stage of an exchange."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

DRIP = 0.2

Behaviour = Callable[[socket.socket, threading.Event], None]


def serve(behave: Behaviour) -> Iterator[str]:
    """A loopback server running ``behave`` for each accepted connection until the test ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    done = threading.Event()

    def accept_loop() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_guarded, args=(behave, conn, done), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        done.set()
        thread.join(5)
        listener.close()


def _guarded(behave: Behaviour, conn: socket.socket, done: threading.Event) -> None:
    with conn, contextlib.suppress(OSError):
        behave(conn, done)


def _drip(conn: socket.socket, done: threading.Event, data: bytes) -> None:
    for byte in data:
        if done.wait(DRIP):
            return
        conn.sendall(bytes([byte]))


def _read_request(conn: socket.socket) -> None:
    conn.settimeout(5)
    data = b""
    while b"</CadastroCliente>" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk


def stall_after_accept(conn: socket.socket, done: threading.Event) -> None:
    done.wait(60)


def trickle_status_line(conn: socket.socket, done: threading.Event) -> None:
    _read_request(conn)
    _drip(conn, done, b"HTTP/1.1 200 OK\r\n" + b"X-Lento: " + b"a" * 1000)


def trickle_headers(conn: socket.socket, done: threading.Event) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n")
    _drip(conn, done, b"X-Lento: " + b"a" * 1000)


def stall_mid_tls(conn: socket.socket, done: threading.Event) -> None:
    conn.recv(65536)  # the ClientHello
    # a handshake record header announcing 16 KiB, then its body one byte at a time
    _drip(conn, done, b"\x16\x03\x03\x40\x00" + b"\x02" * 1000)
