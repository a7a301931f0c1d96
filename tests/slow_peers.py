"""Loopback socket peers that stall or trickle (one byte every DRIP seconds) at a chosen stage of an exchange."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator

from homologa.messages import render_answer
from homologa.model import Retorno

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


PEN_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=UTF-8\r\nContent-Length: %d\r\n\r\n"
Reply = Callable[[bytes], bytes]  # a request's bytes -> the whole answer (status line, headers, body)


def pen(head: bytes = PEN_HEAD) -> Reply:
    """A valid PEN echoing the request's ids, under the status line and headers ``head`` (``%d``: Content-Length)."""

    def reply(request: bytes) -> bytes:
        ids = [re.search(rb"<%s>([^<]*)<" % tag, request) for tag in (b"IdMensagem", b"CNPJ")]
        assert ids[0] is not None and ids[1] is not None
        body = render_answer(Retorno(ids[0].group(1).decode(), ids[1].group(1).decode(), "PEN"))
        return head % len(body) + body

    return reply


def _answering(reply: Reply | None, delay: float = 0.0, seen: list[tuple[float, bytes]] | None = None) -> Behaviour:
    """A keep-alive peer answering every ``CadastroCliente`` with ``reply(request)``, ``delay`` s late; records each
    request in ``seen`` as it arrives: (wall clock, headers and body). ``reply=None``: records only, and closes."""

    def behave(conn: socket.socket, done: threading.Event) -> None:
        conn.settimeout(5)
        data = b""
        while not done.is_set():
            while b"</CadastroCliente>" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            end = data.index(b"</CadastroCliente>") + len(b"</CadastroCliente>")
            request, data = data[:end], data[end:]
            if seen is not None:
                seen.append((time.time(), request))
            if reply is None or done.wait(delay):
                return
            conn.sendall(reply(request))

    return behave


def answer_pen_after(delay: float) -> Behaviour:
    """A keep-alive peer answering every ``CadastroCliente`` with a valid PEN (echoing its ids), ``delay`` s late."""
    return _answering(pen(), delay)


def answer_pen_setting_cookie(delay: float, seen: list[tuple[float, bytes]]) -> Behaviour:
    """:func:`answer_pen_after` whose every answer sets a sticky-session cookie (as an ERP's load balancer does),
    recording each request as it arrives: (wall clock, headers and body)."""
    cookie = b"\r\nSet-Cookie: AWSALB=no-mesmo-servidor; Path=/\r\nContent-Length"
    return _answering(pen(PEN_HEAD.replace(b"\r\nContent-Length", cookie)), delay, seen)


def answer_pen_with_head(head: bytes) -> Behaviour:
    """A keep-alive peer answering every ``CadastroCliente`` with a valid PEN under the status line and headers
    ``head`` (``%d`` for the Content-Length), e.g. a Content-Type sent twice."""
    return _answering(pen(head))


def record_only(seen: list[tuple[float, bytes]]) -> Behaviour:
    """A peer that records what reaches it and answers nothing (where a redirect points)."""
    return _answering(None, seen=seen)


def redirect_to(location: str) -> Behaviour:
    """A keep-alive peer answering every ``CadastroCliente`` with ``307 Temporary Redirect`` to ``location``."""
    answer = b"HTTP/1.1 307 Temporary Redirect\r\nLocation: " + location.encode() + b"\r\nContent-Length: 0\r\n\r\n"
    return _answering(lambda _request: answer)


def answer_huge(body: bytes, encoding: bytes | None = None) -> Behaviour:
    """A keep-alive peer answering every ``CadastroCliente`` with HTTP 200 and ``body`` (as ``Content-Encoding:
    encoding`` when given), whatever was asked: an answer far past the burst's 1 MiB limit, or a gzip bomb."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n" % len(body)
    if encoding is not None:
        head += b"Content-Encoding: " + encoding + b"\r\n"
    answer = head + b"\r\n" + body
    return _answering(lambda _request: answer)


def gzip_of_zeros(size: int) -> bytes:
    """``size`` zero bytes, gzipped (1 GiB gives about 1 MiB)."""
    import zlib

    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join(compressor.compress(block) for _ in range(size >> 20)) + compressor.flush()


def answer_pen_encoded(encoding: str, cut: int = 0) -> Behaviour:
    """A keep-alive peer answering every ``CadastroCliente`` with a valid PEN compressed as ``encoding`` (gzip,
    deflate in the zlib format, br), its last ``cut`` bytes left out (8 of a gzip: its CRC-32 and length trailer,
    what a proxy that cuts streams short leaves), Content-Length consistent."""
    import gzip
    import zlib

    import brotli  # type: ignore[import-untyped]

    compress = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding]

    def reply(request: bytes) -> bytes:
        whole = pen()(request)
        body = compress(whole[whole.index(b"\r\n\r\n") + 4 :])
        body = body[: len(body) - cut]
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Encoding: %s\r\n" % encoding.encode()
        return head + b"Content-Length: %d\r\n\r\n" % len(body) + body

    return _answering(reply)
