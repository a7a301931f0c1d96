"""One absolute deadline for a whole exchange: connect, TLS, send, status line, headers and body together.

httpx's timeouts are per socket operation: a peer that sends one byte per second never trips a 10 s read timeout,
so a trickling proxy could hold a request for hours. :class:`DeadlineBackend` wraps httpcore's network backend so
that every socket operation of an exchange gets at most the time left until the exchange's deadline (and none at all
once it has passed). The client sets the deadline around each request with :meth:`Deadline.running`; between
requests (pooled connections idle) nothing is bounded beyond httpx's own timeouts.

Not bounded: the DNS lookup of the target's host name (``getaddrinfo`` has no timeout in the standard library).
"""

from __future__ import annotations

import ssl
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx
from httpcore._backends.base import SOCKET_OPTION as SocketOption


class Deadline:
    """The current exchange's deadline (``time.monotonic()`` value), or None outside an exchange."""

    def __init__(self) -> None:
        self.at: float | None = None

    @contextmanager
    def running(self, seconds: float) -> Iterator[None]:
        self.at = time.monotonic() + seconds
        try:
            yield
        finally:
            self.at = None

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def bound(self, timeout: float | None, error: type[Exception]) -> float | None:
        """``timeout`` cut to the time left; ``error`` when nothing is left."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise error("prazo da troca esgotado")
        return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read, write and TLS handshake ends by the exchange's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        # CPython's SSL handshake keeps one deadline over all its socket waits: a trickled handshake ends in time too
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        stream = self._inner.start_tls(ssl_context, server_hostname, bounded)
        return DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every stream it opens bound to ``deadline``."""

    def __init__(self, inner: httpcore.NetworkBackend, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return self._checked(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: typing.Iterable[SocketOption] | None = None
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        return self._checked(self._inner.connect_unix_socket(path, bounded, socket_options))

    def _checked(self, stream: httpcore.NetworkStream) -> httpcore.NetworkStream:
        # several addresses tried in turn may each take the time left: the connection is late as a whole
        if self._deadline.expired():
            stream.close()
            raise httpcore.ConnectTimeout("prazo da troca esgotado ao conectar")
        return DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bind(client: httpx.Client, deadline: Deadline) -> None:
    """Bind every connection pool of ``client`` (direct and environment proxies) to ``deadline``.

    httpx builds its pools itself and httpcore has no public setter for the backend of a built pool; the attribute is
    checked here so a change in httpcore fails loudly (tests) instead of silently dropping the deadline.
    """
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is None:
            continue
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(backend, httpcore.NetworkBackend):
            raise RuntimeError("httpcore mudou: pool sem _network_backend; o prazo da troca não pode ser aplicado")
        if not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(backend, deadline)
