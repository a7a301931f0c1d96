"""Connection guard: no peer may hold a connection forever, and slow or idle peers never starve normal ones.

Every connection is in one phase: *idle* (no byte of a next request yet; a keep-alive connection, or a fresh one),
*head* (part of a request arrived, its handler has not started: headers still coming) or *busy* (a handler runs;
the body's own deadline is the handler's, ``body_timeout``). A sweep closes idle connections after
``idle_timeout`` and head connections after ``header_timeout``.

At most ``max_connections`` are open at once (default: three quarters of the open-file limit, so accepting never
fails with "too many open files"). A connection arriving when the cap is reached evicts the longest-idle
connection, else the one that has been sending its headers the longest (a slowloris peer; a normal client sends
its headers at once), else it is answered 503 with ``Retry-After`` and closed. Busy connections are never evicted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

SERVER_NAME = "homologa"
SWEEP_INTERVAL = 0.25
IDLE, HEAD, BUSY = "ocioso", "cabecalho", "ocupado"

log = logging.getLogger("homologa.server")


def default_limit() -> int:
    """Three quarters of the soft open-file limit (room for the database, threads and the listening socket)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return 4096
    return max(8, soft * 3 // 4)


class Guard:
    """Tracks every connection's phase; admits, evicts and times out connections. Lives in the server's loop."""

    def __init__(self, max_connections: int, header_timeout: float, idle_timeout: float, refusal: bytes) -> None:
        self.limit = max_connections or default_limit()
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self._refusal = refusal
        self._conns: dict[GuardedHandler, list[Any]] = {}  # handler -> [phase, since]; insertion = arrival order
        self.refused = 0
        self.evicted = 0
        self.timed_out = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def open_connections(self) -> int:
        return len(self._conns)

    def admit(self, conn: GuardedHandler) -> bool:
        if len(self._conns) >= self.limit and not self._evict_one():
            self.refused += 1
            return False
        self._conns[conn] = [IDLE, time.monotonic()]
        return True

    def _evict_one(self) -> bool:
        oldest: tuple[float, GuardedHandler] | None = None
        for phase_wanted in (IDLE, HEAD):
            for conn, (phase, since) in self._conns.items():
                if phase == phase_wanted and (oldest is None or since < oldest[0]):
                    oldest = (since, conn)
            if oldest is not None:
                break
        if oldest is None:
            return False
        conn = oldest[1]
        del self._conns[conn]
        self.evicted += 1
        conn.drop()
        return True

    def received(self, conn: GuardedHandler) -> None:
        state = self._conns.get(conn)
        if state is not None and state[0] == IDLE:
            state[0], state[1] = HEAD, time.monotonic()

    def set_phase(self, conn: object, phase: str) -> None:
        state = self._conns.get(conn)  # type: ignore[call-overload]
        if state is not None:
            state[0], state[1] = phase, time.monotonic()

    def forget(self, conn: GuardedHandler) -> None:
        self._conns.pop(conn, None)

    def refusal(self) -> bytes:
        return self._refusal

    def sweep(self) -> None:
        now = time.monotonic()
        expired = [
            conn
            for conn, (phase, since) in self._conns.items()
            if (phase == IDLE and now - since > self.idle_timeout)
            or (phase == HEAD and now - since > self.header_timeout)
        ]
        for conn in expired:
            del self._conns[conn]
            self.timed_out += 1
            conn.drop()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._sweeper(), name="homologa-guarda")

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL)
            self.sweep()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        conn = request.protocol
        self.set_phase(conn, BUSY)
        try:
            return await handler(request)
        finally:
            self.set_phase(conn, IDLE)


class GuardedHandler(RequestHandler):
    """aiohttp's connection handler, reporting to a :class:`Guard` and naming the server ``homologa``."""

    def __init__(self, manager: web.Server, guard: Guard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self.guard = guard
        self.refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self.guard.admit(self):
            self.refused = True
            assert isinstance(transport, asyncio.Transport)
            transport.write(self.guard.refusal())
            transport.close()
            return
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.refused:
            return
        self.guard.forget(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        self.guard.received(self)
        super().data_received(data)

    def eof_received(self) -> None:
        if not self.refused:
            super().eof_received()

    def drop(self) -> None:
        """Close at once (idle, slow or evicted): nothing is in flight on this connection."""
        transport = self.transport
        if transport is not None:
            transport.close()

    def handle_error(
        self, request: Any, status: int = 500, exc: BaseException | None = None, message: str | None = None
    ) -> web.StreamResponse:
        response = super().handle_error(request, status, exc, message)
        response.headers["Server"] = SERVER_NAME
        return response


def refusal_bytes(body: bytes, content_type: str) -> bytes:
    """A complete HTTP/1.1 503 answer (``Retry-After: 1``) for a connection over the cap."""
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        f"Server: {SERVER_NAME}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Retry-After: 1\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


async def name_server(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: a bare ``Server`` header, no Python or aiohttp version."""
    response.headers["Server"] = SERVER_NAME
